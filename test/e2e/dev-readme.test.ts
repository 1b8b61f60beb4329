/**
 * The README's "Promote from the command line", run verbatim next to a running dev stack, as a
 * user does it in a second terminal: `ramp dev --keep --no-demo` (the stack `npm start` leaves
 * running, without its demo) as a process, then the README's promote, status, approve, resume
 * and history commands as processes (`npx ramp …`, parsed from README.md). A version nobody set
 * up (the README's 1.4.2) gets traffic from the demo app, passes both analyses, and ends up
 * stable in production.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { simpleGit } from 'simple-git';
import { killOnExit } from '../harness/reaper.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEV_MAIN = path.join(ROOT, 'dev/main.ts');
const DEADLINE_MS = 240_000;

/** The `npx ramp …` lines of the README's "Promote from the command line" block, as argument lists. */
async function readmeCommands(): Promise<Map<string, string[]>> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const section = /^## Promote from the command line\n+```bash\n([\s\S]*?)```/m.exec(readme)?.[1];
  assert.ok(section, 'README.md has a "Promote from the command line" section with a bash block');
  const commands = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const words = shellWords(line);
    if (words[0] !== 'npx' || words[1] !== 'ramp') continue;
    commands.set(words[2]!, words.slice(1));
  }
  return commands;
}

/** The commands of a README section's first bash block, one per line, comments and blank lines dropped. */
async function readmeBlock(heading: string): Promise<string[]> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const block = new RegExp(`^## ${heading}\\n[\\s\\S]*?\`\`\`bash\\n([\\s\\S]*?)\`\`\``, 'm').exec(readme)?.[1];
  assert.ok(block, `README.md has a "${heading}" section with a bash block`);
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#[^"']*$/, '').trim())
    .filter((line) => line !== '');
}

/** A command line's words: quotes group, `#` outside quotes starts a comment, `&` at the end is dropped. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(#.*$)|([^\s"'#]+)/g)) {
    if (m[3] !== undefined) break;
    words.push(m[1] ?? m[2] ?? m[4]!);
  }
  return words.at(-1) === '&' ? words.slice(0, -1) : words;
}

/** A running process whose output the test reads as it comes. */
interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** Waits until `proc` printed something matching `pattern` (or fails, showing what it printed). */
async function waitForOutput(proc: Proc, pattern: RegExp, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!pattern.test(proc.out())) {
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      assert.fail(
        `${what}: not seen (${proc.child.exitCode === null ? 'deadline' : `exited ${proc.child.exitCode}`}).\nstdout:\n${proc.out()}\nstderr:\n${proc.err()}`,
      );
    }
    await sleep(250);
  }
}

async function finished(proc: Proc, what: string): Promise<number | null> {
  const timeout = sleep(DEADLINE_MS, undefined, { ref: false }).then(() => 'deadline' as const);
  const code = await Promise.race([proc.exited, timeout]);
  if (code === 'deadline') assert.fail(`${what} did not end.\nstdout:\n${proc.out()}\nstderr:\n${proc.err()}`);
  return code;
}

