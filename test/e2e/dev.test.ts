/**
 * `ramp dev`, the README's main job, as a real process whose stdout is not a terminal (as in
 * `npm start | tee log`): its own Temporal server with the UI, a worker, a local GitOps
 * repository, the demo app and a real Prometheus; a good release everywhere, a bad one caught by
 * canary analysis and reverted; production's approval is given by alice through the demo's ramp
 * server, signed in through its OpenID Provider; then it stops, and says so at the start and at the end.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { simpleGit } from 'simple-git';

const DEV_MAIN = fileURLToPath(new URL('../../dev/main.ts', import.meta.url));

test('ramp dev, not on a terminal, promotes 1.1.0 everywhere; analysis catches 1.2.0 in staging and it is reverted; then it stops and says so', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-dev-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', DEV_MAIN, '--dir', dir], { timeout: 240_000 });
    assert.match(stdout, /^ramp dev: not a terminal: the stack stops after the demo; run in a terminal or with --keep/m);
    assert.match(stdout, /\nramp dev: stopping the stack \(stdout is not a terminal; --keep, or npm start -- --keep, keeps it up\)\n$/);
    assert.equal(
      await access(path.join(dir, 'stack.json')).then(
        () => true,
        () => false,
      ),
      false,
      'the state file for the CLI is gone with the stack',
    );
    assert.match(stdout, /web@1\.1\.0: Succeeded — 1\.1\.0 is stable in preview, staging, production/);
    assert.match(
      stdout,
      /web@1\.2\.0: Aborted — stage staging: step 2: analysis error-rate: Failed — Metric "error-ratio" assessed Failed due to failed \(1\) > failureLimit \(0\); Git is back where it was/,
    );
    assert.match(stdout, /production step 2: analysis error-rate: Successful/);
    assert.match(stdout, /Temporal UI +http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows/);
    // The approval went through ramp server as alice, signed in through the demo OpenID Provider, and the record says so.
    assert.match(stdout, /demo: approves production as alice \(group release-managers\), signed in through the demo OpenID Provider, via ramp server/);
    assert.match(stdout, /production Alice Archer approved the gate approval \(1\/1\): dashboards look good/);
    assert.match(stdout, /a release page +http:\/\/127\.0\.0\.1:8480\/releases\/web%401\.1\.0\n/);
    assert.doesNotMatch(stdout, /Workflow failed/, 'the bad release is the demo’s to report, not a worker warning');

    const git = simpleGit(path.join(dir, 'gitops.git'));
    const stagingAtGood = await git.raw(['rev-list', '-n', '1', '--grep=web/staging: promote 1.1.0', 'main']);
    const diff = await git.raw(['diff', stagingAtGood.trim(), 'main', '--', 'envs/staging']);
    assert.equal(diff, '', 'staging is byte-identical to where 1.1.0 left it');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
