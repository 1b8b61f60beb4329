/**
 * The home page: what waits for me first (approvals I can give), then the running promotions,
 * the recent outcomes, and per pipeline what is live in each environment. Pure: a HomeView
 * (home-data.ts) in, HTML out; every value escaped.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { PromotionRow } from '../../cli/render/list.js';
import { Marker } from '../../cli/render/format.js';
import { renderFreezeSection } from './freeze-banner.js';
import { doraPath } from './dora-page.js';
import type { HomeView } from './home-data.js';
import { renderDocument } from './layout.js';
import { mark, time } from './marks.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const release = (id: string) => `/releases/${encodeURIComponent(id)}`;

/** Where the home page's island reloads its content from (after a freeze is declared or lifted). */
export const HOME_FRAGMENT = '/home/main';

export function renderHomePage(view: HomeView): string {
  return renderDocument('Releases', view.viewer.name, 'home', html`<main id="home" data-fragment="${HOME_FRAGMENT}">${homeMain(view)}</main>`);
}

/** The home page's content alone (GET /home/main), as the island puts it in place. */
export function renderHomeMain(view: HomeView): string {
  const main = homeMain(view);
  if (main instanceof Promise) throw new Error('the home page rendered asynchronously');
  return main.toString();
}

function homeMain(view: HomeView): Html {
  return html`<h1>Releases</h1>
    ${view.freeze === undefined ? '' : renderFreezeSection(view.freeze)}
    <section aria-labelledby="mine-h">
      <h2 id="mine-h">Waiting for you</h2>
      ${
        view.waiting.length === 0
          ? html`<p class="none">Nothing waits for your approval.</p>`
          : html`<ul class="waiting-for-me">
              ${view.waiting.map(
                (w) =>
                  html`<li>
                    ${mark(Marker.paused, 'waiting')} <a href="${release(w.promotionId)}">${w.pipeline} ${w.version}</a>, stage ${w.stage}: ${w.sentence}
                  </li>`,
              )}
            </ul>`
      }
    </section>
    <section aria-labelledby="running-h">
      <h2 id="running-h">Running</h2>
      ${rows(view.running, 'No promotion is running.')}
    </section>
    <section aria-labelledby="recent-h">
      <h2 id="recent-h">Recent outcomes</h2>
      ${rows(view.recent, 'No promotion has finished yet.')}
    </section>
    <section aria-labelledby="live-h">
      <h2 id="live-h">Live now</h2>
      ${
        view.live.length === 0
          ? html`<p class="none">No promotion has promoted a stage yet.</p>`
          : view.live.map(
              (p) =>
                html`<table class="live">
                  <caption>
                    ${p.pipeline} ·
                    <a href="${doraPath(p.pipeline)}">DORA figures</a>
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Environment</th>
                      <th scope="col">Version</th>
                      <th scope="col">Since</th>
                      <th scope="col">By</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${p.stages.map(
                      (s) =>
                        html`<tr>
                          <td>${s.stage}</td>
                          <td><a href="${release(s.promotionId)}">${s.version}</a></td>
                          <td>${time(s.since)}</td>
                          <td>${s.by}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`,
            )
      }
      <p class="note">From the records of the promotions listed here (the newest that promoted each environment).</p>
    </section>
    ${view.truncated ? html`<p class="note">More promotions exist than this page reads; <code>ramp list --all</code> lists them.</p>` : ''}`;
}

const PHASE_MARK: Record<string, Marker> = {
  Succeeded: Marker.succeeded,
  Running: Marker.running,
  Failed: Marker.failed,
  Aborted: Marker.failed,
  AwaitingApproval: Marker.paused,
  Paused: Marker.paused,
  WaitingForEnvironment: Marker.paused,
};

function rows(list: readonly PromotionRow[], none: string): Html {
  if (list.length === 0) return html`<p class="none">${none}</p>`;
  return html`<table class="promotions">
    <thead>
      <tr>
        <th scope="col">Release</th>
        <th scope="col">Phase</th>
        <th scope="col">Stage</th>
        <th scope="col">Started</th>
        <th scope="col">Note</th>
      </tr>
    </thead>
    <tbody>
      ${list.map(
        (r) =>
          html`<tr>
            <td><a href="${release(r.id)}">${r.id}</a></td>
            <td data-phase="${r.phase}">${mark(PHASE_MARK[r.phase] ?? Marker.pending, '')}${r.phase}</td>
            <td>${r.stage ?? '-'}</td>
            <td>${time(r.startedAt)}</td>
            <td>${r.message ?? (r.waitingFor.length > 0 ? `waits for ${r.waitingFor.join(', ')}` : '')}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
