// scripts/prepare.mjs, npm's `prepare`, as a real process in a package laid out in a temp dir
// whose `build` script fails or succeeds: a failed build stops `npm pack` and `npm publish` (a
// package without dist/ cannot run) but not `npm install` in a checkout; an installed package
// (no scripts/build.ts) builds nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs prepare.mjs in `pkg` as npm would for `command`; never throws for a non-zero exit. */
function prepare(pkg: string, command: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, npm_command: command };
    delete env.npm_execpath; // prepare.mjs then runs `npm` from PATH
    execFile(process.execPath, [path.join(pkg, 'scripts/prepare.mjs')], { cwd: pkg, env }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A package whose `npm run build` writes built.txt and exits `exitCode`. */
async function layout(dir: string, { exitCode, checkout }: { exitCode: number; checkout: boolean }): Promise<string> {
  await mkdir(path.join(dir, 'scripts'), { recursive: true });
  await copyFile(path.join(ROOT, 'scripts/prepare.mjs'), path.join(dir, 'scripts/prepare.mjs'));
  if (checkout) await writeFile(path.join(dir, 'scripts/build.ts'), '// the build\n');
  const build = `node -e "require('fs').writeFileSync('built.txt', 'yes'); console.log('building'); process.exit(${exitCode})"`;
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', scripts: { build } }));
  return dir;
}

describe('scripts/prepare.mjs', () => {
  let tmp: string;
  before(async () => (tmp = await mkdtemp(path.join(os.tmpdir(), 'ramp-prepare-'))));
  after(async () => rm(tmp, { recursive: true, force: true }));

  test('npm pack: a failed build fails the pack and says why', async () => {
    const pkg = await layout(path.join(tmp, 'pack-fails'), { exitCode: 3, checkout: true });
    const run = await prepare(pkg, 'pack');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ramp: npm run build failed \(above\), so npm pack stops: a package without dist\/ cannot run/);
  });

  test("npm pack: the build's output goes to stderr, stdout stays empty for npm pack --json", async () => {
    const pkg = await layout(path.join(tmp, 'pack-ok'), { exitCode: 0, checkout: true });
    const run = await prepare(pkg, 'pack');
    assert.equal(run.code, 0);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /building/);
    assert.equal(await readFile(path.join(pkg, 'built.txt'), 'utf8'), 'yes');
  });

  test('npm install in a checkout: a failed build is reported, the install goes on', async () => {
    const pkg = await layout(path.join(tmp, 'install-fails'), { exitCode: 3, checkout: true });
    const run = await prepare(pkg, 'install');
    assert.equal(run.code, 0);
    assert.match(run.stderr, /npx ramp runs the TypeScript sources through tsx until a build succeeds/);
  });

  test('an installed package (no scripts/build.ts): nothing is built', async () => {
    const pkg = await layout(path.join(tmp, 'installed'), { exitCode: 3, checkout: false });
    const run = await prepare(pkg, 'install');
    assert.deepEqual(run, { code: 0, stdout: '', stderr: '' });
    await assert.rejects(readFile(path.join(pkg, 'built.txt')), 'the build did not run');
  });
});
