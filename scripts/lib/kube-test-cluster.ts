// The Kubernetes control plane the tests share: started once per `npm test` run (or per test
// file run alone), with the test CRDs installed (test/fixtures/kube/crds: Gateway API, Istio,
// SMI, Argo CD, Flux) and the worker user bound to exactly deploy/rbac/clusterrole.yaml, so
// every Kubernetes test runs ramp with the permissions the README asks for.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { KubeCluster } from '../../src/providers/kube/cluster.js';
import { parseManifests } from '../../src/providers/kube/objects.js';
import { startKubeControlPlane, WORKER_USER, type KubeControlPlane, type StartOptions } from './kube.js';
import { sleep } from './proc.js';
import { PROJECT_ROOT } from './tools.js';

export const CRD_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'kube', 'crds');
export const CLUSTER_ROLE_FILE = path.join(PROJECT_ROOT, 'deploy', 'rbac', 'clusterrole.yaml');

/** What a test needs to reach the shared cluster (also passed to test processes as env). */
export interface TestCluster {
  /** RAMP_TEST_KUBECONFIG: the admin (system:masters) — the tests' own hands. */
  adminKubeconfig: string;
  /** RAMP_TEST_KUBE_WORKER_KUBECONFIG: ramp's worker, bound to deploy/rbac/clusterrole.yaml only. */
  workerKubeconfig: string;
  /** RAMP_KUSTOMIZE */
  kustomize: string;
}

export function testClusterEnv(cluster: TestCluster): Record<string, string> {
  return {
    RAMP_TEST_KUBECONFIG: cluster.adminKubeconfig,
    RAMP_TEST_KUBE_WORKER_KUBECONFIG: cluster.workerKubeconfig,
    RAMP_KUSTOMIZE: cluster.kustomize,
  };
}

export function testClusterFromEnv(env: NodeJS.ProcessEnv = process.env): TestCluster | null {
  const { RAMP_TEST_KUBECONFIG: admin, RAMP_TEST_KUBE_WORKER_KUBECONFIG: worker, RAMP_KUSTOMIZE: kustomize } = env;
  return admin && worker && kustomize ? { adminKubeconfig: admin, workerKubeconfig: worker, kustomize } : null;
}

/** Starts a control plane and prepares it for the tests. */
export async function startTestCluster(opts: StartOptions = {}): Promise<{ plane: KubeControlPlane; cluster: TestCluster }> {
  const plane = await startKubeControlPlane(opts);
  try {
    await prepareTestCluster(plane.kubeconfigPath);
    return { plane, cluster: { adminKubeconfig: plane.kubeconfigPath, workerKubeconfig: plane.workerKubeconfigPath, kustomize: plane.binaries.kustomize } };
  } catch (err) {
    await plane.stop();
    throw err;
  }
}

/** Installs the CRDs (waiting until they are served) and binds the worker's ClusterRole. */
export async function prepareTestCluster(adminKubeconfig: string): Promise<void> {
  // ramp's own client: the typed one drops x-kubernetes-preserve-unknown-fields from CRDs.
  const admin = new KubeCluster({ kubeconfig: adminKubeconfig });
  const crdFiles = (await readdir(CRD_DIR)).filter((f) => f.endsWith('.yaml')).sort();
  const crds = (await Promise.all(crdFiles.map(async (f) => parseManifests(await readFile(path.join(CRD_DIR, f), 'utf8'), f)))).flat();
  for (const crd of crds) await admin.apply(crd);
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    for (;;) {
      const live = await admin.get(crd);
      const conditions = (live?.status?.conditions ?? []) as { type: string; status: string }[];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} was not Established within 60 s`);
      await sleep(100);
    }
  }

  const [role] = parseManifests(await readFile(CLUSTER_ROLE_FILE, 'utf8'), CLUSTER_ROLE_FILE);
  if (!role) throw new Error(`${CLUSTER_ROLE_FILE} holds no ClusterRole`);
  await admin.apply(role);
  await admin.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: WORKER_USER },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: WORKER_USER }],
  });
}
