// A real Kubernetes control plane on loopback, without Docker: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok (which fakes the kubelet: it keeps a fake Node
// Ready and makes pods Running/Ready). The binaries come from scripts/kube/build.sh. See docs/kube-test-cluster.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSeq, parseAllDocuments } from 'yaml';
import { freePort, isExecutable, runChecked, sleep } from './proc.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BUILD_SCRIPT = path.resolve(here, '../kube/build.sh');

export const NODE_NAME = 'kwok-node-0';
/** The user of `workerKubeconfigPath`: no groups, so it has exactly the permissions bound to it. */
export const WORKER_USER = 'ramp-worker';

/**
 * Pods whose image tag is NEVER_READY_TAG never become Ready, as if their image could not be
 * pulled: kwok's stock pod-ready stage gets one more selector. Tests use it for a release that
 * never rolls out.
 */
export const NEVER_READY_TAG = 'never-ready';

async function kwokStagesWithNeverReady(stagesFile: string, dir: string): Promise<string> {
  const docs = parseAllDocuments(await readFile(stagesFile, 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${stagesFile} is not YAML`);
  const podReady = docs.find((d) => d.getIn(['metadata', 'name']) === 'pod-ready');
  const expressions = podReady?.getIn(['spec', 'selector', 'matchExpressions']);
  if (!podReady || !isSeq(expressions)) throw new Error(`${stagesFile} has no pod-ready stage with matchExpressions`);
  expressions.add(podReady.createNode({ key: `[.spec.containers.[].image | endswith(":${NEVER_READY_TAG}")] | any`, operator: 'NotIn', values: ['true'] }));
  const out = path.join(dir, 'kwok-stages.yaml');
  await writeFile(out, docs.map((d) => d.toString()).join('---\n'));
  return out;
}

function kubeconfigFor(server: string, caFile: string, user: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: ramp-test',
    `  cluster: {server: "${server}", certificate-authority: "${caFile}"}`,
    'users:',
    `- name: ${user}`,
    `  user: {token: "${token}"}`,
    'contexts:',
    '- name: ramp-test',
    `  context: {cluster: ramp-test, user: ${user}}`,
    'current-context: ramp-test',
    '',
  ].join('\n');
}

export interface KubeBinaries {
  dir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  kwokStages: string;
  /** Renders kustomizations for ramp's `apply` sync (RAMP_KUSTOMIZE). */
  kustomize: string;
}

function binariesIn(dir: string): KubeBinaries {
  return {
    dir,
    etcd: path.join(dir, 'etcd'),
    kubeApiserver: path.join(dir, 'kube-apiserver'),
    kubeControllerManager: path.join(dir, 'kube-controller-manager'),
    kubeScheduler: path.join(dir, 'kube-scheduler'),
    kwok: path.join(dir, 'kwok'),
    kwokStages: path.join(dir, 'kwok-stages.yaml'),
    kustomize: path.join(dir, 'kustomize'),
  };
}

/**
 * Runs scripts/kube/build.sh (a no-op when everything is cached) and returns the binaries.
 * `RAMP_KUBE_BIN` points at a ready directory and skips the script.
 */
export async function ensureKubeBinaries(opts: { log?: (line: string) => void } = {}): Promise<KubeBinaries> {
  if (process.env.RAMP_KUBE_BIN) return binariesIn(process.env.RAMP_KUBE_BIN);
  // Progress as it happens: a cold build takes minutes.
  const result = await runChecked('bash', [BUILD_SCRIPT], { timeoutMs: 90 * 60_000, onStderrLine: (line) => line && opts.log?.(line) });
  const dir = result.stdout.trim().split('\n').pop() ?? '';
  const bins = binariesIn(dir);
  for (const file of [bins.etcd, bins.kubeApiserver, bins.kubeControllerManager, bins.kubeScheduler, bins.kwok, bins.kustomize]) {
    if (!(await isExecutable(file))) throw new Error(`kube build did not produce ${file}`);
  }
  return bins;
}

export interface KubeControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** Path of a kubeconfig (bearer token, system:masters). */
  kubeconfigPath: string;
  /** The binaries it runs (kustomize among them). */
  binaries: KubeBinaries;
  /** Path of a kubeconfig for the user WORKER_USER, who may do only what RBAC grants. */
  workerKubeconfigPath: string;
  kubeconfig: string;
  token: string;
  caFile: string;
  dir: string;
  /** Milliseconds from start() to each milestone. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  exitedAlready: boolean;
}

/** Minimal HTTPS client against the apiserver (for readiness and bootstrap, before client-node is needed). */
function apiRequest(server: string, ca: string, token: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(urlPath, server),
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        timeout: 5_000,
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (d: string) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, procs: Proc[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = procs.find((p) => p.exitedAlready);
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await runChecked('openssl', args, { cwd: dir, timeoutMs: 60_000 });
}

async function makePki(dir: string): Promise<void> {
  await openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3650',
    '-subj',
    '/CN=ramp-kube-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  await openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'apiserver.key', '-out', 'apiserver.csr', '-subj', '/CN=kube-apiserver']);
  await writeFile(
    path.join(dir, 'san.ext'),
    'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n' +
      'extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
  );
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    'apiserver.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'apiserver.crt',
    '-days',
    '3650',
    '-extfile',
    'san.ext',
  ]);
  await openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  await openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

export interface StartOptions {
  binaries?: KubeBinaries;
  /** Working dir (certs, logs, etcd data). Default: a fresh temp dir, removed on stop unless `keepDir`. */
  dir?: string;
  keepDir?: boolean;
  /** Forwarded progress lines. */
  log?: (line: string) => void;
  /** Overall readiness timeout per component, ms. Default 120 s. */
  timeoutMs?: number;
}

/** Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok, plus one fake Ready node. */
export async function startKubeControlPlane(opts: StartOptions = {}): Promise<KubeControlPlane> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (name: string) => {
    timings[name] = Date.now() - t0;
    opts.log?.(`${name} (+${timings[name]} ms)`);
  };
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const bins = opts.binaries ?? (await ensureKubeBinaries({ log: opts.log }));
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'ramp-kube-')));
  await mkdir(dir, { recursive: true });
  const procs: Proc[] = [];
  // If this process exits without stop() (crash, process.exit), take the children down with it.
  const killOnExit = () => {
    for (const p of procs) if (!p.exitedAlready) p.child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const startProc = (name: string, file: string, args: string[]): Proc => {
    const out = createWriteStream(path.join(dir, `${name}.log`));
    const child = spawn(file, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    const proc: Proc = {
      name,
      child,
      exitedAlready: false,
      exited: new Promise((resolve) => {
        child.on('error', () => undefined);
        child.on('close', () => {
          proc.exitedAlready = true;
          out.end();
          resolve();
        });
      }),
    };
    procs.push(proc);
    return proc;
  };

  let stopped: Promise<void> | undefined;
  const stopAll = (): Promise<void> => (stopped ??= stopAllOnce());
  const stopAllOnce = async (): Promise<void> => {
    // Reverse order: kwok, scheduler, KCM, apiserver, etcd.
    for (const p of [...procs].reverse()) {
      if (p.exitedAlready) continue;
      p.child.kill('SIGTERM');
      const killed = await Promise.race([p.exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    process.off('exit', killOnExit);
    if (!opts.keepDir && opts.dir === undefined) await rm(dir, { recursive: true, force: true });
  };

  try {
    await makePki(dir);
    const token = (await runChecked('openssl', ['rand', '-hex', '24'])).stdout.trim();
    const workerToken = (await runChecked('openssl', ['rand', '-hex', '24'])).stdout.trim();
    // admin can do anything; WORKER_USER can do only what RBAC grants it (nothing until bound).
    await writeFile(path.join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n${workerToken},${WORKER_USER},${WORKER_USER}-uid\n`);
    const caFile = path.join(dir, 'ca.crt');
    const ca = await readFile(caFile, 'utf8');
    mark('pki');

    const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = kubeconfigFor(server, caFile, 'admin', token);
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
    const workerKubeconfigPath = path.join(dir, 'kubeconfig-worker');
    await writeFile(workerKubeconfigPath, kubeconfigFor(server, caFile, WORKER_USER, workerToken), { mode: 0o600 });

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    startProc('etcd', bins.etcd, [
      '--name=ramp',
      `--data-dir=${path.join(dir, 'etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=ramp=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor(
      'etcd /health',
      async () => {
        const res = await fetch(`${etcdUrl}/health`);
        return res.ok;
      },
      timeoutMs,
      procs,
    );
    mark('etcd ready');

    startProc('kube-apiserver', bins.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${path.join(dir, 'apiserver.crt')}`,
      `--tls-private-key-file=${path.join(dir, 'apiserver.key')}`,
      `--client-ca-file=${caFile}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--endpoint-reconciler-type=none',
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      '--profiling=false',
      '--v=1',
    ]);
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        const res = await apiRequest(server, ca, token, 'GET', '/readyz');
        return res.status === 200;
      },
      timeoutMs,
      procs,
    );
    mark('kube-apiserver ready');

    startProc('kube-controller-manager', bins.kubeControllerManager, [
      `--kubeconfig=${kubeconfigPath}`,
      '--leader-elect=false',
      '--secure-port=0',
      `--service-account-private-key-file=${path.join(dir, 'sa.key')}`,
      `--root-ca-file=${caFile}`,
      '--use-service-account-credentials=false',
      '--v=1',
    ]);
    startProc('kube-scheduler', bins.kubeScheduler, [`--kubeconfig=${kubeconfigPath}`, '--leader-elect=false', '--secure-port=0', '--v=1']);
    startProc('kwok', bins.kwok, [
      `--kubeconfig=${kubeconfigPath}`,
      `--config=${await kwokStagesWithNeverReady(bins.kwokStages, dir)}`,
      '--manage-all-nodes=true',
      '--cidr=10.244.0.0/16',
      '--node-lease-duration-seconds=40',
    ]);

    const created = await apiRequest(server, ca, token, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: NODE_NAME,
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
        labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
      },
      status: {
        allocatable: { cpu: '64', memory: '256Gi', pods: '1000' },
        capacity: { cpu: '64', memory: '256Gi', pods: '1000' },
      },
    });
    if (created.status !== 201) throw new Error(`creating node ${NODE_NAME}: HTTP ${created.status} ${created.body}`);
    await waitFor(
      `node ${NODE_NAME} Ready`,
      async () => {
        const res = await apiRequest(server, ca, token, 'GET', `/api/v1/nodes/${NODE_NAME}`);
        if (res.status !== 200) return false;
        const node = JSON.parse(res.body) as { status?: { conditions?: { type: string; status: string }[] } };
        return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      },
      timeoutMs,
      procs,
    );
    mark('node ready');

    return { server, kubeconfigPath, kubeconfig, workerKubeconfigPath, token, caFile, dir, binaries: bins, timings, stop: stopAll };
  } catch (err) {
    const logs: string[] = [];
    for (const p of procs) {
      const text = await readFile(path.join(dir, `${p.name}.log`), 'utf8').catch(() => '');
      logs.push(`--- ${p.name}.log (tail)\n${text.trim().split('\n').slice(-25).join('\n')}`);
    }
    const keep = opts.keepDir;
    await stopAll();
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}${keep ? `\n(dir kept: ${dir})` : ''}`, { cause: err });
  }
}
