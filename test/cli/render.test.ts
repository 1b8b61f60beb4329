/** The CLI's pure renderers, from hand-built status objects: exact text, no server. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventCursor } from '../../cli/follow.js';
import { hintLine, operatorHint } from '../../cli/render/operator-hint.js';
import { stageMarker, stepMarker, table, type Marker } from '../../cli/render/format.js';
import { renderHistory } from '../../cli/render/history.js';
import { renderList } from '../../cli/render/list.js';
import { recentEvents, renderEventLine, renderStatus, stageStatuses } from '../../cli/render/status.js';
import type { HistoryEntry } from '../../workflows/messages.js';
import { at, production, promotion, utc } from './status-fixtures.js';

describe('renderStatus', () => {
  test('a paused canary: header, stages with steps, commits, approvals with a refusal, events', () => {
    assert.equal(
      renderStatus(promotion(), production(), utc),
      `Promotion:    web@1.4.2
Pipeline:     web
Version:      1.4.2
Phase:        ◌ Running
Message:      stage production (attempt 1)
Requested by: rm
Started:      2026-11-21 09:00:00
Finished:     -
Waiting:      stage production is paused at step 2 until resumed
To resume:    ramp resume web@1.4.2

Stages:
  ✔ preview     Promoted  attempt 1
      Message:      1.4.2 is stable in preview
      Strategy:     direct
      Commits:      0f1e2d3  1/update
  ‖ production  Paused    attempt 1  (active)
      Message:      paused until resumed (ramp resume)
      Strategy:     canary, step 1/3, canary weight 20%
      Steps:        ✔ 1. setWeight 20
                    ‖ 2. pause
                    · 3. setWeight 60
      Commits:      a1b2c3d  1/0/canary/20
      Approvals:    gate: Approved, 1/1 from alice, carol
                      ✖ mallory tried to approve, refused: mallory is not an approver of the gate approval. Approvers: alice, carol
                      ✔ carol approved: ship it
  · dr          Pending

Events (last 7):
  2026-11-21 09:00:00  promotion   started          rm       rm asked to promote web 1.4.2
  2026-11-21 09:00:05  preview     promoted         -        1.4.2 is stable in preview
  2026-11-21 09:00:09  promotion   stage-started    -        stage production started (attempt 1)
  2026-11-21 09:00:10  production  started          -        stage production: promoting 1.4.2 (attempt 1)
  2026-11-21 09:00:15  production  approve-refused  mallory  mallory is not an approver
  2026-11-21 09:00:20  production  approved         carol    carol approved the gate approval (1/1): ship it
  2026-11-21 09:00:21  production  commit           -        canary 1.4.2 at 20%: a1b2c3d4e5f6
`,
    );
  });

  test('a rolled-back stage shows its reverts and failure, not a stale canary weight', () => {
    const rolledBack = production({
      phase: 'RolledBack',
      pauseReason: null,
      message: 'aborted by rm: error budget burning; Git is back where it was (1 revert commit(s))',
      steps: production().steps.map((s) => (s.status === 'Running' ? { ...s, status: 'Skipped' as const } : s)),
      reverts: [{ sha: 'fedcba9876543210fedcba9876543210fedcba98', reverted: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', at: at(30) }],
      failure: { reason: 'Aborted', message: 'aborted by rm: error budget burning' },
      live: {
        sha: 'fedcba9876543210fedcba9876543210fedcba98',
        at: at(31),
        message: 'applied 5 object(s); Deployment prod/web-stable 6 of 6 replicas available (1.2 s)',
      },
    });
    const finished = promotion({
      phase: 'Aborted',
      message: 'stage production: aborted by rm: error budget burning',
      activeStage: null,
      finishedAt: at(31),
      stages: [promotion().stages[0]!, { name: 'production', workflowId: 'web/production', attempt: 1, phase: 'RolledBack', result: rolledBack }],
    });
    const out = renderStatus(finished, null, utc);
    assert.match(out, /^Phase: {8}✖ Aborted$/m);
    assert.match(out, /^Finished: {5}2026-11-21 09:00:31$/m);
    assert.match(out, /^ {2}✖ production {2}RolledBack {2}attempt 1$/m);
    assert.match(out, /^ {6}Strategy: {5}canary, step 1\/3 \(1 skipped\)$/m);
    assert.match(out, /^ {20}↷ 2\. pause$/m);
    assert.match(out, /^ {6}Reverts: {6}fedcba9 {2}reverts a1b2c3d$/m);
    assert.match(out, /^ {6}Live: {9}fedcba9 {2}applied 5 object\(s\); Deployment prod\/web-stable 6 of 6 replicas available \(1\.2 s\)$/m);
    assert.match(out, /^ {6}Failure: {6}Aborted: aborted by rm: error budget burning$/m);
    assert.doesNotMatch(out, /\(active\)/);
  });

  test("the active stage of another promotion (same environment id) is not shown as this one's", () => {
    const other = production({ promotionId: 'web@1.5.0' });
    const statuses = stageStatuses(promotion(), other);
    assert.deepEqual([...statuses.keys()], ['preview']);
    assert.match(renderStatus(promotion(), other, utc), /^ {2}◌ production {2}Progressing {2}attempt 1$/m);
  });

  test('a rollback says so; colours only when asked', () => {
    const out = renderStatus(promotion({ kind: 'rollback' }), null, utc);
    assert.match(out, /^Kind: {9}rollback$/m);
    assert.ok(!out.includes('\u001b['), 'no ANSI escapes without colour');
    assert.ok(renderStatus(promotion(), production(), { color: true, timeZone: 'utc' }).includes('\u001b[32m✔\u001b[0m'), 'a green ✔ with colour');
  });

  test('with a Temporal UI link, one last line after everything else; without, none', () => {
    const url = 'http://127.0.0.1:8233/namespaces/default/workflows/web%401.4.2';
    const plain = renderStatus(promotion(), production(), utc);
    const linked = renderStatus(promotion(), production(), { ...utc, temporalUi: url });
    assert.equal(linked, `${plain}\nTemporal UI  ${url}\n`);
    assert.equal(renderStatus(promotion(), production(), { ...utc, temporalUi: null }), plain);
    assert.doesNotMatch(plain, /Temporal UI/);
  });

  test('events: merged across sources oldest first, the last N', () => {
    const events = recentEvents(promotion(), stageStatuses(promotion(), production()), 3);
    assert.deepEqual(
      events.map((e) => `${e.source} ${e.event.kind}`),
      ['production approve-refused', 'production approved', 'production commit'],
    );
    assert.equal(
      renderEventLine(events[1]!, { ...utc, sourceWidth: 10 }),
      '09:00:20  production  approved (carol): carol approved the gate approval (1/1): ship it\n',
    );
  });
});

describe('markers', () => {
  const cases: [Parameters<typeof stageMarker>[0], Marker][] = [
    ['Promoted', '✔'],
    ['Progressing', '◌'],
    ['Promoting', '◌'],
    ['RollingBack', '◌'],
    ['Paused', '‖'],
    ['AwaitingApproval', '‖'],
    ['RolledBack', '✖'],
    ['Failed', '✖'],
    ['Pending', '·'],
    ['Skipped', '↷'],
  ];
  for (const [phase, marker] of cases) test(`stage ${phase} → ${marker}`, () => assert.equal(stageMarker(phase), marker));
  test('a running step of a paused stage is paused', () => {
    assert.equal(stepMarker('Running', true), '‖');
    assert.equal(stepMarker('Running', false), '◌');
  });
});

describe('following a promotion (--wait)', () => {
  test('each event is handed out once, per stage attempt, as the stage moves from live to finished', () => {
    const cursor = new EventCursor();
    const first = cursor.fresh({ promotion: promotion(), activeStage: production() });
    assert.equal(first.length, 2 + 1 + 4);
    assert.deepEqual(cursor.fresh({ promotion: promotion(), activeStage: production() }), []);
    const more = production({ events: [...production().events, { at: at(40), kind: 'resumed', actor: 'rm', message: 'rm resumed the stage' }] });
    const done = promotion({
      activeStage: null,
      stages: [promotion().stages[0]!, { name: 'production', workflowId: 'web/production', attempt: 1, phase: 'Promoted', result: more }],
    });
    assert.deepEqual(
      cursor.fresh({ promotion: done, activeStage: null }).map((e) => e.event.kind),
      ['resumed'],
    );
  });

  test('what it waits for, announced once per wait', () => {
    const gate = operatorHint({
      promotion: promotion(),
      activeStage: production({ phase: 'AwaitingApproval', pauseReason: null, message: 'waiting for 1 approval(s) from alice, carol' }),
    });
    assert.equal(
      gate && hintLine(gate),
      'stage production is waiting for 1 approval(s) from alice, carol. To approve: ramp approve web@1.4.2 --stage production --as USER; To reject: ramp reject web@1.4.2 --stage production --as USER --reason "..."',
    );
    const pause = operatorHint({ promotion: promotion(), activeStage: production() });
    assert.equal(pause && hintLine(pause), 'stage production is paused at step 2 until resumed. To resume: ramp resume web@1.4.2');
    assert.notEqual(gate?.key, pause?.key);
    const timed = operatorHint({ promotion: promotion(), activeStage: production({ pauseUntil: at(59) }) }, utc);
    assert.equal(timed && hintLine(timed), 'stage production is paused at step 2 until 09:00:59. To resume now: ramp resume web@1.4.2');
    assert.equal(operatorHint({ promotion: promotion(), activeStage: production({ phase: 'Progressing', pauseReason: null }) }), null);
  });

  test('through ramp server, which knows who you are, the commands have no --as USER', () => {
    const gate = operatorHint(
      { promotion: promotion(), activeStage: production({ phase: 'AwaitingApproval', pauseReason: null, message: 'waiting for 1 approval(s) from alice' }) },
      { throughServer: true },
    );
    assert.equal(
      gate && hintLine(gate),
      'stage production is waiting for 1 approval(s) from alice. To approve: ramp approve web@1.4.2 --stage production; To reject: ramp reject web@1.4.2 --stage production --reason "..."',
    );
  });
});

describe('renderHistory', () => {
  const entries: HistoryEntry[] = [
    {
      sha: 'ffeeddccbbaa99887766554433221100ffeeddcc',
      committedAt: at(50),
      subject: 'web/production: revert',
      promotion: 'web@1.4.2',
      stage: 'production',
      step: '1/rollback',
      version: '1.4.2',
      approvedBy: [],
      requestedBy: 'rm',
      rollback: { of: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', reason: 'aborted by rm: error budget burning' },
    },
    {
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      committedAt: at(21),
      subject: 'web/production: canary 1.4.2 at 20%',
      promotion: 'web@1.4.2',
      stage: 'production',
      step: '1/0/canary/20',
      version: '1.4.2',
      approvedBy: ['carol', 'dave'],
      requestedBy: null,
      rollback: null,
    },
    {
      sha: '0f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4',
      committedAt: at(5),
      subject: 'web/preview: update to 1.4.2',
      promotion: 'web@1.4.2',
      stage: 'preview',
      step: '1/update',
      version: null,
      approvedBy: [],
      requestedBy: null,
      rollback: null,
    },
  ];

  test('a table, newest first, reverts explained', () => {
    assert.equal(
      renderHistory(entries, utc),
      `WHEN                 STAGE       VERSION  PROMOTION  STEP           COMMIT   APPROVED BY  BY  NOTE
2026-11-21 09:00:50  production  1.4.2    web@1.4.2  1/rollback     ffeeddc  -            rm  rollback of a1b2c3d: aborted by rm: error budget burning
2026-11-21 09:00:21  production  1.4.2    web@1.4.2  1/0/canary/20  a1b2c3d  carol, dave  -
2026-11-21 09:00:05  preview     -        web@1.4.2  1/update       0f1e2d3  -            -
`,
    );
  });

  test('nothing yet', () => assert.equal(renderHistory([], utc), 'no ramp commits found\n'));
});

describe('renderList and table', () => {
  test('running only: phase, stage, whom it waits for; --all with when and how each finished', () => {
    const rows = [
      { id: 'web@1.4.2', phase: 'AwaitingApproval', stage: 'production', waitingFor: ['alice', 'carol'], startedAt: at(0), closedAt: null, message: null },
      {
        id: 'web@1.4.1',
        phase: 'Succeeded',
        stage: 'production',
        waitingFor: [],
        startedAt: at(1),
        closedAt: at(9),
        message: '1.4.1 is stable in preview, production',
      },
    ];
    assert.equal(
      renderList(rows.slice(0, 1), { ...utc, all: false, truncated: false }),
      'PROMOTION  PHASE             STAGE       WAITING FOR   STARTED\nweb@1.4.2  AwaitingApproval  production  alice, carol  2026-11-21 09:00:00\n',
    );
    assert.match(
      renderList(rows, { ...utc, all: true, truncated: true }),
      /^web@1\.4\.1 +Succeeded +production +- +2026-11-21 09:00:01 {2}2026-11-21 09:00:09 {2}1\.4\.1 is stable/m,
    );
    assert.match(renderList(rows, { ...utc, all: true, truncated: true }), /showing the 2 most recent/);
    assert.equal(renderList([], { ...utc, all: false, truncated: false }), 'no running promotions (ramp list --all shows finished ones too)\n');
    assert.equal(renderList([], { ...utc, all: false, truncated: false, filtered: true }), 'no promotions match\n');
  });

  test('table pads every column but the last', () => {
    assert.equal(
      table(
        ['A', 'BB'],
        [
          ['xxx', 'y'],
          ['z', ''],
        ],
      ),
      'A    BB\nxxx  y\nz\n',
    );
  });
});
