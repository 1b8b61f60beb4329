/**
 * The README's "Verified people: ramp server" block, run verbatim line by line as a user types it
 * in a shell: `export` sets the shell's variables (with `$ISSUER` expanded), `VAR=value` before a
 * command sets it for that command, `&` leaves a process running, and `npx ramp …` is this
 * checkout's `ramp` run from a scratch directory (so `.ramp/keys` lands there). What the user's
 * shell already has is the test's: Temporal's address, a task queue, the pipelines directory
 * (a `web` on a real GitOps remote), `$ISSUER` (a real OpenID Provider) and its resource.
 * `ramp login` prints a URL and a code; the test signs in on the provider's page as the person
 * at the keyboard — alice, who promotes, then bob, who approves in his own shell.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { RAMP_RESOURCE, startOidcProvider, type TestOidcProvider, type TestUserName } from '../harness/oidc.js';
import { killOnExit } from '../harness/reaper.js';
import { getTestEnv } from '../harness/temporal.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';
import { pipelineYaml } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/ramp.js');

/** The block's lines (comments and blank lines dropped). */
async function readmeBlock(): Promise<string[]> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const block = /^## Verified people: ramp server\n[\s\S]*?```bash\n([\s\S]*?)```/m.exec(readme)?.[1];
  assert.ok(block, 'README.md has a "Verified people: ramp server" section with a bash block');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** Words of a line: quotes group, `$NAME` expands from `vars`. */
function words(line: string, vars: Record<string, string>): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) =>
    (m[1] ?? m[2] ?? m[3]!).replace(/\$([A-Z_]+)/g, (_, name: string) => {
      assert.ok(vars[name] !== undefined, `the README uses $${name}, which the shell does not have`);
      return vars[name];
    }),
  );
}

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

let env: TestWorkflowEnvironment;
let provider: TestOidcProvider;
let remote: GitOpsRemote;
let scratch: string;
const running: Proc[] = [];

before(async () => {
  env = await getTestEnv();
  provider = await startOidcProvider();
  remote = await createGitOpsRemote();
  scratch = await mkdtemp(path.join(tmpdir(), 'ramp-readme-server-'));
  await writeFile(
    path.join(scratch, 'web.yaml'),
    pipelineYaml({
      name: 'web',
      url: remote.remoteUrl,
      stages: { preview: {}, production: { with: ['approval: { approvers: ["group:sre"] }'] } },
    }),
  );
});

