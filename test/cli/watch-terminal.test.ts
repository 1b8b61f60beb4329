/**
 * `ramp status --watch` as people see it: the real `ramp` process in a real 100×32 terminal
 * (tmux), following a real promotion on the dev server (real workflows, fake activities), and
 * on a pipe. The screen is redrawn in place: it fits, the header stays on line 1, and the
 * scrollback keeps no copies.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { fakeRamp } from '../support/fake-activities.js';
import { waitFor } from '../support/wait.js';
import { startCliStack, type CliStack } from './helpers.js';
import { ensureTmux, openTerminal, type Terminal } from './tmux.js';

const COLUMNS = 100;
const ROWS = 32;
const RAMP_BIN = fileURLToPath(new URL('../../bin/ramp.js', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

const tmux = await ensureTmux();

describe('status --watch (dev server, fake activities)', () => {
  let stack: CliStack;
  before(async () => (stack = await startCliStack(fakeRamp({ 'release-managers': ['carol'] }).activities, { pollMs: 200 })));
  after(() => stack?.stop());

  const run = (args: string[]) => stack.run(args);
  async function promoted(prefix: string): Promise<string> {
    const name = await stack.pipeline(prefix);
    const started = await run(['promote', name, '1.5.0']);
    assert.equal(started.code, 0, started.stderr);
    return `${name}@1.5.0`;
  }
  const stage = async (id: string) => {
    const r = await run(['status', id, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { promotion: PromotionStatus; activeStage: StageStatus | null }).activeStage;
  };
  const waitStage = (id: string, done: (s: StageStatus) => boolean, what: string) =>
    waitFor(
      () => stage(id),
      (s) => s !== null && done(s),
      what,
      60_000,
    );

  test(
    'in a 100×32 terminal: one screen redrawn in place, header on line 1, no copies in the scrollback',
    { skip: 'missing' in tmux ? tmux.missing : false },
    async () => {
      assert.ok('path' in tmux);
      const id = await promoted('screen');
      await waitStage(id, (s) => s.phase === 'AwaitingApproval', 'the approval gate');

      const terminal: Terminal = await openTerminal(tmux.path, [process.execPath, RAMP_BIN, 'status', id, '--watch'], {
        columns: COLUMNS,
        rows: ROWS,
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), TERM: 'xterm-256color', ...stack.vars },
      });
      try {
        const screenShowing = (what: RegExp, label: string) =>
          waitFor(
            () => terminal.screen(),
            (rows) => rows.some((r) => what.test(r)),
            label,
            60_000,
          );
        const assertFits = (screen: string[], label: string) => {
          assert.ok(screen.length <= ROWS, `${label}: ${screen.length} rows`);
          assert.match(screen[0]!, new RegExp(`^Promotion: {4}${id.replace(/[.@]/g, '\\$&')}$`), `${label}: the header on line 1:\n${screen.join('\n')}`);
          for (const row of screen) assert.ok([...row].length < COLUMNS, `${label}: a row as wide as the terminal: ${row}`);
        };

        const gate = await screenShowing(/^To approve: {3}ramp approve .* --stage production --as USER$/, 'the approval hint on the screen');
        assertFits(gate, 'waiting for approval');
        assert.ok(gate.includes('  ✔ preview     Promoted          attempt 1  1.5.0 is stable in preview'), gate.join('\n'));

        const approved = await run(['approve', id, '--stage', 'production', '--as', 'alice']);
        assert.equal(approved.code, 0, approved.stderr);
        const paused = await screenShowing(new RegExp(`^To resume: {4}ramp resume ${id.replace(/[.@]/g, '\\$&')}$`), 'the canary pause on the screen');
        assertFits(paused, 'paused');
        assert.ok(
          paused.some((r) => /^ {6}Steps: {8}✔ ‖ · {2}2\. pause$/.test(r)),
          paused.join('\n'),
        );
        assert.ok(!paused.some((r) => r.startsWith('To approve:')), 'the approval hint is gone: the screen was redrawn');

        // Redrawn in place: the terminal holds one copy of the view, not one per change or second.
        const held = await terminal.scrollback();
        assert.equal(held.filter((r) => r.startsWith('Promotion:')).length, 1, held.join('\n'));
        assert.equal(held.filter((r) => r === 'Stages:').length, 1, held.join('\n'));

        assert.equal((await run(['resume', id])).code, 0);
        const exit = await waitFor(
          () => terminal.exitStatus(),
          (s) => s !== null,
          'the watch to end with the promotion',
          60_000,
        );
        assert.equal(exit, 0);
        // The last frame stays (tmux's own "Pane is dead" line below it may scroll it by one).
        const all = await terminal.scrollback();
        assert.equal(all.filter((r) => r.startsWith('Promotion:')).length, 1, all.join('\n'));
        assert.ok(all.includes('Phase:        ✔ Succeeded'), all.join('\n'));
        assert.ok(
          all.includes('  ✔ production  Promoted  attempt 1  1.5.0 is stable in preview, production') ||
            all.some((r) => /^ {2}✔ production {2}Promoted {2}attempt 1 /.test(r)),
          all.join('\n'),
        );
      } finally {
        await terminal.stop();
      }
    },
  );

  test('on a pipe: the full status again only when something changed', async () => {
    const id = await promoted('pipe');
    await waitStage(id, (s) => s.phase === 'AwaitingApproval', 'the approval gate');
    // Polled every 200 ms while the test approves and resumes: unchanged snapshots must not repeat.
    const watching = run(['status', id, '--watch']);
    assert.equal((await run(['approve', id, '--stage', 'production', '--as', 'alice'])).code, 0);
    await waitStage(id, (s) => s.phase === 'Paused' && s.pauseReason === 'CanaryPauseStep', 'the canary pause');
    assert.equal((await run(['resume', id])).code, 0);
    const watched = await watching;
    assert.equal(watched.code, 0, watched.stderr);
    const copies = watched.stdout.split(/\n(?=Promotion: )/);
    assert.ok(copies.length >= 2, `a snapshot per change, got ${copies.length}`);
    for (let i = 1; i < copies.length; i++) assert.notEqual(copies[i]!.trim(), copies[i - 1]!.trim(), `snapshot ${i + 1} repeats snapshot ${i}`);
    assert.ok(!watched.stdout.includes('\u001b['), 'no escape sequences on a pipe');
    assert.match(copies.at(-1)!, /^Phase: {8}✔ Succeeded$/m);
  });
});
