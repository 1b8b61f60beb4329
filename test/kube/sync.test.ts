/**
 * syncStage (src/providers/kube/stage-sync.ts) against the real control plane and a real Git
 * remote. ramp's side runs as the worker user, bound to exactly deploy/rbac/clusterrole.yaml,
 * over a real ClonedGitOpsRepository; the test's side (set-up, reading back, playing Argo CD and
 * Flux) is the admin with a clone of its own.
 *
 *   apply   ramp applies plain and kustomize stages; Deployments, StatefulSets and DaemonSets
 *           roll out; a never-ready release ends at the deadline; RBAC refusals say where to grant.
 *   argocd  the test is Argo CD: it waits for ramp's refresh annotation, applies the stage and
 *           writes the Application's status; ramp resolves only when the status says the commit.
 *   flux    the same with Flux's reconcile request and the Kustomization's status subresource.
 *   traffic each of the four routers: a setWeight commit made through the repository is live
 *           (apply), or not live (an agent that applies an old weight) and the sync says so.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleGit } from 'simple-git';
import { NEVER_READY_TAG } from '../../scripts/lib/kube.js';
import type { StageChange } from '../../src/domain/changes.js';
import { CachedGitOpsRepositories } from '../../src/providers/git/repositories.js';
import type { GitOpsRepository } from '../../src/providers/git/gitops-repository.js';
import type { AgentKind } from '../../src/providers/kube/agents.js';
import { KubeApiError, KubeCluster } from '../../src/providers/kube/cluster.js';
import type { KubeObject } from '../../src/providers/kube/objects.js';
import { renderStage } from '../../src/providers/kube/render.js';
import { SyncError, syncStage, type SyncOutcome, type SyncTarget } from '../../src/providers/kube/stage-sync.js';
import { weightCheckFor } from '../../src/providers/kube/weights.js';
import type { RepositorySpec, SyncSpec, TrafficRoutingSpec } from '../../src/schema/pipeline.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';
import { getKube, type KubeTestEnv } from '../harness/kube.js';
import { waitFor } from '../support/wait.js';

const POLL_MS = 100;

// --- the GitOps layout: one directory per stage -------------------------------------------------

const deployment = (name: string, image: string, replicas = 1) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: { app: ${name} }
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: web
          image: ${image}
`;
const service = (name: string, headless = false) =>
  `apiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  ${headless ? 'clusterIP: None\n  ' : ''}selector: { app: ${name} }\n  ports: [{ port: 80, targetPort: 8080 }]\n`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata: { greeting: hello }\n`;

const LAYOUT: Record<string, string> = {
  // sync mode apply, plain files: three kinds of workload.
  'apply/plain/configmap.yaml': configMap('settings'),
  'apply/plain/deployment.yaml': deployment('web', 'web:1.0.0', 2),
  'apply/plain/statefulset.yaml': `${service('db', true)}---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  replicas: 2
  podManagementPolicy: Parallel
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: "db:15" }] }
`,
  'apply/plain/daemonset.yaml': `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [{ name: agent, image: "agent:3" }] }
`,
  // sync mode apply, kustomize: the images transformer sets the tag.
  'apply/kustomize/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - service.yaml\nimages:\n  - { name: api, newTag: 1.2.0 }\n',
  'apply/kustomize/deployment.yaml': deployment('api', 'api:1.0.0', 2),
  'apply/kustomize/service.yaml': service('api'),
  'apply/never-ready/deployment.yaml': deployment('web', `web:${NEVER_READY_TAG}`),
  // A kind outside deploy/rbac/clusterrole.yaml.
  'apply/secret/configmap.yaml': configMap('settings'),
  'apply/secret/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: { name: creds }\nstringData: { password: hunter2 }\n',
  // Applied by the GitOps agent the test plays.
  'agent/web/deployment.yaml': deployment('web', 'web:1.0.0'),
  'agent/web/service.yaml': service('web'),
  // The four traffic routers, each at 100/0.
  'traffic/gateway/services.yaml': `${service('web-stable')}---\n${service('web-canary')}`,
  'traffic/gateway/route.yaml': `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web }
spec:
  parentRefs: [{ name: public, namespace: gateway }]
  rules:
    - backendRefs:
        - { name: web-stable, port: 80, weight: 100 }
        - { name: web-canary, port: 80, weight: 0 }
`,
  'traffic/istio/destination-rule.yaml': `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: web }
spec:
  host: web
  subsets:
    - { name: stable, labels: { track: stable } }
    - { name: canary, labels: { track: canary } }
`,
  'traffic/istio/virtual-service.yaml': `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: web }
spec:
  hosts: [web]
  http:
    - name: testers
      match: [{ headers: { x-canary: { exact: "true" } } }]
      route:
        - destination: { host: web, subset: canary }
    - name: primary
      route:
        - destination: { host: web, subset: stable }
          weight: 100
        - destination: { host: web, subset: canary }
          weight: 0
`,
  'traffic/smi/split.yaml': `apiVersion: split.smi-spec.io/v1alpha2
kind: TrafficSplit
metadata: { name: web }
spec:
  service: web
  backends:
    - { service: web-stable, weight: 100 }
    - { service: web-canary, weight: 0 }
`,
  'traffic/ratio/stable.yaml': deployment('web-stable', 'web:1.0.0', 10),
  'traffic/ratio/canary.yaml': deployment('web-canary', 'web:1.0.0', 0),
  'traffic/ratio/service.yaml': service('web'),
};

// --- helpers --------------------------------------------------------------------------------------

let kube: KubeTestEnv;
let remote: GitOpsRemote;
let worker: KubeCluster;
let repository: GitOpsRepository;
/** The fake agents' own clone of the remote: what Argo CD or Flux would fetch. */
let agentRepository: GitOpsRepository;
let repoSpec: RepositorySpec;
let scratch: string;

