/**
 * The Helm chart (deploy/helm/ramp): rendered by `helm template` (Helm built from Go modules,
 * scripts/lib/helm.ts), server-side applied to the real control plane, and read back: the stored
 * Deployments' pod templates, the pods the controllers made from them (kwok runs them: no
 * containers, so probes are checked as specs, not executed), the worker's RBAC as the API
 * server's authorizer decides it, and the chart's agreement with the Dockerfile.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuthorizationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ensureHelm } from '../../scripts/lib/helm.js';
import { run, runChecked } from '../../scripts/lib/proc.js';
import { PROJECT_ROOT } from '../../scripts/lib/tools.js';
import type { KubeObject } from '../../src/providers/kube/objects.js';
import { getKube, type KubeTestEnv } from '../harness/kube.js';
import { waitFor } from '../support/wait.js';

const CHART = path.join(PROJECT_ROOT, 'deploy/helm/ramp');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: (Record<string, unknown> & { name: string })[];
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'Namespace']);
const podSpec = (deployment: KubeObject | null): PodSpec => (deployment?.spec as { template: { spec: PodSpec } }).template.spec;
const envOf = (container: Container): Map<string, EnvVar> => new Map((container.env ?? []).map((e) => [e.name, e]));

describe('Helm chart deploy/helm/ramp on a real control plane', () => {
  let kube: KubeTestEnv;
  let helm: string;
  let work: string;
  let namespace: string;
  let release: string;
  let rendered: KubeObject[];
  const deployment = (component: 'worker' | 'server') =>
    kube.admin.get({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${release}-ramp-${component}`, namespace } });

  const values = {
    image: { repository: 'registry.example.com/platform/ramp', tag: '0.1.0-test' },
    temporal: { address: 'temporal-frontend.temporal:7233', namespace: 'delivery', tlsSecret: { name: 'temporal-client-tls', ca: true, clientCert: true } },
    taskQueue: 'ramp-prod',
    env: { RAMP_TEMPORAL_UI_URL: 'https://temporal.example.com' },
    worker: {
      replicas: 2,
      secretsSecret: 'ramp-gitops-secrets',
      secretEnv: { RAMP_SMTP_URL: { secret: 'ramp-smtp', key: 'url' } },
      env: { RAMP_UI_URL: 'https://ramp.example.com' },
    },
    server: {
      replicas: 1,
      signingKeySecret: { name: 'ramp-server-keys', key: 'signing.jwk.json' },
      secretFiles: { RAMP_SERVER_OIDC_CLIENT_SECRET_FILE: { secret: 'ramp-oidc', key: 'client-secret' } },
      publicUrl: 'https://ramp.example.com',
    },
  };

  before(async () => {
    [kube, helm] = await Promise.all([getKube(), ensureHelm((line) => process.stderr.write(`${line}\n`))]);
    work = await mkdtemp(path.join(tmpdir(), 'ramp-helm-'));
    namespace = await kube.namespace('helm');
    release = `r${randomBytes(3).toString('hex')}`;
    const valuesFile = path.join(work, 'values.yaml');
    await writeFile(valuesFile, stringify(values));
    const started = performance.now();
    const { stdout } = await runChecked(helm, ['template', release, CHART, '--namespace', namespace, '-f', valuesFile], { timeoutMs: 120_000 });
    process.stderr.write(`helm template: ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    rendered = parseAllDocuments(stdout)
      .map((doc) => doc.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null);
    // The Secrets the chart references (by name only: it never holds a secret).
    for (const [name, data] of [
      ['temporal-client-tls', { 'ca.crt': 'ca', 'tls.crt': 'cert', 'tls.key': 'key' }],
      ['ramp-gitops-secrets', { 'gitops-deploy-token': 'token' }],
      ['ramp-smtp', { url: 'smtp://mail:25' }],
      ['ramp-server-keys', { 'signing.jwk.json': '{}' }],
      ['ramp-oidc', { 'client-secret': 'secret' }],
    ] as const) {
      await kube.admin.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data });
    }
    for (const object of rendered) {
      const metadata = CLUSTER_SCOPED.has(object.kind) ? object.metadata : { ...object.metadata, namespace };
      await kube.admin.apply({ ...object, metadata });
    }
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
    await kube?.teardown();
  });

  test('renders the objects of a worker and a server, and nothing else', () => {
    const kinds = rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      `ClusterRole/${release}-ramp-worker`,
      `ClusterRoleBinding/${release}-ramp-worker`,
      `Deployment/${release}-ramp-server`,
      `Deployment/${release}-ramp-worker`,
      `Service/${release}-ramp-server`,
      `Service/${release}-ramp-worker-metrics`,
      `ServiceAccount/${release}-ramp-server`,
      `ServiceAccount/${release}-ramp-worker`,
    ]);
  });

  test('the stored worker Deployment: image, command, settings, secrets by reference, probes, non-root', async () => {
    const stored = await deployment('worker');
    assert.ok(stored, 'the worker Deployment is stored');
    assert.equal((stored.spec as { replicas: number }).replicas, 2);
    const spec = podSpec(stored);
    assert.equal(spec.serviceAccountName, `${release}-ramp-worker`);
    assert.equal(spec.securityContext?.runAsNonRoot, true);
    const [container] = spec.containers;
    assert.ok(container);
    assert.equal(container.image, 'registry.example.com/platform/ramp:0.1.0-test');
    assert.deepEqual(container.command, ['node', 'dist/worker/main.js']);
    const env = envOf(container);
    const plain = (name: string) => env.get(name)?.value;
    assert.equal(plain('TEMPORAL_ADDRESS'), 'temporal-frontend.temporal:7233');
    assert.equal(plain('TEMPORAL_NAMESPACE'), 'delivery');
    assert.equal(plain('RAMP_TASK_QUEUE'), 'ramp-prod');
    assert.equal(plain('RAMP_METRICS_ADDRESS'), '0.0.0.0:9464');
    assert.equal(plain('RAMP_WORKER_HEALTH_ADDR'), '0.0.0.0:9465');
    assert.equal(plain('RAMP_UI_URL'), 'https://ramp.example.com');
    assert.equal(plain('RAMP_TEMPORAL_UI_URL'), 'https://temporal.example.com');
    assert.equal(plain('RAMP_SECRETS_DIR'), '/var/run/secrets/ramp');
    assert.equal(plain('TEMPORAL_TLS_CLIENT_KEY_PATH'), '/etc/ramp/temporal-tls/tls.key');
    assert.deepEqual(env.get('RAMP_SMTP_URL')?.valueFrom?.secretKeyRef, { name: 'ramp-smtp', key: 'url' });
    for (const e of env.values()) assert.ok(!/token|smtp:\/\//.test(e.value ?? ''), `${e.name}: no secret as a plain value`);
    assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'health', scheme: 'HTTP' });
    assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'health', scheme: 'HTTP' });
    assert.deepEqual(
      container.ports?.map((p) => [p.name, p.containerPort]),
      [
        ['metrics', 9464],
        ['health', 9465],
      ],
    );
    assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL']);
    // The clone cache and /tmp are writable emptyDirs; the secrets are mounted read-only.
    const cacheDir = plain('RAMP_CACHE_DIR')!;
    const cacheMount = container.volumeMounts?.find((m) => cacheDir.startsWith(`${m.mountPath}/`));
    assert.ok(cacheMount, `a volume holds RAMP_CACHE_DIR (${cacheDir})`);
    assert.ok(spec.volumes?.find((v) => v.name === cacheMount.name)?.emptyDir, 'the clone cache is an emptyDir');
    assert.ok(spec.volumes?.find((v) => v.name === container.volumeMounts?.find((m) => m.mountPath === '/tmp')?.name)?.emptyDir, '/tmp is an emptyDir');
    const secretsMount = container.volumeMounts?.find((m) => m.mountPath === '/var/run/secrets/ramp');
    assert.equal(secretsMount?.readOnly, true);
    assert.deepEqual(spec.volumes?.find((v) => v.name === secretsMount.name)?.secret, { secretName: 'ramp-gitops-secrets', defaultMode: 420 });
  });

  test('the stored server Deployment: ramp server, its signing key and secret files mounted where its settings say', async () => {
    const stored = await deployment('server');
    assert.ok(stored, 'the server Deployment is stored');
    const spec = podSpec(stored);
    assert.equal(spec.serviceAccountName, `${release}-ramp-server`);
    const [container] = spec.containers;
    assert.ok(container);
    assert.deepEqual(container.command, ['node', 'bin/ramp.js', 'server']);
    const env = envOf(container);
    assert.equal(env.get('RAMP_SERVER_LISTEN')?.value, '0.0.0.0:8480');
    assert.equal(env.get('RAMP_SERVER_PUBLIC_URL')?.value, 'https://ramp.example.com');
    assert.equal(env.get('TEMPORAL_NAMESPACE')?.value, 'delivery');
    const mount = container.volumeMounts?.find((m) => m.name === 'server-secrets');
    assert.equal(mount?.readOnly, true);
    const projected = spec.volumes?.find((v) => v.name === 'server-secrets')?.projected as {
      sources: { secret: { name: string; items: { key: string; path: string }[] } }[];
    };
    const files = new Map<string, string>(
      projected.sources.flatMap((s) => s.secret.items.map((i): [string, string] => [`${mount.mountPath}/${i.path}`, `${s.secret.name}/${i.key}`])),
    );
    assert.equal(files.get(env.get('RAMP_SERVER_SIGNING_KEY_FILE')?.value ?? ''), 'ramp-server-keys/signing.jwk.json');
    assert.equal(files.get(env.get('RAMP_SERVER_OIDC_CLIENT_SECRET_FILE')?.value ?? ''), 'ramp-oidc/client-secret');
    assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'http', scheme: 'HTTP' });
    assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'http', scheme: 'HTTP' });
    assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
  });

  test('the Deployments roll out: the controllers make pods of the chart spec, and they become available', async () => {
    const config = new KubeConfig();
    config.loadFromFile(kube.adminKubeconfig);
    const core = config.makeApiClient(CoreV1Api);
    for (const [component, replicas] of [
      ['worker', 2],
      ['server', 1],
    ] as const) {
      await waitFor(
        () => deployment(component),
        (d) => ((d?.status ?? {}) as { availableReplicas?: number }).availableReplicas === replicas,
        `${component} Deployment with ${replicas} available replicas`,
        90_000,
      );
      const pods = await core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/instance=${release},app.kubernetes.io/component=${component}` });
      assert.equal(pods.items.length, replicas, `${component} pods`);
      for (const pod of pods.items) {
        assert.equal(pod.spec?.serviceAccountName, `${release}-ramp-${component}`);
        assert.equal(pod.spec?.securityContext?.runAsUser, 1000);
        assert.equal(pod.spec?.containers[0]?.image, 'registry.example.com/platform/ramp:0.1.0-test');
        assert.equal(pod.spec?.containers[0]?.securityContext?.readOnlyRootFilesystem, true);
      }
    }
  });

  test("the worker's ClusterRole is deploy/rbac/clusterrole.yaml's, bound to the worker's ServiceAccount only", async () => {
    const reference = parse(await readFile(path.join(PROJECT_ROOT, 'deploy/rbac/clusterrole.yaml'), 'utf8')) as { rules: Rule[] };
    const stored = await kube.admin.get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${release}-ramp-worker` } });
    assert.deepEqual((stored as unknown as { rules: Rule[] }).rules, reference.rules);
    const config = new KubeConfig();
    config.loadFromFile(kube.adminKubeconfig);
    const authz = config.makeApiClient(AuthorizationV1Api);
    const may = async (account: string, verb: string, group: string, resource: string): Promise<boolean> => {
      const review = await authz.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: `system:serviceaccount:${namespace}:${release}-ramp-${account}`,
            resourceAttributes: { verb, group, resource, namespace: 'production' },
          },
        },
      });
      return review.status?.allowed === true;
    };
    await waitFor(
      () => may('worker', 'patch', 'apps', 'deployments'),
      (allowed) => allowed,
      'the binding in effect',
      30_000,
    );
    assert.equal(await may('worker', 'get', 'argoproj.io', 'applications'), true);
    assert.equal(await may('worker', 'delete', 'apps', 'deployments'), false, 'the worker deletes nothing');
    assert.equal(await may('worker', 'get', '', 'secrets'), false, 'the worker reads no Secrets');
    assert.equal(await may('server', 'get', 'apps', 'deployments'), false, 'the server has no Kubernetes rights');
  });

  test("the chart agrees with the Dockerfile: the worker's command is its CMD, runAsUser its USER", async () => {
    const dockerfile = await readFile(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? 'null') as string[];
    const uid = Number(/^USER (\d+)/m.exec(dockerfile)?.[1]);
    const spec = podSpec(await deployment('worker'));
    assert.deepEqual(spec.containers[0]?.command, cmd);
    assert.equal(spec.securityContext?.runAsUser, uid);
  });

  test('refuses to render a server without its signing key, and says which value to set', async () => {
    const r = await run(helm, ['template', 'x', CHART], { timeoutMs: 120_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /server\.signingKeySecret\.name: the Secret with the server's signing key/);
  });

  test('a ServiceMonitor per component when asked for', async () => {
    const { stdout } = await runChecked(
      helm,
      [
        'template',
        'm',
        CHART,
        '--set',
        'server.signingKeySecret.name=k',
        '--set',
        'serviceMonitor.enabled=true',
        '--show-only',
        'templates/servicemonitor.yaml',
      ],
      { timeoutMs: 120_000 },
    );
    const monitors = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; spec: { endpoints: { port: string; path: string }[] } });
    assert.deepEqual(
      monitors.map((m) => [m.kind, m.spec.endpoints[0]?.port, m.spec.endpoints[0]?.path]),
      [
        ['ServiceMonitor', 'metrics', '/metrics'],
        ['ServiceMonitor', 'http', '/metrics'],
      ],
    );
  });
});
