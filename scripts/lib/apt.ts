// Installing Debian packages for the local stack, as root, without leaving services running.
import { readdir, readlink, rm, writeFile, access } from 'node:fs/promises';
import { run, runChecked, findOnPath, sleep } from './proc.js';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export async function canUseApt(): Promise<boolean> {
  return isRoot() && (await findOnPath('apt-get')) !== undefined;
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * Debian maintainer scripts start services through invoke-rc.d / deb-systemd-invoke, which both
 * obey /usr/sbin/policy-rc.d: exit code 101 means "not allowed". We install a deny-all policy for
 * the duration of the install (only if none exists), so that e.g. prometheus' postinst cannot
 * leave a daemon on port 9090 behind.
 */
async function denyServiceStarts(): Promise<() => Promise<void>> {
  try {
    await access(POLICY_RC_D);
    return async () => {}; // someone else's policy: leave it alone
  } catch {
    await writeFile(POLICY_RC_D, '#!/bin/sh\n# written by ramp scripts/lib/apt.ts during apt-get install\nexit 101\n', {
      mode: 0o755,
    });
    return () => rm(POLICY_RC_D, { force: true });
  }
}

/** PIDs of running processes whose executable is one of `exes` (Linux /proc; empty elsewhere). */
export async function pidsRunning(exes: readonly string[]): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const exe = (await readlink(`/proc/${entry}/exe`)).replace(/ \(deleted\)$/, '');
      if (exes.includes(exe)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

export interface AptInstallOptions {
  /** Executables the packages ship; any process of theirs that appears during the install is stopped. */
  watchExecutables?: readonly string[];
  log?: (line: string) => void;
}

/** `apt-get install -y --no-install-recommends <packages>`, running `apt-get update` first only if needed. */
export async function aptInstall(packages: readonly string[], options: AptInstallOptions = {}): Promise<void> {
  const log = options.log ?? (() => {});
  if (!(await canUseApt())) {
    throw new Error(`installing ${packages.join(', ')} needs apt-get as root`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'a' };
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  const install = ['install', '-y', '-q', '--no-install-recommends', ...lock, ...packages];
  const watch = options.watchExecutables ?? [];
  const before = new Set(await pidsRunning(watch));
  const restorePolicy = await denyServiceStarts();
  try {
    log(`apt-get install ${packages.join(' ')} ...`);
    const first = await run('apt-get', install, { env });
    if (first.code !== 0) {
      log('apt-get install failed; running apt-get update and trying again');
      await runChecked('apt-get', ['update', '-q', ...lock], { env });
      await runChecked('apt-get', install, { env });
    }
  } finally {
    await restorePolicy();
  }
  // Belt and braces: a maintainer script that ignored policy-rc.d may still have started a daemon.
  const started = (await pidsRunning(watch)).filter((pid) => !before.has(pid));
  for (const pid of started) {
    log(`stopping process ${pid} started by the package's maintainer scripts`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (started.length > 0) {
    await sleep(1000);
    for (const pid of await pidsRunning(watch)) {
      if (started.includes(pid)) process.kill(pid, 'SIGKILL');
    }
  }
}