const syncSpec = (mode: 'apply' | AgentKind, namespace: string, agentName = 'web'): SyncSpec => ({
  mode,
  namespace,
  context: null,
  timeoutMs: 60_000,
  agent: mode === 'apply' ? null : { kind: mode, name: agentName, namespace },
  application: null,
  kustomization: null,
});

/**
 * syncStage as the worker, with short polls; `progress` collects what it said. A test awaits the
 * outcome after acting on the cluster, and the sync may fail while it still acts: the failure
 * is marked as handled at once (Node would report it as unhandled), and still rejects the
 * returned promise for the test's own assertion.
 */
function sync(target: Omit<SyncTarget, 'deadline'> & { deadlineMs?: number }, progress: string[] = []): Promise<SyncOutcome> {
  const { deadlineMs = 20_000, ...rest } = target;
  const outcome = syncStage(
    { ...rest, deadline: Date.now() + deadlineMs },
    { repository, cluster: worker, kustomize: kube.kustomize, pollMs: POLL_MS, progress: (m) => progress.push(m) },
  );
  outcome.catch(() => {});
  return outcome;
}

/** A promise, and when it settled. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settledAt: number | null } {
  const tracked: { promise: Promise<T>; settledAt: number | null } = { promise, settledAt: null };
  tracked.promise = promise.finally(() => {
    tracked.settledAt = Date.now();
  });
  return tracked;
}

/**
 * The poller's evidence: waits until syncStage reported, after `since` (an index into
 * `progress`), `polls` states matching `pattern`. syncStage reports progress only for a poll
 * that did not resolve, so a match proves that it saw this state and went on waiting (a sleep
 * instead would pass as well if the poller never ran). The first report after `since` may come
 * from a poll that read the cluster just before it: ask for 2 polls when the state matched
 * before `since` too.
 */
async function polled(progress: string[], since: number, pattern: RegExp, what: string, polls = 1): Promise<void> {
  await waitFor(
    () => Promise.resolve(progress.slice(since).filter((m) => pattern.test(m)).length),
    (n) => n >= polls,
    `${polls} poll(s) that saw ${what} (${pattern})`,
    60_000,
  );
}

let commits = 0;
/** Commits `changes` to `stagePath` through ramp's repository; returns the sha. */
async function commit(stagePath: string, changes: StageChange[], version = '1.1.0'): Promise<string> {
  const n = ++commits;
  const result = await repository.commit({
    repository: repoSpec,
    stagePath,
    image: 'web',
    version,
    changes,
    subject: `sync test ${n}: ${stagePath}`,
    trailers: { promotion: `sync-test-${n}`, stage: stagePath.replace(/\//g, '-'), step: `1/${n}`, version },
  });
  assert.ok(result.sha, `commit ${n} changed ${stagePath}`);
  return result.sha;
}

/** A commit of `image` into agent/web/deployment.yaml. */
const newImage = (version: string): Promise<string> =>
  commit(
    'agent/web',
    [
      {
        kind: 'setVersion',
        targets: [
          { kind: 'yamlUpdate', file: 'deployment.yaml', path: 'spec.template.spec.containers[name=web].image', value: '{{ramp.image}}:{{ramp.version}}' },
        ],
      },
    ],
    version,
  );

/** A commit by someone else, straight to the remote, outside every stage. */
async function foreignCommit(): Promise<string> {
  const { dir, git } = await remote.workdir();
  await mkdir(path.join(dir, 'docs'), { recursive: true });
  await writeFile(path.join(dir, 'docs', 'CHANGES.md'), `a change at ${Date.now()}\n`);
  await git.add('docs/CHANGES.md');
  await git.commit('docs: a change outside the stages');
  await git.push('origin', 'main');
  return (await simpleGit(dir).revparse(['HEAD'])).trim();
}

const short = (sha: string): string => sha.slice(0, 12);
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const syncError = (kind: SyncError['kind'], pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof SyncError, `a SyncError, not ${String(e)}`);
  assert.equal(e.kind, kind, e.message);
  assert.match(e.message, pattern);
  return true;
};

const get = (apiVersion: string, kind: string, name: string, namespace: string): Promise<KubeObject | null> =>
  kube.admin.get({ apiVersion, kind, metadata: { name, namespace } });
const field = (object: KubeObject | null, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], object);