after(async () => {
  for (const proc of running) if (proc.child.exitCode === null) proc.child.kill('SIGTERM');
  await Promise.all(running.map((p) => p.exited));
  await provider?.stop();
  await remote?.cleanup();
  await env?.teardown();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test("the README's ramp server block, verbatim: a verified release manager promotes, another verified person approves", { timeout: 600_000 }, async () => {
  const lines = await readmeBlock();
  assert.ok(lines.length >= 8, `found ${lines.length} lines in the README's block`);
  // What the user's shell has before the first line.
  const shell: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: scratch,
    TEMPORAL_ADDRESS: env.address,
    RAMP_TASK_QUEUE: `readme-server-${process.pid}`,
    RAMP_PIPELINES_DIR: scratch,
    RAMP_CACHE_DIR: path.join(scratch, 'cache'),
    RAMP_OIDC_RESOURCE: RAMP_RESOURCE,
    ISSUER: provider.issuer,
  };
  /** Each person's shell: their own config directory (ramp login's credentials). */
  const as = (user: TestUserName) => ({ ...shell, XDG_CONFIG_HOME: path.join(scratch, `config-${user}`) });
  let person: TestUserName = 'alice';

  const run = (args: string[], vars: Record<string, string>): Proc => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: scratch, env: vars, stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(child);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const proc = { child, out: () => out, exited: new Promise<number | null>((resolve) => child.once('close', resolve)) };
    running.push(proc);
    return proc;
  };
  const finished = async (proc: Proc, line: string): Promise<string> => {
    const code = await proc.exited;
    assert.equal(code, 0, `${line}\n${proc.out()}`);
    return proc.out();
  };

  /** `ramp login`: the URL and code it prints, signed in on the provider's page as the person at the keyboard. */
  const signIn = async (proc: Proc, line: string): Promise<string> => {
    const printed = await waitFor(
      () => Promise.resolve(proc.out()),
      (o) => /enter the code \S+/.test(o) || proc.child.exitCode !== null,
      'ramp login to print the URL and the code',
      60_000,
    );
    const found = /open (\S+)\nand enter the code (\S+)/.exec(printed);
    assert.ok(found, `${line}:\n${printed}`);
    await provider.completeDeviceLogin({ verificationUri: found[1]!, userCode: found[2]! }, person);
    return finished(proc, line);
  };

  const outputs = new Map<string, string>();
  for (const line of lines) {
    const vars = as(person);
    if (line.startsWith('export ')) {
      for (const assignment of words(line.slice('export '.length), shell)) {
        const [name, ...value] = assignment.split('=');
        shell[name!] = value.join('=');
      }
      continue;
    }
    const parts = words(line, vars);
    const background = parts.at(-1) === '&';
    if (background) parts.pop();
    const local: Record<string, string> = {};
    while (/^[A-Z_]+=/.test(parts[0] ?? '')) {
      const [name, ...value] = parts.shift()!.split('=');
      local[name!] = value.join('=');
    }
    assert.deepEqual(parts.slice(0, 2), ['npx', 'ramp'], `every command of the block is npx ramp: ${line}`);
    const args = parts.slice(2);
    if (args[0] === 'approve') {
      // Someone else approves, in their own shell, logged in as themselves with the block's login line.
      person = 'bob';
      const login = lines.find((l) => l.startsWith('npx ramp login'))!;
      await signIn(run(words(login, as(person)).slice(2), as(person)), login);
      // An approval needs the gate to be waiting.
      await waitFor(
        async () => JSON.parse(await finished(run(['status', 'web@1.4.2', '--json'], as(person)), 'status')) as { activeStage: { phase: string } | null },
        (snapshot) => snapshot.activeStage?.phase === 'AwaitingApproval',
        'production to wait for its approval',
        120_000,
      );
    }
    const proc = run(args, { ...as(person), ...local });
    if (background) {
      // A server or worker: running once it says so.
      const ready = args[0] === 'server' ? /"msg":"listening"/ : /worker started/;
      await waitFor(
        () => Promise.resolve(proc.child.exitCode === null ? proc.out() : `exited ${proc.child.exitCode}: ${proc.out()}`),
        (o) => ready.test(o) || o.startsWith('exited'),
        `${line} to start`,
        120_000,
      );
      assert.equal(proc.child.exitCode, null, `${line} exited:\n${proc.out()}`);
      continue;
    }
    if (args[0] === 'login') {
      outputs.set('login', await signIn(proc, line));
      continue;
    }
    outputs.set(args[0]!, await finished(proc, line));
  }

  assert.match(outputs.get('login') ?? '', /Logged in to .* as Alice Archer/);
  assert.match(outputs.get('promote') ?? '', /^started web@1\.4\.2: promotion preview → production/m);
  assert.match(outputs.get('approve') ?? '', /^Bob Baker approved the gate approval \(1\/1\): dashboards green$/m);
  // The promotion reaches production, and its record names verified people.
  const done = await waitFor(
    async () =>
      JSON.parse(await finished(run(['status', 'web@1.4.2', '--json'], as('bob')), 'status')) as {
        promotion: { phase: string; requester?: { subject: string; method: string } };
      },
    (s) => s.promotion.phase !== 'Running',
    'the promotion to finish',
    120_000,
  );
  assert.equal(done.promotion.phase, 'Succeeded');
  assert.deepEqual(done.promotion.requester && [done.promotion.requester.subject, done.promotion.requester.method], ['alice', 'oidc']);
});
