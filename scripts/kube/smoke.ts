// Smoke check for the local control plane (not a test: `npm test` must not depend on it yet).
//   npx tsx scripts/kube/smoke.ts [--keep]
// Builds or reuses the binaries, starts etcd + kube-apiserver + KCM + scheduler + kwok, creates a
// namespace and a 2-replica Deployment with @kubernetes/client-node, waits for availableReplicas == 2,
// rolls out a new image, waits again, prints timings and stops everything.
import * as k8s from '@kubernetes/client-node';
import { ensureKubeBinaries, startKubeControlPlane } from '../lib/kube.js';
import { sleep } from '../lib/proc.js';

const log = (line: string) => console.log(`[smoke ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function waitDeployment(apps: k8s.AppsV1Api, namespace: string, name: string, generation: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const d = await apps.readNamespacedDeployment({ name, namespace });
    const s = d.status ?? {};
    last = `observedGeneration=${s.observedGeneration} replicas=${s.replicas} updated=${s.updatedReplicas} ready=${s.readyReplicas} available=${s.availableReplicas}`;
    if ((s.observedGeneration ?? 0) >= generation && s.availableReplicas === 2 && s.updatedReplicas === 2 && (s.replicas ?? 0) === 2) {
      return last;
    }
    if (Date.now() > deadline) throw new Error(`deployment ${name} not rolled out after ${timeoutMs} ms: ${last}`);
    await sleep(200);
  }
}

async function main() {
  const keepDir = process.argv.includes('--keep');
  const tb = Date.now();
  const binaries = await ensureKubeBinaries({ log });
  log(`binaries ready in ${Date.now() - tb} ms: ${binaries.dir}`);

  const t0 = Date.now();
  const cp = await startKubeControlPlane({ binaries, log, keepDir });
  const startMs = Date.now() - t0;
  log(`control plane ready in ${startMs} ms (${cp.server}, kubeconfig ${cp.kubeconfigPath})`);
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);

    const namespace = 'smoke';
    const name = 'web';
    const t1 = Date.now();
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const deployment: k8s.V1Deployment = {
      metadata: { name, namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'app', image: 'example.invalid/web:v1' }] },
        },
      },
    };
    await apps.createNamespacedDeployment({ namespace, body: deployment });
    log(`rollout 1: ${await waitDeployment(apps, namespace, name, 1, 120_000)}`);
    const rollout1 = Date.now() - t1;
    log(`deployment available (2/2) in ${rollout1} ms`);

    // A second rollout: new ReplicaSet scales up, old one down (old pods deleted via kwok's pod-delete stage).
    const t2 = Date.now();
    await apps.patchNamespacedDeployment(
      {
        name,
        namespace,
        body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'example.invalid/web:v2' }],
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    log(`rollout 2: ${await waitDeployment(apps, namespace, name, 2, 120_000)}`);
    // Wait for the old pods to be gone.
    const deadline = Date.now() + 60_000;
    let pods: k8s.V1Pod[] = [];
    for (;;) {
      pods = (await core.listNamespacedPod({ namespace })).items;
      if (pods.length === 2 && pods.every((p) => p.spec?.containers[0]?.image === 'example.invalid/web:v2')) break;
      if (Date.now() > deadline) throw new Error(`old pods not gone: ${pods.map((p) => p.metadata?.name).join(', ')}`);
      await sleep(200);
    }
    const rollout2 = Date.now() - t2;
    const rs = (await apps.listNamespacedReplicaSet({ namespace })).items;
    log(`image update rolled out in ${rollout2} ms; replicasets: ${rs.map((r) => `${r.metadata?.name}=${r.status?.replicas}`).join(', ')}`);
    log(`pods: ${pods.map((p) => `${p.metadata?.name} ${p.status?.phase} ${p.spec?.nodeName} ${p.status?.podIP}`).join('; ')}`);

    const t3 = Date.now();
    await core.deleteNamespace({ name: namespace });
    for (;;) {
      try {
        await core.readNamespace({ name: namespace });
      } catch {
        break;
      }
      if (Date.now() - t3 > 60_000) throw new Error('namespace deletion did not finish in 60 s');
      await sleep(200);
    }
    log(`namespace deleted in ${Date.now() - t3} ms`);
    console.log(JSON.stringify({ controlPlaneReadyMs: startMs, timings: cp.timings, rolloutMs: rollout1, imageUpdateMs: rollout2 }));
  } finally {
    const ts = Date.now();
    await cp.stop();
    log(`stopped in ${Date.now() - ts} ms`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
