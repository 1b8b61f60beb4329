/**
 * `ramp dev --exit`, the README's main job, as a real process: its own Temporal server with
 * the UI, a worker, a local GitOps repository, the demo app and a real Prometheus; a good
 * release everywhere, a bad one caught by canary analysis and reverted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { simpleGit } from 'simple-git';

const DEV_MAIN = fileURLToPath(new URL('../../dev/main.ts', import.meta.url));

test('ramp dev --exit promotes 1.1.0 everywhere; analysis catches 1.2.0 in staging and it is reverted', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-dev-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', DEV_MAIN, '--exit', '--dir', dir], { timeout: 120_000 });
    assert.match(stdout, /web@1\.1\.0: Succeeded — 1\.1\.0 is stable in preview, staging, production/);
    assert.match(stdout, /web@1\.2\.0: Aborted — stage staging: step 2: analysis error-rate: Failed — Metric "error-ratio" assessed Failed due to failed \(1\) > failureLimit \(0\); Git is back where it was/);
    assert.match(stdout, /production step 2: analysis error-rate: Successful/);
    assert.match(stdout, /Temporal UI +http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows/);

    const git = simpleGit(path.join(dir, 'gitops.git'));
    const stagingAtGood = await git.raw(['rev-list', '-n', '1', '--grep=web/staging: promote 1.1.0', 'main']);
    const diff = await git.raw(['diff', stagingAtGood.trim(), 'main', '--', 'envs/staging']);
    assert.equal(diff, '', 'staging is byte-identical to where 1.1.0 left it');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
