// Kubernetes for tests: the run's shared control plane (scripts/test.ts sets RAMP_TEST_KUBECONFIG
// and friends) or, for a file run alone, a control plane of this file's own. Each test works in
// namespaces of its own; namespaces are not deleted (that takes ~10 s here and the cluster
// dies with the run).
import { randomBytes } from 'node:crypto';
import { CustomObjectsApi, KubeConfig, setHeaderOptions } from '@kubernetes/client-node';
import { startTestCluster, testClusterFromEnv, type TestCluster } from '../../scripts/lib/kube-test-cluster.js';
import { KubeCluster } from '../../src/providers/kube/cluster.js';
import { groupOf, type KubeObject } from '../../src/providers/kube/objects.js';
import { cleanupOnSignal } from './reaper.js';

export interface KubeTestEnv extends TestCluster {
  /** The tests' own hands (system:masters): set up, play the GitOps agent, make drift. */
  admin: KubeCluster;
  /** A fresh namespace, created by the admin. */
  namespace(prefix: string): Promise<string>;
  /** Writes an object's status (as a controller would). */
  writeStatus(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, status: Record<string, unknown>, subresource: boolean): Promise<void>;
  teardown(): Promise<void>;
}

let shared: Promise<KubeTestEnv> | undefined;

/** One per test file process. */
export function getKube(): Promise<KubeTestEnv> {
  shared ??= open();
  return shared;
}

async function open(): Promise<KubeTestEnv> {
  let cluster = testClusterFromEnv();
  let stop = async (): Promise<void> => {};
  if (cluster === null) {
    const started = await startTestCluster();
    cluster = started.cluster;
    stop = () => started.plane.stop();
    cleanupOnSignal(stop);
  }
  const admin = new KubeCluster({ kubeconfig: cluster.adminKubeconfig });
  const config = new KubeConfig();
  config.loadFromFile(cluster.adminKubeconfig);
  const custom = config.makeApiClient(CustomObjectsApi);
  return {
    ...cluster,
    admin,
    async namespace(prefix) {
      const name = `${prefix}-${randomBytes(3).toString('hex')}`;
      await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },
    async writeStatus(object, status, subresource) {
      const [group, version] = [groupOf(object.apiVersion), object.apiVersion.split('/')[1]!];
      const params = {
        group,
        version,
        namespace: object.metadata.namespace!,
        plural: `${object.kind.toLowerCase()}s`,
        name: object.metadata.name,
        body: { status },
      };
      const options = setHeaderOptions('Content-Type', 'application/merge-patch+json');
      if (subresource) await custom.patchNamespacedCustomObjectStatus(params, options);
      else await custom.patchNamespacedCustomObject(params, options);
    },
    teardown: stop,
  };
}