/**
 * The test playing a GitOps agent over one stage: its object (an Argo CD Application or a Flux
 * Kustomization) in `namespace`, the stage's manifests applied into `namespace` by the admin.
 */
class FakeAgent {
  #handled: string | undefined;
  constructor(
    readonly kind: AgentKind,
    readonly stagePath: string,
    readonly namespace: string,
    readonly name = 'web',
  ) {}

  get ref(): Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'> {
    return this.kind === 'argocd'
      ? { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: this.name, namespace: this.namespace } }
      : { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: this.name, namespace: this.namespace } };
  }

  async create(): Promise<void> {
    const spec =
      this.kind === 'argocd'
        ? {
            project: 'default',
            source: { repoURL: remote.remoteUrl, path: this.stagePath, targetRevision: 'main' },
            destination: { namespace: this.namespace },
          }
        : { interval: '10m', path: `./${this.stagePath}`, prune: true, sourceRef: { kind: 'GitRepository', name: 'gitops' }, targetNamespace: this.namespace };
    await kube.admin.apply({ ...this.ref, spec });
  }

  /** Waits for ramp's refresh request (Argo CD: the annotation, which it then removes; Flux: a new requestedAt). */
  async refreshRequested(): Promise<string> {
    const key = this.kind === 'argocd' ? 'argocd.argoproj.io/refresh' : 'reconcile.fluxcd.io/requestedAt';
    const live = await waitFor(
      () => kube.admin.get(this.ref),
      (o) => o?.metadata.annotations?.[key] !== undefined && o.metadata.annotations[key] !== this.#handled,
      `ramp's ${key} on ${this.ref.kind} ${this.namespace}/${this.name}`,
      10_000,
    );
    const value = live!.metadata.annotations![key]!;
    if (this.kind === 'argocd') await kube.admin.mergePatch(this.ref, { metadata: { annotations: { [key]: null } } });
    this.#handled = value;
    return value;
  }

  /** Applies the stage's manifests at `sha`, as the admin. */
  async applyCommit(sha: string): Promise<void> {
    const snapshot = await agentRepository.snapshot(sha);
    for (const { object } of await renderStage(snapshot.dir, this.stagePath, { kustomize: kube.kustomize })) {
      await kube.admin.apply(await kube.admin.withNamespace(object, this.namespace));
    }
  }

  async report(status: Record<string, unknown>): Promise<void> {
    await kube.writeStatus(this.ref, status, this.kind === 'flux');
  }

  /** Argo CD's status: compared with `sha`, the sync state and health, and the last operation. */
  static argo(
    sync: 'Synced' | 'OutOfSync',
    sha: string,
    health = 'Healthy',
    operation: Record<string, unknown> | null = { phase: 'Succeeded', syncResult: { revision: sha } },
  ) {
    return { sync: { status: sync, revision: sha }, health: { status: health }, operationState: operation };
  }

  /** Flux's status: applied `sha`, Ready as given, at `observedGeneration`. */
  flux(sha: string, ready: 'True' | 'False', observedGeneration: number, reason = 'ReconciliationSucceeded', extra: Record<string, unknown>[] = []) {
    return {
      observedGeneration,
      lastAppliedRevision: `main@sha1:${sha}`,
      lastAttemptedRevision: `main@sha1:${sha}`,
      ...(this.#handled === undefined ? {} : { lastHandledReconcileAt: this.#handled }),
      conditions: [
        { type: 'Ready', status: ready, reason, message: `Applied revision: main@sha1:${sha}`, lastTransitionTime: new Date().toISOString() },
        ...extra,
      ],
    };
  }
}

