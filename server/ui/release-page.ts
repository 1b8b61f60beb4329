/**
 * The release page (issue 11): one promotion's snapshot — the same JSON as
 * `GET /api/v1/promotions/{id}` — as server-rendered HTML. The main content is one function,
 * served inside the page and alone as GET /releases/:id/main (the live island swaps it in).
 * Pure: a function of the snapshot, what the promotion pinned, and who is looking. Every value
 * goes through hono's `html` helper, which escapes it.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { waitingSentence, type OperatorHint } from '../../cli/render/operator-hint.js';
import { Marker, promotionMarker, stageMarker } from '../../cli/render/format.js';
import { recentEvents, stageStatuses } from '../../cli/render/status.js';
import type { Actor } from '../../src/identity/actor.js';
import { promotionLink, stageLink, type TemporalUi } from '../../src/settings/temporal-ui.js';
import type { PromotionStatus, StageStatus, StageSummary } from '../../workflows/messages.js';
import { fragment, renderDocument } from './layout.js';
import { mark, time } from './marks.js';
import type { PageAction } from './page-actions.js';
import type { PinnedRelease } from './pinned.js';
import { stageDetail } from './stage-detail.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface ReleaseSnapshot {
  promotion: PromotionStatus;
  activeStage: StageStatus | null;
}

/** Everything the release page shows, computed by the route (routes.ts) from Temporal and the viewer. */
export interface ReleaseView {
  snapshot: ReleaseSnapshot;
  viewer: Actor;
  /** What the promotion pinned (pinned.ts); null when it could not be read. */
  pinned: PinnedRelease | null;
  /** pageActions(...) for this viewer. */
  actions: PageAction[];
  /** operatorHint(...): what it waits for and who can unblock it; null when nothing waits. */
  hint: OperatorHint | null;
  /** RAMP_TEMPORAL_UI_URL and the namespace: the promotion and its stages link to their workflows there; absent or null: no links. */
  temporalUi?: TemporalUi | null;
}

/** The page's HTML document. */
export function renderReleasePage(view: ReleaseView): string {
  const { promotion: p } = view.snapshot;
  const id = encodeURIComponent(p.promotionId);
  return renderDocument(
    `${p.pipeline} ${p.version}`,
    view.viewer.name,
    'release',
    html`<main id="release" data-fragment="/releases/${id}/main" data-events="/api/v1/promotions/${id}/events">${releaseMain(view)}</main>`,
  );
}

/** The main content alone (GET /releases/:id/main). */
export function renderReleaseMain(view: ReleaseView): string {
  return fragment(releaseMain(view));
}

function releaseMain(view: ReleaseView): Html {
  const { promotion: p, activeStage } = view.snapshot;
  const statuses = stageStatuses(p, activeStage);
  const events = recentEvents(p, statuses, Number.MAX_SAFE_INTEGER);
  const m = promotionMarker(p.phase);
  return html`<h1>${p.pipeline} <span class="version">${p.version}</span></h1>
    <dl class="release">
      <dt>Phase</dt>
      <dd data-phase="${p.phase}">${mark(m, '')}${p.phase}${p.kind === 'rollback' ? ' (a rollback)' : ''}</dd>
      <dt>Status</dt>
      <dd>${p.message}</dd>
      <dt>Requested by</dt>
      <dd>${p.requester?.name ?? p.requestedBy}</dd>
      <dt>Started</dt>
      <dd>${time(p.startedAt)}</dd>
      ${
        p.finishedAt
          ? html`<dt>Finished</dt>
              <dd>${time(p.finishedAt)}</dd>`
          : ''
      }
      ${
        view.pinned?.release?.commit
          ? html`<dt>Source commit</dt>
              <dd><code>${view.pinned.release.commit}</code></dd>`
          : ''
      }
      <dt>Promotion</dt>
      <dd>
        <code>${p.promotionId}</code>${view.temporalUi ? html` ${temporalLink(promotionLink(view.temporalUi, p.promotionId), 'the promotion workflow')}` : ''}
      </dd>
    </dl>
    ${view.hint ? html`<p class="waiting" role="status">Waiting: ${waitingSentence(view.hint)}</p>` : ''}
    ${
      view.actions.length > 0
        ? html`<section class="actions" aria-labelledby="actions-h">
            <h2 id="actions-h">Actions</h2>
            ${view.actions.map(actionForm)}
          </section>`
        : ''
    }
    <h2>Stages</h2>
    <ol class="stages">
      ${p.stages.map((s) =>
        stageItem(
          p,
          s,
          statuses.get(s.name) ?? null,
          activeStage?.promotionId === p.promotionId && activeStage.stage === s.name,
          view.pinned,
          view.temporalUi ?? null,
        ),
      )}
    </ol>
    <h2>Events</h2>
    ${
      events.length === 0
        ? html`<p>None yet.</p>`
        : html`<table class="events">
            <thead>
              <tr>
                <th scope="col">At</th>
                <th scope="col">Where</th>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              ${events.map(
                ({ source, event }) =>
                  html`<tr data-kind="${event.kind}">
                    <td>${time(event.at)}</td>
                    <td>${source}</td>
                    <td>${event.kind}</td>
                    <td>${event.actor ?? '-'}</td>
                    <td>${event.message}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}

function stageItem(
  p: PromotionStatus,
  summary: StageSummary,
  status: StageStatus | null,
  active: boolean,
  pinned: PinnedRelease | null,
  temporalUi: TemporalUi | null,
): Html {
  const phase = active && status ? status.phase : summary.phase;
  const m = stageMarker(phase);
  // A stage that never started has no run of this promotion to show.
  const link =
    temporalUi && summary.attempt > 0
      ? html` ${temporalLink(stageLink(temporalUi, summary.workflowId, p.promotionId), `the ${summary.name} stage workflow`)}`
      : '';
  return html`<li class="stage${active ? ' active' : ''}" data-stage="${summary.name}" ${active ? html`aria-current="step"` : ''}>
    <span class="mark" aria-hidden="true">${m}</span> <span class="name">${summary.name}</span>
    <span class="phase" data-phase="${phase}">${phase}</span>${summary.attempt > 1 ? html` <span class="attempt">attempt ${summary.attempt}</span>` : ''}${
      active ? html` <span class="now">(now)</span>` : ''
    }${link}
    ${status ? stageDetail(p, status, pinned) : ''}
  </li>`;
}

/** A small link into the Temporal UI; `what` names it for screen readers. */
function temporalLink(url: string, what: string): Html {
  return html`<a class="temporal" href="${url}" aria-label="${what} in the Temporal UI">in Temporal</a>`;
}

/** One action as a form the island posts as JSON (the fields are the API request's); disabled with the reason when refused. */
function actionForm(action: PageAction, index: number): Html {
  const why = `why-${index}`;
  const refused = action.refusal !== null;
  const text = action.text;
  return html`<form class="action" data-ramp-action="${action.name}" method="post" action="${action.path}">
    ${Object.entries(action.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
    ${
      text
        ? html`<label for="text-${index}">${text.label}</label>
            <textarea id="text-${index}" name="${text.name}" ${text.required ? html`required ` : ''}${refused ? html`disabled ` : ''}rows="2"></textarea>`
        : ''
    }
    ${
      refused
        ? html`<button type="submit" disabled aria-describedby="${why}">${action.label}</button>
            <p class="why" id="${why}">${mark(Marker.failed, 'not permitted')} ${action.refusal}</p>`
        : html`<button type="submit">${action.label}</button>`
    }
  </form>`;
}
