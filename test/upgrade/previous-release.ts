/**
 * Earlier releases of ramp's workflow code, for the upgrade test (docs/temporal.md, "Upgrading
 * ramp under running promotions").
 *
 * A release is KEPT in `test/upgrade/releases/`: `<version>.json` (its commit, and what its
 * workflows call of the activities: the properties of their `proxyActivities<T>` types, read with
 * the TypeScript compiler) and `<version>.workflows.js.gz` (its workflow bundle, as its worker
 * ran it, without the inline source map). Kept files need no Git history: CI's checkout may be
 * shallow. `keep-release.ts` writes them from Git when a release is cut.
 *
 * Building from Git (`git archive <sha>`, no worktree, bundled with today's node_modules: the
 * release pinned the same @temporalio packages exactly) is what keeping does, and what
 * `RAMP_PREVIOUS_RELEASE=<commit or tag>` asks for instead of the kept releases.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import ts from 'typescript';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../scripts/lib/tools.js';

/** A commit or tag to build from Git and test instead of the kept releases. */
export const RELEASE_FROM_GIT = process.env.RAMP_PREVIOUS_RELEASE;

export const RELEASES_DIR = path.join(PROJECT_ROOT, 'test', 'upgrade', 'releases');

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
export async function resolveRelease(rev: string): Promise<string> {
  try {
    return await git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  } catch {
    throw new Error(
      `Building the previous release's workflow bundle: commit ${rev} is not in the repository at ${PROJECT_ROOT} ` +
        '(a shallow clone?). Fetch the history (`git fetch --unshallow`), or name a commit or tag that is there.',
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

/** The release's workflow bundle (its `workflows/index.ts`, as its worker ran it), built from Git. */
async function bundleFromGit(sha: string): Promise<string> {
  const tree = await releaseTree(sha);
  try {
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(tree.dir, 'workflows', 'index.ts'), logger: new DefaultLogger('WARN') });
    return code;
  } finally {
    await tree.remove();
  }
}

/** Writes `content` to `file` through a temporary name, so that a crash leaves no half file. */
async function writeWhole(file: string, content: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, content);
  await rename(partial, file);
}

/**
 * The bundle with an empty inline source map instead of its own (three quarters of its size):
 * the Worker requires one, and stack traces then name bundle lines instead of sources.
 */
export function withoutSourceMap(code: string): string {
  const at = code.lastIndexOf('//# sourceMappingURL=data:');
  if (at < 0) throw new Error('keeping a workflow bundle: it has no inline source map (did bundleWorkflowCode change?)');
  const empty = Buffer.from(JSON.stringify({ version: 3, sources: [], names: [], mappings: '' })).toString('base64');
  return `${code.slice(0, at)}//# sourceMappingURL=data:application/json;base64,${empty}\n`;
}

/** What the upgrade test runs: a release's commit, its workflow bundle on disk, and the activities its workflows call. */
export interface ReleaseUnderTest {
  /** The version it was kept as (`v0.12.0`), or the Git revision it was built from. */
  name: string;
  sha: string;
  codePath: string;
  activities: ActivitiesCalled;
}

export interface ActivitiesCalled {
  names: string[];
  types: string[];
}

/** `test/upgrade/releases/<version>.json`. */
export interface KeptRelease {
  version: string;
  commit: string;
  activities: ActivitiesCalled;
}

/** The kept releases, oldest version first. */
export async function keptReleases(): Promise<KeptRelease[]> {
  const files = (await readdir(RELEASES_DIR)).filter((f) => f.endsWith('.json'));
  const releases = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(RELEASES_DIR, f), 'utf8')) as KeptRelease));
  return releases.sort((a, b) => a.version.localeCompare(b.version, 'en', { numeric: true }));
}

/** A kept release's bundle, unzipped into the bundle cache on first use. */
export async function keptRelease(release: KeptRelease): Promise<ReleaseUnderTest> {
  const codePath = path.join(BUNDLE_CACHE_DIR, `${release.commit}.kept.js`);
  if (!existsSync(codePath)) {
    const zipped = path.join(RELEASES_DIR, `${release.version}.workflows.js.gz`);
    await writeWhole(codePath, gunzipSync(await readFile(zipped)));
  }
  return { name: release.version, sha: release.commit, codePath, activities: release.activities };
}

/** A release built from Git (with its source map), cached by commit: a commit's bundle never changes. */
export async function releaseFromGit(rev: string): Promise<ReleaseUnderTest> {
  const sha = await resolveRelease(rev);
  const codePath = path.join(BUNDLE_CACHE_DIR, `${sha}.js`);
  if (!existsSync(codePath)) await writeWhole(codePath, await bundleFromGit(sha));
  return { name: rev, sha, codePath, activities: await activitiesCalledBy(sha) };
}

/** What the upgrade test runs against: `RAMP_PREVIOUS_RELEASE` built from Git, or every kept release. */
export async function releasesUnderTest(): Promise<ReleaseUnderTest[]> {
  if (RELEASE_FROM_GIT) return [await releaseFromGit(RELEASE_FROM_GIT)];
  const kept = await keptReleases();
  if (kept.length === 0) throw new Error(`no release is kept in ${RELEASES_DIR}: keep the previous one with test/upgrade/keep-release.ts`);
  return Promise.all(kept.map(keptRelease));
}

/** Keeps a release: its bundle (no source map, gzipped) and what its workflows call, from Git. */
export async function keepRelease(version: string, rev: string): Promise<{ file: string; bytes: number }> {
  if (!/^v\d+\.\d+\.\d+$/.test(version)) throw new Error(`keeping a release: the version must look like v1.2.3 (got ${JSON.stringify(version)})`);
  const sha = await resolveRelease(rev);
  const zipped = gzipSync(withoutSourceMap(await bundleFromGit(sha)), { level: 9 });
  const file = path.join(RELEASES_DIR, `${version}.workflows.js.gz`);
  await writeWhole(file, zipped);
  const kept: KeptRelease = { version, commit: sha, activities: await activitiesCalledBy(sha) };
  await writeWhole(path.join(RELEASES_DIR, `${version}.json`), `${JSON.stringify(kept, null, 2)}\n`);
  return { file, bytes: zipped.length };
}

/**
 * Every activity name the release's workflows may call: the properties of each `T` in
 * `proxyActivities<T>(…)` and `proxyLocalActivities<T>(…)` under its workflows/, resolved by
 * the TypeScript compiler over the release's own sources.
 */
export async function activitiesCalledBy(sha: string): Promise<ActivitiesCalled> {
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
