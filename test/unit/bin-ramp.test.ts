// bin/ramp.js, the `ramp` command, as a real process in a package laid out in a temp dir: it runs
// the compiled CLI when the build is current, the sources through tsx (saying why) when they
// changed after the build or there is none, and stops with advice when it can do neither (an
// installed package, which has no sources, never falls back to tsx).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The process's exit code and output; never throws for a non-zero exit. */
async function ramp(pkg: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(pkg, 'bin/ramp.js'), ...args], { cwd: pkg });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A package with bin/ramp.js; a compiled and a source CLI that each say which they are. */
async function layout(dir: string, { build, sources, tsx }: { build: boolean; sources: boolean; tsx: boolean }): Promise<string> {
  const entry = (which: string) => `export async function runFromProcess() { process.stdout.write('${which} ' + process.argv.slice(2).join(' ') + '\\n'); }\n`;
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await copyFile(path.join(ROOT, 'bin/ramp.js'), path.join(dir, 'bin/ramp.js'));
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  const past = new Date(Date.now() - 3_600_000);
  if (sources) {
    await mkdir(path.join(dir, 'cli'), { recursive: true });
    await writeFile(path.join(dir, 'cli/main.ts'), entry('sources'));
    await utimes(path.join(dir, 'cli/main.ts'), past, past);
  }
  if (build) {
    await mkdir(path.join(dir, 'dist/cli/bundle'), { recursive: true });
    await writeFile(path.join(dir, 'dist/cli/bundle/ramp.js'), entry('compiled'));
  }
  if (tsx) await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe('bin/ramp.js', () => {
  let tmp: string;
  before(async () => (tmp = await mkdtemp(path.join(os.tmpdir(), 'ramp-bin-'))));
  after(async () => rm(tmp, { recursive: true, force: true }));

  test('a current build: the compiled CLI, silently, with the arguments', async () => {
    const pkg = await layout(path.join(tmp, 'current'), { build: true, sources: true, tsx: true });
    assert.deepEqual(await ramp(pkg, 'status', '--help'), { code: 0, stdout: 'compiled status --help\n', stderr: '' });
  });

  test('an installed package (no sources, no tsx): the compiled CLI', async () => {
    const pkg = await layout(path.join(tmp, 'installed'), { build: true, sources: false, tsx: false });
    assert.deepEqual(await ramp(pkg, 'list'), { code: 0, stdout: 'compiled list\n', stderr: '' });
  });

  test('an installed package without a build: exit 1, never tsx, even where tsx is reachable', async () => {
    const pkg = await layout(path.join(tmp, 'packed-unbuilt'), { build: false, sources: false, tsx: true });
    const run = await ramp(pkg, 'list');
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      /^ramp: cannot start: the package at .*packed-unbuilt.* has no build \(.*dist\/cli\/bundle\/ramp\.js is missing\)\. It was packed without `npm run build`: reinstall ramp from a package that `npm pack` built\.\n$/,
    );
    assert.doesNotMatch(run.stderr, /tsx/);
  });

  test('a source changed after the build: the sources through tsx, and why', async () => {
    const pkg = await layout(path.join(tmp, 'stale'), { build: true, sources: true, tsx: true });
    const edited = new Date(Date.now() + 60_000);
    await utimes(path.join(pkg, 'cli/main.ts'), edited, edited);
    const run = await ramp(pkg, 'list');
    assert.equal(run.stdout, 'sources list\n');
    assert.equal(run.code, 0);
    assert.match(
      run.stderr,
      /^ramp: running the TypeScript sources through tsx \(slow\) because cli\/main\.ts changed after the last build; `npm run build` to run the compiled CLI\n$/,
    );
  });

  test('no build: the sources through tsx, and why', async () => {
    const pkg = await layout(path.join(tmp, 'unbuilt'), { build: false, sources: true, tsx: true });
    const run = await ramp(pkg, 'list');
    assert.equal(run.stdout, 'sources list\n');
    assert.match(run.stderr, /because there is no build in dist\//);
  });

  test('no build and no tsx: exit 1 with what to run', async () => {
    const pkg = await layout(path.join(tmp, 'broken'), { build: false, sources: true, tsx: false });
    const run = await ramp(pkg, 'list');
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      /^ramp: cannot start: there is no build in dist\/, and tsx \(a development dependency\) is not installed to run the sources\. Run `npm install` \(it builds\) or `npm run build` in .*broken/,
    );
  });
});