// --- the suites -----------------------------------------------------------------------------------

before(async () => {
  kube = await getKube();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ramp-sync-test-'));
  const seedDir = path.join(scratch, 'seed');
  for (const [file, text] of Object.entries(LAYOUT)) {
    await mkdir(path.dirname(path.join(seedDir, file)), { recursive: true });
    await writeFile(path.join(seedDir, file), text);
  }
  remote = await createGitOpsRemote({ seedDir });
  repoSpec = { url: remote.remoteUrl, branch: 'main', secretRef: null };
  repository = new CachedGitOpsRepositories({ cacheDir: path.join(scratch, 'ramp-cache') }).get(repoSpec);
  agentRepository = new CachedGitOpsRepositories({ cacheDir: path.join(scratch, 'agent-cache') }).get(repoSpec);
  worker = new KubeCluster({ kubeconfig: kube.workerKubeconfig });
});

after(async () => {
  await remote?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('sync mode apply: ramp applies the stage as the worker', () => {
  test('plain manifests: a Deployment, a StatefulSet and a DaemonSet applied and rolled out; the outcome lists them', async () => {
    const ns = await kube.namespace('sync-plain');
    const progress: string[] = [];
    const outcome = await sync({ stagePath: 'apply/plain', sync: syncSpec('apply', ns), sha: remote.seedCommit }, progress);

    assert.equal(outcome.sha, remote.seedCommit);
    assert.equal(outcome.applied, 5, 'ConfigMap, DaemonSet, Deployment, Service and StatefulSet');
    assert.equal(outcome.agent, null);
    assert.deepEqual(
      outcome.workloads.map((w) => `${w.workload}: ${w.state}`),
      [`DaemonSet ${ns}/agent: Healthy`, `Deployment ${ns}/web: Healthy`, `StatefulSet ${ns}/db: Healthy`],
    );
    assert.ok(progress.includes(`applied 5 object(s) of ${short(remote.seedCommit)}`), progress.join('\n'));

    const web = await get('apps/v1', 'Deployment', 'web', ns);
    assert.equal(field(web, 'status', 'availableReplicas'), 2);
    const managers = (web?.metadata.managedFields as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes('ramp/Apply'), `server-side applied by field manager ramp: ${managers.join(', ')}`);
    assert.equal(field(await get('apps/v1', 'StatefulSet', 'db', ns), 'status', 'readyReplicas'), 2);
    assert.equal(field(await get('apps/v1', 'DaemonSet', 'agent', ns), 'status', 'numberAvailable'), 1);
    assert.equal(field(await get('v1', 'ConfigMap', 'settings', ns), 'data', 'greeting'), 'hello');
  });

  test('kustomize: built with the real binary and applied into the sync namespace', async () => {
    const ns = await kube.namespace('sync-kustomize');
    const outcome = await sync({ stagePath: 'apply/kustomize', sync: syncSpec('apply', ns), sha: null });
    assert.equal(outcome.applied, 2);
    assert.deepEqual(
      outcome.workloads.map((w) => `${w.workload}: ${w.state} (${w.message})`),
      [`Deployment ${ns}/api: Healthy (2 of 2 replicas available)`],
    );
    const api = await get('apps/v1', 'Deployment', 'api', ns);
    assert.equal(field(api, 'spec', 'template', 'spec', 'containers', 0, 'image'), 'api:1.2.0', "kustomize's images transformer ran");
    assert.ok(await get('v1', 'Service', 'api', ns));
  });

  test('a release that never becomes ready: SyncError deadline, naming the workload and what it waits for', async () => {
    const ns = await kube.namespace('sync-never');
    const started = Date.now();
    await assert.rejects(
      sync({ stagePath: 'apply/never-ready', sync: syncSpec('apply', ns), sha: null, deadlineMs: 3_000 }),
      // What the Deployment waits for (the first alternative, unless the controller lags on a busy machine).
      syncError(
        'deadline',
        new RegExp(
          `^[0-9a-f]{12} was not live and healthy after [0-9.]+ s \\(sync\\.timeout\\): Deployment ${ns}/web: (0 of 1 updated replicas available|0 of 1 replicas updated|the controller has not seen generation 1 yet \\(observed 0\\))$`,
        ),
      ),
    );
    assert.equal(field(await get('apps/v1', 'Deployment', 'web', ns), 'status', 'availableReplicas') ?? 0, 0);
    // Not before the deadline (how long after it is the machine's business: bench/kube.ts).
    assert.ok(Date.now() - started >= 3_000, `ended at the deadline, not before (${Date.now() - started} ms)`);
  });

  test("a kind outside the worker's ClusterRole (a Secret): refused with 403, pointing at deploy/rbac/clusterrole.yaml", async () => {
    const ns = await kube.namespace('sync-rbac');
    await assert.rejects(sync({ stagePath: 'apply/secret', sync: syncSpec('apply', ns), sha: null }), (e: unknown) => {
      assert.ok(e instanceof KubeApiError, String(e));
      assert.equal(e.status, 403);
      assert.equal(e.transient, false);
      assert.match(
        e.message,
        new RegExp(
          `^cannot apply Secret ${ns}/creds in .*: secrets "creds" is forbidden: User "ramp-worker" cannot patch resource "secrets".*\\(HTTP 403\\); .*deploy/rbac/clusterrole\\.yaml`,
        ),
      );
      return true;
    });
    assert.equal(await get('v1', 'Secret', 'creds', ns), null, 'nothing was written');
    assert.ok(await get('v1', 'ConfigMap', 'settings', ns), "the ConfigMap before it (Git's order) was applied");
  });

  test('a kind the server does not serve, in a served group or in none: 404 at once, saying to install its CRD', async () => {
    const ns = await kube.namespace('sync-unserved');
    for (const apiVersion of ['apps/v1', 'widgets.example.com/v1']) {
      await assert.rejects(worker.apply({ apiVersion, kind: 'Widget', metadata: { name: 'w', namespace: ns } }), (e: unknown) => {
        assert.ok(e instanceof KubeApiError, String(e));
        assert.deepEqual([e.status, e.transient], [404, false], `${apiVersion}: ${e.message}`);
        assert.match(e.message, /^cannot apply Widget .* the server does not serve this kind\. Install its CRD, or correct the manifest's apiVersion$/);
        return true;
      });
    }
  });
});

describe('sync mode argocd: the test plays Argo CD', () => {
  test('ramp asks for a refresh and resolves only once the Application says the commit is Synced and Healthy', async () => {
    const ns = await kube.namespace('sync-argo');
    const agent = new FakeAgent('argocd', 'agent/web', ns);
    await agent.create();
    await agent.applyCommit(remote.seedCommit);
    await agent.report(FakeAgent.argo('Synced', remote.seedCommit));
    const sha = await newImage('1.1.0');

    const progress: string[] = [];
    const syncing = track(sync({ stagePath: 'agent/web', sync: syncSpec('argocd', ns), sha }, progress));
    await agent.refreshRequested();
    // Argo CD compares with the new commit first: OutOfSync, the old objects still live.
    let since = progress.length;
    await agent.report(FakeAgent.argo('OutOfSync', sha, 'Healthy', null));
    await polled(
      progress,
      since,
      new RegExp(`^waiting for Application ${ns}/web to apply ${short(sha)}: OutOfSync to ${short(sha)}, Healthy$`),
      'OutOfSync at the commit',
    );
    assert.equal(syncing.settledAt, null, 'not resolved while OutOfSync');
    await agent.applyCommit(sha);
    since = progress.length;
    await polled(progress, since, new RegExp(`OutOfSync to ${short(sha)}`), 'the applied objects, the status still OutOfSync', 2);
    assert.equal(syncing.settledAt, null, 'not resolved before the status says the commit, though the objects are applied');
    const reportedAt = Date.now();
    await agent.report(FakeAgent.argo('Synced', sha));
    const outcome = await syncing.promise;

    assert.ok(syncing.settledAt! >= reportedAt, 'resolved after the status said Synced at the commit');
    assert.equal(outcome.sha, sha);
    assert.equal(outcome.applied, 0, 'the agent applied, not ramp');
    assert.equal(outcome.agent, `Application ${ns}/web: Synced to ${short(sha)}, Healthy (last operation Succeeded)`);
    assert.deepEqual(
      outcome.workloads.map((w) => `${w.workload}: ${w.state}`),
      [`Deployment ${ns}/web: Healthy`],
    );
    assert.equal(field(await get('apps/v1', 'Deployment', 'web', ns), 'spec', 'template', 'spec', 'containers', 0, 'image'), 'web:1.1.0');
    assert.ok(
      progress.some((m) => m.startsWith(`waiting for Application ${ns}/web to apply ${short(sha)}: OutOfSync to ${short(sha)}`)),
      progress.join('\n'),
    );
    assert.ok(
      progress.some((m) => m.includes(`Synced to ${short(remote.seedCommit)}`)),
      "the earlier commit's Synced status (before the refresh was handled) did not count",
    );
  });

  test("Synced but Degraded at the commit: SyncError failed, with Argo CD's words", async () => {
    const ns = await kube.namespace('sync-argo-degraded');
    const agent = new FakeAgent('argocd', 'agent/web', ns);
    await agent.create();
    const sha = (await repository.snapshot(null)).sha;
    const syncing = sync({ stagePath: 'agent/web', sync: syncSpec('argocd', ns), sha });
    await agent.refreshRequested();
    await agent.applyCommit(sha);
    await kube.writeStatus(
      agent.ref,
      { ...FakeAgent.argo('Synced', sha, 'Degraded'), health: { status: 'Degraded', message: 'Deployment "web" exceeded its progress deadline' } },
      false,
    );
    await assert.rejects(
      syncing,
      syncError(
        'failed',
        new RegExp(`^Application ${ns}/web did not apply ${short(sha)}: the application is Degraded: Deployment "web" exceeded its progress deadline$`),
      ),
    );
  });

  test('the sync operation failed at the commit: SyncError failed', async () => {
    const ns = await kube.namespace('sync-argo-opfail');
    const agent = new FakeAgent('argocd', 'agent/web', ns);
    await agent.create();
    const sha = (await repository.snapshot(null)).sha;
    const syncing = sync({ stagePath: 'agent/web', sync: syncSpec('argocd', ns), sha });
    await agent.refreshRequested();
    await agent.report(
      FakeAgent.argo('OutOfSync', sha, 'Missing', { phase: 'Failed', message: 'one or more objects failed to apply', syncResult: { revision: sha } }),
    );
    await assert.rejects(
      syncing,
      syncError('failed', new RegExp(`^Application ${ns}/web did not apply ${short(sha)}: the sync operation failed: one or more objects failed to apply$`)),
    );
  });

  test('the failure of the commit before (a rollback away from a broken release) is no failure of this commit', async () => {
    const ns = await kube.namespace('sync-argo-rollback');
    const agent = new FakeAgent('argocd', 'agent/web', ns);
    await agent.create();
    const broken = await newImage(NEVER_READY_TAG);
    await agent.applyCommit(broken);
    const failedOp = { phase: 'Failed', message: 'health check timed out', syncResult: { revision: broken }, operation: { sync: { revision: broken } } };
    await agent.report(FakeAgent.argo('Synced', broken, 'Degraded', failedOp));
    const fixed = await newImage('1.0.1');

    const progress: string[] = [];
    const syncing = track(sync({ stagePath: 'agent/web', sync: syncSpec('argocd', ns), sha: fixed }, progress));
    await agent.refreshRequested();
    // Compared with the fix at once; the last operation and the health are still the broken commit's.
    const since = progress.length;
    await agent.report(FakeAgent.argo('OutOfSync', fixed, 'Degraded', failedOp));
    await polled(
      progress,
      since,
      new RegExp(`: OutOfSync to ${short(fixed)}, Degraded \\(last operation Failed\\)$`),
      "the fix OutOfSync, the broken commit's failed operation",
    );
    assert.equal(syncing.settledAt, null, 'still waiting for Argo CD to sync the fix');
    await agent.applyCommit(fixed);
    await agent.report(FakeAgent.argo('Synced', fixed));
    const outcome = await syncing.promise;
    assert.equal(outcome.sha, fixed);
    assert.deepEqual(
      outcome.workloads.map((w) => `${w.workload}: ${w.state}`),
      [`Deployment ${ns}/web: Healthy`],
    );
  });

  test('a later commit (a descendant, pushed by someone else) counts as the commit', async () => {
    const ns = await kube.namespace('sync-argo-later');
    const agent = new FakeAgent('argocd', 'agent/web', ns);
    await agent.create();
    const sha = await newImage('1.3.0');
    const later = await foreignCommit();
    const syncing = sync({ stagePath: 'agent/web', sync: syncSpec('argocd', ns), sha });
    await agent.refreshRequested();
    await agent.applyCommit(later);
    await agent.report(FakeAgent.argo('Synced', later));
    const outcome = await syncing;
    assert.equal(outcome.sha, sha, 'the commit asked for');
    assert.match(outcome.agent ?? '', new RegExp(`Synced to ${short(later)}, Healthy`));
    assert.equal(field(await get('apps/v1', 'Deployment', 'web', ns), 'spec', 'template', 'spec', 'containers', 0, 'image'), 'web:1.3.0');
  });

  test('an Application that does not exist: a clear error at once', async () => {
    const ns = await kube.namespace('sync-argo-missing');
    await assert.rejects(
      sync({ stagePath: 'agent/web', sync: syncSpec('argocd', ns, 'nope'), sha: null }),
      syncError('failed', new RegExp(`^Application ${ns}/nope does not exist in .*\\. Create it, or correct sync\\.application$`)),
    );
  });
});

describe('sync mode flux: the test plays Flux', () => {
  test('ramp requests a reconcile and resolves once Ready=True for the current generation with lastAppliedRevision main@sha1:<sha>', async () => {
    const ns = await kube.namespace('sync-flux');
    const agent = new FakeAgent('flux', 'agent/web', ns);
    await agent.create();
    await agent.applyCommit(remote.seedCommit);
    await agent.report(agent.flux(remote.seedCommit, 'True', 1));
    // The Kustomization's spec changed since (generation 2), so a status for generation 1 is stale.
    const bumped = await kube.admin.mergePatch(agent.ref, { spec: { interval: '5m' } });
    assert.equal(bumped.metadata.generation, 2);
    const sha = await newImage('1.4.0');

    const progress: string[] = [];
    const started = Date.now();
    const syncing = track(sync({ stagePath: 'agent/web', sync: syncSpec('flux', ns), sha }, progress));
    const requestedAt = await agent.refreshRequested();
    const seenAt = Date.now();
    // An ISO timestamp of the request itself: after the sync started, before the test saw it.
    assert.ok(Date.parse(requestedAt) >= started && Date.parse(requestedAt) <= seenAt, `requestedAt is the time of the request: ${requestedAt}`);
    await agent.applyCommit(sha);
    const since = progress.length;
    await agent.report(agent.flux(sha, 'True', 1));
    await polled(
      progress,
      since,
      new RegExp(`^waiting for Kustomization ${ns}/web to apply ${short(sha)}: Ready=True \\(ReconciliationSucceeded\\), applied ${short(sha)}`),
      'Ready=True at the commit, for generation 1',
    );
    assert.equal(syncing.settledAt, null, 'a Ready=True of an older generation does not count');
    const reportedAt = Date.now();
    await agent.report(agent.flux(sha, 'True', 2));
    const outcome = await syncing.promise;

    assert.ok(syncing.settledAt! >= reportedAt);
    assert.equal(outcome.sha, sha);
    assert.equal(outcome.agent, `Kustomization ${ns}/web: Ready=True (ReconciliationSucceeded), applied ${short(sha)}: Applied revision: main@sha1:${sha}`);
    assert.deepEqual(
      outcome.workloads.map((w) => `${w.workload}: ${w.state}`),
      [`Deployment ${ns}/web: Healthy`],
    );
    assert.ok(
      progress.some((m) => m.startsWith(`waiting for Kustomization ${ns}/web to apply ${short(sha)}`)),
      progress.join('\n'),
    );
    const live = await kube.admin.get(agent.ref);
    assert.equal(field(live, 'status', 'lastHandledReconcileAt'), requestedAt, 'the status subresource holds what the fake Flux wrote');
  });

  test('Stalled at the commit: SyncError failed', async () => {
    const ns = await kube.namespace('sync-flux-stalled');
    const agent = new FakeAgent('flux', 'agent/web', ns);
    await agent.create();
    const sha = (await repository.snapshot(null)).sha;
    const syncing = sync({ stagePath: 'agent/web', sync: syncSpec('flux', ns), sha });
    await agent.refreshRequested();
    await agent.report(
      agent.flux(sha, 'False', 1, 'BuildFailed', [
        { type: 'Stalled', status: 'True', reason: 'BuildFailed', message: 'kustomization path not found', lastTransitionTime: new Date().toISOString() },
      ]),
    );
    await assert.rejects(
      syncing,
      syncError('failed', new RegExp(`^Kustomization ${ns}/web did not apply ${short(sha)}: the Kustomization is stalled: kustomization path not found$`)),
    );
  });

  test('a Kustomization that does not exist: a clear error at once', async () => {
    const ns = await kube.namespace('sync-flux-missing');
    await assert.rejects(
      sync({ stagePath: 'agent/web', sync: syncSpec('flux', ns, 'nope'), sha: null }),
      syncError('failed', new RegExp(`^Kustomization ${ns}/nope does not exist in .*\\. Create it, or correct sync\\.kustomization$`)),
    );
  });
});

interface RouterCase {
  stagePath: string;
  routing: TrafficRoutingSpec;
  /** The weights in the live objects, stable first. */
  live(ns: string): Promise<number[]>;
  /** How the sync names Git's and the cluster's parts at 30%, and at the seed's 0%. */
  git: string;
  cluster: string;
}

const ROUTERS: Record<TrafficRoutingSpec['kind'], RouterCase> = {
  gatewayAPI: {
    stagePath: 'traffic/gateway',
    routing: { kind: 'gatewayAPI', file: 'route.yaml', route: 'web', stableBackend: 'web-stable', canaryBackend: 'web-canary' },
    live: async (ns) =>
      ((field(await get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'web', ns), 'spec', 'rules', 0, 'backendRefs') ?? []) as { weight: number }[]).map(
        (b) => b.weight,
      ),
    git: 'web-stable 70, web-canary 30',
    cluster: 'web-stable 100, web-canary 0',
  },
  istio: {
    stagePath: 'traffic/istio',
    routing: { kind: 'istio', file: 'virtual-service.yaml', stable: { host: 'web', subset: 'stable' }, canary: { host: 'web', subset: 'canary' } },
    live: async (ns) =>
      ((field(await get('networking.istio.io/v1', 'VirtualService', 'web', ns), 'spec', 'http', 1, 'route') ?? []) as { weight: number }[]).map(
        (r) => r.weight,
      ),
    git: 'web/stable 70, web/canary 30',
    cluster: 'web/stable 100, web/canary 0',
  },
  smi: {
    stagePath: 'traffic/smi',
    routing: { kind: 'smi', file: 'split.yaml', stableBackend: 'web-stable', canaryBackend: 'web-canary' },
    live: async (ns) =>
      ((field(await get('split.smi-spec.io/v1alpha2', 'TrafficSplit', 'web', ns), 'spec', 'backends') ?? []) as { weight: number }[]).map((b) => b.weight),
    git: 'web-stable 70, web-canary 30',
    cluster: 'web-stable 100, web-canary 0',
  },
  replicaRatio: {
    stagePath: 'traffic/ratio',
    routing: { kind: 'replicaRatio', stableFile: 'stable.yaml', canaryFile: 'canary.yaml', path: 'spec.replicas', replicas: 10 },
    live: async (ns) =>
      Promise.all(['web-stable', 'web-canary'].map(async (name) => field(await get('apps/v1', 'Deployment', name, ns), 'spec', 'replicas') as number)),
    git: 'web-stable 7, web-canary 3',
    cluster: 'web-stable 10, web-canary 0',
  },
};

describe("traffic routers: the live weights must be Git's", { concurrency: true }, () => {
  for (const [kind, router] of Object.entries(ROUTERS)) {
    test(`${kind}: a setWeight 30 commit is live after an apply; an agent that applies an older weight ends in SyncError traffic`, async () => {
      const sha = await commit(router.stagePath, [{ kind: 'setWeight', routing: router.routing, weight: 30 }]);
      const weights = weightCheckFor(router.routing);

      // Mode apply: ramp applies the commit, and the live objects hold its weights.
      const applied = await kube.namespace(`sync-${kind.toLowerCase()}`);
      const outcome = await sync({ stagePath: router.stagePath, sync: syncSpec('apply', applied), sha, weights });
      assert.equal(outcome.sha, sha);
      assert.deepEqual(await router.live(applied), kind === 'replicaRatio' ? [7, 3] : [70, 30]);

      // Mode argocd: the agent applied the seed's weights (100/0) and, asked to refresh, says
      // Synced at the commit without applying it. The workloads are rolled out before the sync
      // starts, so that only the weights keep it from being live.
      const ns = await kube.namespace(`sync-${kind.toLowerCase()}-old`);
      const agent = new FakeAgent('argocd', router.stagePath, ns);
      await agent.create();
      await agent.applyCommit(remote.seedCommit);
      if (kind === 'replicaRatio') {
        await waitFor(
          () => get('apps/v1', 'Deployment', 'web-stable', ns),
          (d) => field(d, 'status', 'availableReplicas') === 10,
          "the seed's 10 stable replicas",
          20_000,
        );
      }
      const started = Date.now();
      const syncing = sync({ stagePath: router.stagePath, sync: syncSpec('argocd', ns), sha, weights, deadlineMs: 3_000 });
      await agent.refreshRequested();
      await agent.report(FakeAgent.argo('Synced', sha));
      await assert.rejects(
        syncing,
        syncError(
          'traffic',
          new RegExp(
            `^${short(sha)} was not live and healthy after [0-9.]+ s \\(sync\\.timeout\\): traffic: Git says ${escape(router.git)} \\(canary 30%\\), the cluster ${escape(router.cluster)} \\(canary 0%\\)$`,
          ),
        ),
      );
      assert.ok(Date.now() - started >= 3_000, 'waited until the deadline');
      assert.deepEqual(await router.live(ns), kind === 'replicaRatio' ? [10, 0] : [100, 0]);
    });
  }
});
