/** The release page rendered from hand-built snapshots: the waiting sentence, the stages, escaping. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderProblemPage } from '../../server/ui/problem-page.js';
import { renderReleasePage } from '../../server/ui/release-page.js';
import { approval, production, promotion } from '../cli/status-fixtures.js';

const waitingGate = () =>
  production({
    phase: 'AwaitingApproval',
    pauseReason: null,
    message: 'waiting for 2 approval(s) from group:sre',
    steps: [{ index: 0, label: 'setWeight 50', status: 'Pending', startedAt: null, finishedAt: null }],
    approvals: [approval({ outcome: 'Pending', minApprovals: 2, approvals: [{ actor: 'carol', at: '2026-11-21T09:00:20.000Z', comment: 'ship it' }] })],
  });

describe('the release page', () => {
  test('a stage at an approval gate: the waiting sentence, every stage with its phase, steps and approvals', () => {
    const page = renderReleasePage({ promotion: promotion(), activeStage: waitingGate() }, 'Bob Baker');
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /Waiting: stage production is waiting for 2 approval\(s\) from group:sre/);
    assert.match(page, /data-stage="preview">\s*<span class="name">preview<\/span>\s*<span class="phase" data-phase="Promoted">Promoted<\/span>/);
    assert.match(page, /data-stage="production">\s*<span class="name">production<\/span>\s*<span class="phase" data-phase="AwaitingApproval">/);
    assert.match(page, /data-stage="dr">\s*<span class="name">dr<\/span>\s*<span class="phase" data-phase="Pending">Pending<\/span>/);
    assert.match(page, /setWeight 50\s*<span class="status">Pending<\/span>/);
    assert.match(page, /gate<\/span>: Pending, 1 open/);
    assert.match(page, /approved by carol: “ship it”/);
    assert.match(page, /signed in as Bob Baker/);
    assert.match(page, /<dt>Requested by<\/dt>\s*<dd>rm<\/dd>/);
    assert.match(page, /<link rel="stylesheet" href="\/assets\/ramp.css"/);
    assert.doesNotMatch(page, /<script|style=/, 'no inline script or style (the CSP refuses them)');
  });

  test('a paused canary says what resumes it; a finished promotion has no waiting line', () => {
    const paused = renderReleasePage({ promotion: promotion(), activeStage: production() }, 'alice');
    assert.match(paused, /Waiting: stage production is paused at step 2 until resumed/);
    assert.match(paused, /<span class="mark" aria-hidden="true">✔<\/span>\s*setWeight 20\s*<span class="status">Succeeded<\/span>/);
    const done = renderReleasePage({ promotion: promotion({ phase: 'Succeeded', activeStage: null, message: 'promoted' }), activeStage: null }, 'alice');
    assert.doesNotMatch(done, /Waiting:/);
  });

  test('hostile values are escaped: a version, a comment and a viewer name cannot add markup', () => {
    const evil = '<script>alert(1)</script>';
    const page = renderReleasePage(
      {
        promotion: promotion({ version: evil, requestedBy: '"><img src=x onerror=alert(2)>' }),
        activeStage: waitingGate().approvals.length
          ? { ...waitingGate(), approvals: [approval({ outcome: 'Pending', approvals: [{ actor: 'carol', at: 'x', comment: evil }] })] }
          : null,
      },
      `<b>${evil}</b>`,
    );
    assert.doesNotMatch(page, /<script>|<img|<b>/);
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page, /&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;/);
  });
});

describe('the problem page', () => {
  test('says what and what next, escaped', () => {
    const page = renderProblemPage('No such release', 'no promotion <b>x</b>', 'ramp list shows them');
    assert.match(page, /<h1>No such release<\/h1>/);
    assert.match(page, /no promotion &lt;b&gt;x&lt;\/b&gt;/);
    assert.match(page, /ramp list shows them/);
  });
});
