/**
 * The previous release of ramp's workflow code, for the upgrade test (docs/temporal.md, "Upgrading
 * ramp under running promotions"): its tree from Git (`git archive <sha>`, no worktree), bundled
 * with today's node_modules (the same @temporalio packages: the release pinned them exactly), and
 * kept in `~/.cache/ramp/bundles/<sha>.js` — a commit's bundle never changes, so later runs load it
 * in milliseconds and need no Git history. Also: what the previous release's workflows may call
 * of the activities (its `proxyActivities<T>` types), read with the TypeScript compiler.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../scripts/lib/tools.js';

/**
 * The release before this one: the end of issue 12 (there are no Git tags; see the README of
 * test/replay and docs/temporal.md). RAMP_PREVIOUS_RELEASE names another commit or tag.
 */
export const PREVIOUS_RELEASE = process.env.RAMP_PREVIOUS_RELEASE ?? 'b8c937d';

export const BUNDLE_CACHE_DIR = path.join(os.homedir(), '.cache', 'ramp', 'bundles');

/** `git` in the project's repository; rejects with its stderr. */
function git(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`git ${args.join(' ')} exited ${code}: ${err.trim()}`))));
  });
}

/** The full SHA of `rev` in the project's repository, with what to do when Git does not have it. */
export async function resolveRelease(rev: string = PREVIOUS_RELEASE): Promise<string> {
  try {
    return await git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  } catch {
    throw new Error(
      `Building the previous release's workflow bundle: commit ${rev} is not in the repository at ${PROJECT_ROOT} ` +
        '(a shallow clone?). Fetch the history (`git fetch --unshallow`), or set RAMP_PREVIOUS_RELEASE to a commit or tag that is there.',
    );
  }
}

/** `git archive <sha> | tar -x -C <into>`. */
function extract(sha: string, into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', sha], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    archive.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    archive.stdout.pipe(tar.stdin);
    let pending = 2;
    let failed = false;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(new Error(`extracting commit ${sha.slice(0, 12)} (${what} exited ${code}): ${errors.trim()}`));
      }
      if (--pending === 0 && !failed) resolve();
    };
    archive.once('error', reject);
    tar.once('error', reject);
    archive.once('close', done('git archive'));
    tar.once('close', done('tar'));
  });
}

/** The release's tree in a temporary directory with today's node_modules linked in; `remove()` when done. */
export async function releaseTree(sha: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `ramp-release-${sha.slice(0, 12)}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await extract(sha, dir);
    await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return { dir, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * The path of the release's workflow bundle (its `workflows/index.ts`, as its worker ran it),
 * built on first use and cached by commit.
 */
export async function releaseBundle(rev: string = PREVIOUS_RELEASE): Promise<{ sha: string; codePath: string; built: boolean }> {
  const cached = /^[0-9a-f]{40}$/.test(rev) ? path.join(BUNDLE_CACHE_DIR, `${rev}.js`) : null;
  if (cached && existsSync(cached)) return { sha: rev, codePath: cached, built: false };
  const sha = await resolveRelease(rev);
  const codePath = path.join(BUNDLE_CACHE_DIR, `${sha}.js`);
  if (existsSync(codePath)) return { sha, codePath, built: false };
  const tree = await releaseTree(sha);
  try {
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(tree.dir, 'workflows', 'index.ts'), logger: new DefaultLogger('WARN') });
    await mkdir(BUNDLE_CACHE_DIR, { recursive: true });
    const partial = `${codePath}.${process.pid}.partial`;
    await writeFile(partial, code);
    await rename(partial, codePath);
    return { sha, codePath, built: true };
  } finally {
    await tree.remove();
  }
}

/**
 * Every activity name the release's workflows may call: the properties of each `T` in
 * `proxyActivities<T>(…)` and `proxyLocalActivities<T>(…)` under its workflows/, resolved by
 * the TypeScript compiler over the release's own sources.
 */
export async function activitiesCalledBy(sha: string): Promise<{ names: string[]; types: string[] }> {
  const tree = await releaseTree(sha);
  try {
    const workflowsDir = path.join(tree.dir, 'workflows');
    const files = (await readdir(workflowsDir)).filter((f) => f.endsWith('.ts')).map((f) => path.join(workflowsDir, f));
    const program = ts.createProgram(files, {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    });
    const checker = program.getTypeChecker();
    const names = new Set<string>();
    const types = new Set<string>();
    for (const file of files) {
      const source = program.getSourceFile(file);
      if (!source) throw new Error(`the compiler did not load ${file}`);
      const visit = (node: ts.Node): void => {
        if (
          ts.isCallExpression(node) &&
          ts.isIdentifier(node.expression) &&
          ['proxyActivities', 'proxyLocalActivities'].includes(node.expression.text) &&
          node.typeArguments?.length === 1
        ) {
          const typeNode = node.typeArguments[0]!;
          types.add(typeNode.getText(source));
          const properties = checker.getTypeFromTypeNode(typeNode).getProperties();
          if (properties.length === 0) throw new Error(`${path.relative(tree.dir, file)}: ${typeNode.getText(source)} resolved to no activities`);
          for (const p of properties) names.add(p.name);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    return { names: [...names].sort(), types: [...types].sort() };
  } finally {
    await tree.remove();
  }
}