test("the README's promote, status, approve and resume, verbatim next to ramp dev, promote a new version to production", { timeout: 600_000 }, async () => {
  const commands = await readmeCommands();
  for (const name of ['promote', 'status', 'approve', 'resume', 'history']) assert.ok(commands.has(name), `the README shows npx ramp ${name}`);
  const promote = commands.get('promote')!;
  const version = promote[3]!;
  const id = `web@${version}`;
  assert.deepEqual(promote.slice(1, 3), ['promote', 'web'], 'the README promotes web');

  const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-dev-readme-'));
  // What a user's shell has: no Temporal address or pipelines directory of its own. RAMP_DEV_DIR
  // points the CLI at this stack as .ramp/dev (ramp dev's default) would.
  const env: NodeJS.ProcessEnv = { ...process.env, RAMP_DEV_DIR: dir, NO_COLOR: '1' };
  for (const name of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'RAMP_TASK_QUEUE', 'RAMP_PIPELINES_DIR']) delete env[name];
  const dev = start(process.execPath, ['--import', 'tsx', DEV_MAIN, '--keep', '--no-demo', '--dir', dir], env);
  try {
    await waitForOutput(dev, /^ramp dev: ready\./m, 'ramp dev is ready');

    const npx = (args: string[]) => start('npx', args, env);
    const following = npx(promote);
    await waitForOutput(following, new RegExp(`^started ${id}: promotion preview → staging → production`, 'm'), 'the promotion started');
    assert.match(
      following.err(),
      /^ramp: talking to the dev stack \(ramp dev, pid \d+, Temporal at [\d.:]+, \S+stack\.json\)\nramp: pipeline web is \S+\/pipelines\/web\.yaml \(examples\/demo\.yaml on its local GitOps repository\)/m,
    );
    const watching = npx(commands.get('status')!);

    await waitForOutput(following, new RegExp(`To approve: ramp approve ${id} --stage production`), 'production waits for an approval');
    const approve = npx(commands.get('approve')!);
    assert.equal(await finished(approve, 'approve'), 0, approve.err());
    assert.match(approve.err(), /^ramp: talking to the dev stack \(ramp dev, pid \d+/);
    assert.match(approve.out(), /alice approved/);

    await waitForOutput(following, new RegExp(`paused at step \\d+ until resumed\\. To resume: ramp resume ${id}`), 'production pauses for a person');
    const resume = npx(commands.get('resume')!);
    assert.equal(await finished(resume, 'resume'), 0, resume.err());

    assert.equal(await finished(following, 'promote --wait'), 0, `${following.out()}\n${following.err()}`);
    assert.match(following.out(), new RegExp(`^promotion ${id} Succeeded: ${version.replaceAll('.', '\\.')} is stable in preview, staging, production$`, 'm'));
    assert.match(following.out(), /staging +analysis: step 2: analysis error-rate: Successful/);
    assert.match(following.out(), /production +analysis: step 2: analysis error-rate: Successful/);
    assert.equal(await finished(watching, 'status --watch'), 0, watching.err());
    assert.match(watching.out(), /Succeeded/);

    const stable = await simpleGit(path.join(dir, 'gitops.git')).show([`main:envs/production/stable.yaml`]);
    assert.match(stable, new RegExp(`image: web:${version.replaceAll('.', '\\.')}\\b`), 'production runs the new version, as Git says');

    const history = npx(commands.get('history')!);
    assert.equal(await finished(history, 'history'), 0, history.err());
    assert.match(history.out(), new RegExp(`${version.replaceAll('.', '\\.')}.*alice`), 'the history shows who approved it');

    // "See the delivery": its lines run verbatim in a shell (the source commit is this checkout's HEAD).
    const [promoteWithSource, dora] = await readmeBlock('See the delivery');
    assert.match(promoteWithSource ?? '', /^npx ramp promote web \S+ --source-commit "\$\(git rev-parse HEAD\)"/);
    assert.match(dora ?? '', /^npx ramp dora web/);
    const started = start('bash', ['-c', promoteWithSource!], env);
    assert.equal(await finished(started, 'promote --source-commit'), 0, started.err());
    assert.match(started.out(), /^started web@\S+: promotion preview → staging → production/m);
    assert.doesNotMatch(started.err(), /could not read the time/, 'the checkout holds its HEAD: the source time is read');
    const figures = start('bash', ['-c', dora!], env);
    assert.equal(await finished(figures, 'dora'), 0, figures.err());
    assert.match(figures.out(), /^web\/production, /m);
    assert.match(figures.out(), /Deployment frequency .* 1 deployment/, `${version} is the one deployment in production:\n${figures.out()}`);
    assert.match(figures.out(), new RegExp(`^${version.replaceAll('.', '\\.')} +web@${version.replaceAll('.', '\\.')} .* deployed$`, 'm'));
  } finally {
    dev.child.kill('SIGTERM');
    await finished(dev, 'ramp dev after SIGTERM');
    const stackFile = await access(path.join(dir, 'stack.json')).then(
      () => true,
      () => false,
    );
    await rm(dir, { recursive: true, force: true });
    assert.equal(stackFile, false, 'ramp dev removes its state file when it stops');
  }
});
