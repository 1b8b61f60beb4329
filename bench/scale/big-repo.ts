/**
 * A large GitOps repository for the `repo` part, made fast with `git fast-import`: the example
 * layout (examples/gitops) plus filler manifests up to `files` files, in a first commit, then
 * one-file edits up to `commits` commits. Cached as a bare repository under
 * ~/.cache/ramp/bench/ keyed by its size, made once (a minute or so) and copied per run.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXAMPLE_GITOPS_DIR } from '../../dev/seed-repository.js';
import { runChecked } from '../../scripts/lib/proc.js';

export const BENCH_CACHE = path.join(os.homedir(), '.cache', 'ramp', 'bench');

async function exampleFiles(dir = EXAMPLE_GITOPS_DIR, prefix = ''): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...(await exampleFiles(path.join(dir, entry.name), `${rel}/`)));
    else out.push([rel, await readFile(path.join(dir, entry.name), 'utf8')]);
  }
  return out;
}

/** Filler file `i`: one ConfigMap of 200 apps × 100 files. */
const fillerPath = (i: number) => `apps/app-${String(Math.floor(i / 100)).padStart(4, '0')}/config-${String(i % 100).padStart(3, '0')}.yaml`;
const filler = (i: number, revision: number) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}\ndata:\n  revision: "${revision}"\n  note: filler of the scale bench, file ${i}\n`;

/** The fast-import stream: the first commit with every file, then one edit per commit. */
function* stream(examples: [string, string][], files: number, commits: number): Generator<string> {
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const t = 1_700_000_000;
  const head = (k: number, message: string) => `commit refs/heads/main\ncommitter bench <bench@ramp.invalid> ${t + k * 60} +0000\n${data(message)}`;
  const fillers = Math.max(0, files - examples.length);
  let chunk = head(0, `Seed ${files} files`);
  for (const [file, text] of examples) chunk += `M 100644 inline ${file}\n${data(text)}`;
  yield chunk;
  for (let i = 0; i < fillers; i += 1000) {
    chunk = '';
    for (let j = i; j < Math.min(fillers, i + 1000); j++) chunk += `M 100644 inline ${fillerPath(j)}\n${data(filler(j, 0))}`;
    yield chunk;
  }
  for (let k = 1; k < commits; k++) {
    const j = (k * 7919) % Math.max(1, fillers);
    yield `${head(k, `Edit app ${j}`)}M 100644 inline ${fillerPath(j)}\n${data(filler(j, k))}`;
  }
}

/** The cached bare repository of `files` files and `commits` commits, made now if missing. */
export async function bigRepository(files: number, commits: number, say: (line: string) => void): Promise<string> {
  const target = path.join(BENCH_CACHE, `gitops-${files}f-${commits}c.git`);
  if (
    await stat(path.join(target, 'HEAD')).then(
      () => true,
      () => false,
    )
  )
    return target;
  const temp = `${target}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await runChecked('git', ['init', '--bare', '--initial-branch=main', temp]);
  say(`making a repository of ${files} files and ${commits} commits with git fast-import (cached in ${target}) ... `);
  const examples = await exampleFiles();
  const child = spawn('git', ['fast-import', '--quiet'], { cwd: temp, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
  for (const chunk of stream(examples, files, commits)) {
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`git fast-import failed (exit ${code}) making ${temp}: ${stderr.trim()}`);
  await runChecked('git', ['gc', '--quiet'], { cwd: temp, timeoutMs: 600_000 });
  await rename(temp, target);
  say('done\n');
  return target;
}
