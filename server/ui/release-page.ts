/**
 * The release page (issue 11, read-only slice): one promotion's snapshot — the same JSON as
 * `GET /api/v1/promotions/{id}` — as server-rendered HTML. Pure: a function of the snapshot and
 * who is looking. Every value goes through hono's `html` helper, which escapes it.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { operatorHint } from '../../cli/render/operator-hint.js';
import type { ApprovalRecord } from '../../src/domain/approval.js';
import type { PromotionStatus, StageStatus, StageSummary, StepRecord } from '../../workflows/messages.js';

export interface ReleaseSnapshot {
  promotion: PromotionStatus;
  activeStage: StageStatus | null;
}

/** The page's HTML document for `snapshot`, as seen by `viewer` (a display name). */
export function renderReleasePage(snapshot: ReleaseSnapshot, viewer: string): string {
  const { promotion: p, activeStage } = snapshot;
  const hint = operatorHint(snapshot, { throughServer: true, timeZone: 'utc' });
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${p.pipeline} ${p.version} · ramp</title>
        <link rel="stylesheet" href="/assets/ramp.css" />
      </head>
      <body>
        <header><span class="brand">ramp</span> <span class="viewer">signed in as ${viewer}</span></header>
        <main>
          <h1>${p.pipeline} <span class="version">${p.version}</span></h1>
          <dl class="release">
            <dt>Phase</dt>
            <dd data-phase="${p.phase}">${p.phase}</dd>
            <dt>Requested by</dt>
            <dd>${p.requester?.name ?? p.requestedBy}</dd>
            <dt>Promotion</dt>
            <dd><code>${p.promotionId}</code></dd>
            <dt>Status</dt>
            <dd>${p.message}</dd>
          </dl>
          ${hint ? html`<p class="waiting" role="status">Waiting: ${hint.situation}</p>` : ''}
          <h2>Stages</h2>
          <ol class="stages">
            ${p.stages.map((s) => stageItem(s, activeStage?.stage === s.name ? activeStage : null))}
          </ol>
        </main>
      </body>
    </html> `;
  // Nothing on the page is asynchronous: the helper answers a string.
  if (page instanceof Promise) throw new Error('the release page rendered asynchronously: a fragment returned a promise');
  return page.toString();
}

function stageItem(summary: StageSummary, active: StageStatus | null): HtmlEscapedString | Promise<HtmlEscapedString> {
  const phase = active?.phase ?? summary.phase;
  return html`<li class="stage${active ? ' active' : ''}" data-stage="${summary.name}">
    <span class="name">${summary.name}</span>
    <span class="phase" data-phase="${phase}">${phase}</span>${summary.attempt > 1 ? html` <span class="attempt">attempt ${summary.attempt}</span>` : ''}
    ${active ? activeDetail(active) : ''}
  </li> `;
}

function activeDetail(stage: StageStatus): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`<p class="message">${stage.message}</p>
    ${
      stage.steps.length > 0
        ? html`<h3>Steps</h3>
            <ol class="steps">
              ${stage.steps.map(stepItem)}
            </ol>`
        : ''
    }
    ${
      stage.approvals.length > 0
        ? html`<h3>Approvals</h3>
            <ul class="approvals">
              ${stage.approvals.map(approvalItem)}
            </ul>`
        : ''
    }`;
}

const STEP_MARK: Record<string, string> = { Succeeded: '✔', Failed: '✖', Running: '▶', Pending: '·' };

function stepItem(step: StepRecord): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`<li data-status="${step.status}">
    <span class="mark" aria-hidden="true">${STEP_MARK[step.status] ?? '·'}</span> ${step.label} <span class="status">${step.status}</span>
  </li>`;
}

function approvalItem(gate: ApprovalRecord): HtmlEscapedString | Promise<HtmlEscapedString> {
  const open = gate.outcome === 'Pending' ? Math.max(0, gate.minApprovals - gate.approvals.length) : 0;
  return html`<li data-outcome="${gate.outcome}">
    <span class="gate">${gate.gate}</span>: ${gate.outcome}${open > 0 ? html`, ${open} open` : ''}
    ${
      gate.approvals.length > 0
        ? html`<ul>
            ${gate.approvals.map((d) => html`<li>approved by ${d.actor}${d.comment ? html`: “${d.comment}”` : ''}</li>`)}
          </ul>`
        : ''
    }
    ${gate.rejection ? html`<p>rejected by ${gate.rejection.actor}${gate.rejection.comment ? html`: “${gate.rejection.comment}”` : ''}</p>` : ''}
  </li>`;
}
