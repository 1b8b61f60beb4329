/**
 * A pipeline's DORA page (GET /pipelines/{pipeline}/dora): one stage's four keys over a period,
 * its canary catches and open failures, and the period's releases — the same report as `ramp
 * dora --json` and GET /api/v1/pipelines/{pipeline}/dora (dora-data.ts reads it through the same
 * path). Pure: a DoraView in, HTML out; every value escaped.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { causes, count, duration, percent, perDay } from '../../cli/render/dora.js';
import type { DoraRelease, DoraReport } from '../../src/dora/report.js';
import { renderDocument } from './layout.js';
import { time } from './marks.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The periods the page offers, as `--since` takes them. */
export const DORA_PERIODS = ['7d', '30d', '90d'] as const;

export interface DoraView {
  viewer: string;
  pipeline: string;
  /** The pipeline's stages in order, and the one shown. */
  stages: string[];
  stage: string;
  /** The period as asked (`30d`, or an ISO time). */
  since: string;
  /** The report, or null when it could not be read (then `problem` says why and what to do). */
  report: DoraReport | null;
  problem: string | null;
}

export const doraPath = (pipeline: string, query: { stage?: string; since?: string } = {}): string => {
  const params = new URLSearchParams({ ...(query.stage ? { stage: query.stage } : {}), ...(query.since ? { since: query.since } : {}) }).toString();
  return `/pipelines/${encodeURIComponent(pipeline)}/dora${params === '' ? '' : `?${params}`}`;
};

export function renderDoraPage(view: DoraView): string {
  return renderDocument(`DORA · ${view.pipeline}`, view.viewer, 'dora', html`<main id="dora">${doraMain(view)}</main>`);
}

function doraMain(view: DoraView): Html {
  return html`<h1>DORA · ${view.pipeline} / ${view.stage}</h1>
    <nav aria-label="Environment and period">
      <p>
        Environment:
        ${view.stages.map((s) =>
          s === view.stage
            ? html`<strong aria-current="page">${s}</strong> `
            : html`<a href="${doraPath(view.pipeline, { stage: s, since: view.since })}">${s}</a> `,
        )}
      </p>
      <p>
        Period:
        ${DORA_PERIODS.map((p) =>
          p === view.since
            ? html`<strong aria-current="page">last ${p}</strong> `
            : html`<a href="${doraPath(view.pipeline, { stage: view.stage, since: p })}">last ${p}</a> `,
        )}
      </p>
    </nav>
    ${view.report === null ? html`<p class="problem">${view.problem ?? 'The figures could not be read.'}</p>` : figures(view.report)}
    <p class="note">
      From the commits ramp wrote to the pipeline's GitOps repository (docs/dora.md has every definition); the same figures as
      <code>ramp dora ${view.pipeline} --env ${view.stage} --since ${view.since}</code>.
    </p>`;
}

function figures(r: DoraReport): Html {
  const { deploymentFrequency: df, leadTime: lt, changeFailureRate: cfr, canaryCatches: cc, recovery: rec } = r;
  return html`<p>From ${time(r.since)} to ${time(r.until)}.</p>
    <table class="dora">
      <caption>
        The four keys
      </caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        <tr data-key="deployment-frequency">
          <th scope="row">Deployment frequency</th>
          <td>${perDay(df.perDay)} a day (${df.bucket === 'none' ? 'no deployment' : df.bucket})</td>
          <td>${count(df.deployments, 'deployment')}</td>
        </tr>
        <tr data-key="lead-time">
          <th scope="row">Lead time for changes</th>
          <td>median ${duration(lt.medianSeconds)}, p90 ${duration(lt.p90Seconds)}</td>
          <td>${count(lt.samples, 'sample')}${lt.withoutSource > 0 ? `; ${lt.withoutSource} without a source time` : ''}</td>
        </tr>
        <tr data-key="change-failure-rate">
          <th scope="row">Change failure rate</th>
          <td>${percent(cfr.rate)}</td>
          <td>${cfr.failures} of ${count(cfr.deployments, 'deployment')}${causes(cfr.byCause)}</td>
        </tr>
        <tr data-key="recovery-time">
          <th scope="row">Recovery time</th>
          <td>median ${duration(rec.medianSeconds)}, p90 ${duration(rec.p90Seconds)}</td>
          <td>${count(rec.samples, 'sample')}</td>
        </tr>
      </tbody>
    </table>
    <p data-key="canary-catches">
      Canary catches: ${cc.count} (stopped before full
      exposure${cc.rateIncludingExposure === null ? '' : `; failure rate counting them ${percent(cc.rateIncludingExposure)}`})
    </p>
    <p data-key="open-failures">Open failures: ${rec.open}${rec.open > 0 ? ' (not recovered by the end of the period)' : ''}</p>
    ${releases(r.releases)}`;
}

function releases(list: DoraRelease[]): Html {
  if (list.length === 0) return html`<p class="none">No release reached this environment in the period.</p>`;
  return html`<table class="releases">
    <caption>
      Releases
    </caption>
    <thead>
      <tr>
        <th scope="col">Release</th>
        <th scope="col">Deployed</th>
        <th scope="col">Lead time</th>
        <th scope="col">Outcome</th>
      </tr>
    </thead>
    <tbody>
      ${list.map(
        (r) =>
          html`<tr>
            <td><a href="/releases/${encodeURIComponent(r.promotion)}">${r.version}</a></td>
            <td>${time(r.deployedAt)}</td>
            <td>${duration(r.leadTimeSeconds)}</td>
            <td>${outcome(r)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function outcome(r: DoraRelease): Html {
  if (r.failure) {
    const { cause, detectedAt, recoveredAt } = r.failure;
    return html`change failure (${cause}), detected ${time(detectedAt)}, ${recoveredAt === null ? 'not recovered' : html`recovered ${time(recoveredAt)}`}`;
  }
  if (r.caught) return html`caught by its canary`;
  return html`${r.deployedAt === null ? 'not fully promoted' : 'deployed'}`;
}
