/**
 * `ramp dev`, the README's main job, as a real process whose stdout is not a terminal (as in
 * `npm start | tee log`): its own Temporal server with the UI, a worker, a local GitOps
 * repository, the demo app and a real Prometheus, a ramp server and a demo OpenID Provider; a
 * good release everywhere (production's approval given by alice, signed in through the
 * provider, via the server), a bad one caught by canary analysis and reverted.
 *
 * With --keep, the demo leaves web 1.3.0 waiting at production and prints its release page: a
 * person opens it in Chromium, signs in as alice with the demo provider and approves there, and
 * the release goes out. Without --keep, it stops after the demo (checked with --no-demo, the
 * same code path, fast) and says so at the start and at the end.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { simpleGit } from 'simple-git';
import { sleep } from '../../scripts/lib/proc.js';
import { signIn, startBrowser, type TestBrowser } from '../harness/browser.js';
import { killOnExit } from '../harness/reaper.js';
import { waitFor } from '../support/wait.js';

const DEV_MAIN = fileURLToPath(new URL('../../dev/main.ts', import.meta.url));
const DEADLINE_MS = 240_000;

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe('ramp dev', () => {
  let browser: TestBrowser;
  before(async () => (browser = await startBrowser()));
  after(async () => browser?.stop());

  test('promotes 1.1.0 everywhere, analysis catches 1.2.0 in staging; with --keep, alice approves 1.3.0 on its release page in Chromium', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-dev-'));
    let out = '';
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', DEV_MAIN, '--keep', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(child);
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const until = async (pattern: RegExp, what: string): Promise<RegExpExecArray> => {
      const deadline = Date.now() + DEADLINE_MS;
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (child.exitCode !== null || Date.now() > deadline) assert.fail(`${what}: not seen (${child.exitCode ?? 'deadline'}).\n${out}`);
        await sleep(200);
      }
    };
    try {
      await until(/^ramp dev: ready\./m, 'ramp dev is ready');
      assert.match(out, /web@1\.1\.0: Succeeded — 1\.1\.0 is stable in preview, staging, production/);
      assert.match(
        out,
        /web@1\.2\.0: Aborted — stage staging: step 2: analysis error-rate: Failed — Metric "error-ratio" assessed Failed due to failed \(1\) > failureLimit \(0\); Git is back where it was/,
      );
      assert.match(out, /production step 2: analysis error-rate: Successful/);
      assert.match(out, /Temporal UI +http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows/);
      // The approval went through ramp server as alice, signed in through the demo OpenID Provider, and the record says so.
      assert.match(out, /demo: approves production as alice \(group release-managers\), signed in through the demo OpenID Provider, via ramp server/);
      assert.match(out, /production Alice Archer approved the gate approval \(1\/1\): dashboards look good/);
      assert.doesNotMatch(out, /Workflow failed/, 'the bad release is the demo’s to report, not a worker warning');
      // Its last words: the DORA figures of what it did (1.3.0 passed staging before it parked at production) …
      assert.match(out, /^ {2}staging +2 deployments, lead time \S+, change failure rate 0%, 1 canary catch, recovery -$/m);
      assert.match(out, /^ {2}production +1 deployment, lead time \S+, change failure rate 0%, 0 canary catches, recovery -$/m);
      // … and its Prometheus scraped ramp's own metrics: the production deployment, counted once.
      const [, prometheusUrl] = await until(/^ {2}Prometheus +(http:\/\/127\.0\.0\.1:\d+) /m, 'the Prometheus address');
      const deployments = await waitFor(
        async () => {
          const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent('ramp_deployments_total{pipeline="web",stage="production"}')}`);
          return ((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
        },
        (result) => result.length > 0,
        'Prometheus scraped ramp_deployments_total from ramp dev',
        60_000,
      );
      assert.deepEqual(
        deployments.map((r) => r.value[1]),
        ['1'],
      );
      const git = simpleGit(path.join(dir, 'gitops.git'));
      const stagingAtGood = (await git.raw(['rev-list', '-n', '1', '--grep=web/staging: promote 1.1.0', 'main'])).trim();
      const revertOfBad = (await git.raw(['rev-list', '-n', '1', '--grep=Revert "web/staging: canary 1.2.0', 'main'])).trim();
      assert.ok(stagingAtGood && revertOfBad, 'the promotion of 1.1.0 and the revert of 1.2.0 are in Git');
      assert.equal(
        await git.raw(['diff', stagingAtGood, revertOfBad, '--', 'envs/staging']),
        '',
        'the revert left staging byte-identical to where 1.1.0 left it',
      );

      // The release waiting for a person: its page, as printed.
      const [, page] = await until(/a release page +(http:\/\/127\.0\.0\.1:\d+\/releases\/web%401\.3\.0) +← sign in as alice/, 'the waiting release page');
      const [, issuer] = await until(/OpenID Provider +(http:\/\/127\.0\.0\.1:\d+) /, 'the demo provider');
      const tab = await browser.newPage();
      await signIn(tab, { login: 'alice', issuer: issuer!, target: page! });
      await tab
        .locator('p.waiting')
        .filter({ hasText: /production is waiting for 1 approval/ })
        .waitFor({ timeout: 60_000 });
      const form = tab.locator('form[data-ramp-action="approve"]');
      await form.locator('textarea[name="comment"]').fill('approved on the release page');
      await form.locator('button[type="submit"]').click();
      await tab.locator('main#release').filter({ hasText: 'approved on the release page' }).waitFor({ timeout: 60_000 });
      // The production canary then pauses for a person (the demo's pipeline): resume it on the page too.
      const resume = tab.locator('form[data-ramp-action="resume"] button[type="submit"]:not([disabled])');
      await resume.waitFor({ timeout: 120_000 });
      await resume.click();
      // The page follows the release live until it is out.
      await tab.locator('main#release dd[data-phase="Succeeded"]').waitFor({ timeout: 120_000 });
      assert.match(await tab.locator('main#release').innerText(), /Alice Archer approved .*on the web page/s);
    } finally {
      child.kill('SIGINT');
      const deadline = Date.now() + 60_000;
      while (child.exitCode === null && Date.now() < deadline) await sleep(200);
    }
    assert.match(out, /ramp dev: SIGINT, stopping the worker and the Temporal server/);
    assert.equal(await exists(path.join(dir, 'stack.json')), false, 'the state file for the CLI is gone with the stack');
    await rm(dir, { recursive: true, force: true });
  });

  test('not on a terminal and without --keep it stops on its own, and says so at the start and at the end', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-dev-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', DEV_MAIN, '--no-demo', '--dir', dir], { timeout: DEADLINE_MS });
      assert.match(stdout, /^ramp dev: not a terminal: the stack stops at once; run in a terminal or with --keep/m);
      assert.match(stdout, /\nramp dev: stopping the stack \(stdout is not a terminal; --keep, or npm start -- --keep, keeps it up\)\n$/);
      assert.equal(await exists(path.join(dir, 'stack.json')), false, 'the state file for the CLI is gone with the stack');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
