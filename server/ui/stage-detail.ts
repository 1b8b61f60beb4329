/**
 * One stage of the release page in detail: its steps (set weight vs live weight), analyses
 * (every measurement, a chart per metric, judge scores), approvals (who, when, channel, the
 * rules still open), webhooks, commits and reverts. Pure; every value escaped by `html`.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { analysisMarker, describeMeasurement, formatMeasured } from '../../cli/render/analysis.js';
import { Marker, shortSha, stepMarker } from '../../cli/render/format.js';
import type { Measurement } from '../../src/domain/analysis/measurement.js';
import type { ApprovalRecord, Decision } from '../../src/domain/approval.js';
import { progress, type GateContext } from '../../src/domain/gate-decision.js';
import { readActor } from '../../src/identity/actor.js';
import type { JudgeResult } from '../../src/domain/judge/types.js';
import type { StageSpec } from '../../src/schema/pipeline.js';
import type { AnalysisResult, MetricRecord } from '../../workflows/analysis-messages.js';
import type { CommitRecord, PromotionStatus, StageStatus, StepRecord } from '../../workflows/messages.js';
import { metricChart } from './chart.js';
import { mark, time } from './marks.js';
import type { PinnedRelease } from './pinned.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export function stageDetail(promotion: PromotionStatus, s: StageStatus, pinned: PinnedRelease | null): Html {
  const spec = pinned?.pipeline.stages.find((x) => x.name === s.stage) ?? null;
  const webhooks = s.events.filter((e) => e.kind === 'webhook');
  return html`<div class="detail">
    <p class="message">${s.message}</p>
    ${s.strategy === 'canary' ? steps(s) : html`<p class="strategy">Direct: the version is written in one commit.</p>`}
    ${
      (s.analyses ?? []).length > 0
        ? html`<h4>Analysis</h4>
            ${(s.analyses ?? []).map((run, i) => analysisRun(`${s.stage}-${i}`, run))}`
        : ''
    }
    ${
      s.approvals.length > 0
        ? html`<h4>Approvals</h4>
            <ul class="approvals">
              ${s.approvals.map((a) => approvalItem(promotion, s, spec, pinned, a))}
            </ul>`
        : ''
    }
    ${
      (s.overrides ?? []).length > 0
        ? html`<h4>Overrides</h4>
            <ul class="overrides">
              ${(s.overrides ?? []).map(
                (o) =>
                  html`<li>${mark(Marker.overridden, 'overridden')} ${o.actor} ${o.kind === 'Skip' ? 'skipped' : 'resumed past'} ${o.what} ${time(o.at)}</li>`,
              )}
            </ul>`
        : ''
    }
    ${
      (s.policyDecisions ?? []).some((d) => d.matched)
        ? html`<h4>Policies</h4>
            <ul class="policies">
              ${(s.policyDecisions ?? [])
                .filter((d) => d.matched)
                .map((d) => html`<li>${time(d.at)} ${d.effect} <code>${d.policy}</code> (${d.hash.slice(0, 12)}) at ${d.checkpoint}: ${d.message}</li>`)}
            </ul>`
        : ''
    }
    ${
      webhooks.length > 0
        ? html`<h4>Webhooks</h4>
            <ul class="webhooks">
              ${webhooks.map((e) => html`<li>${time(e.at)} ${e.message}</li>`)}
            </ul>`
        : ''
    }
    ${commits(s)} ${s.failure ? html`<p class="failure">${mark(Marker.failed, 'failed')} ${s.failure.reason}: ${s.failure.message}</p>` : ''}
  </div>`;
}

// ---------------------------------------------------------------- steps

/** The weight a commit set, from its step key (`<attempt>/<step>/canary/<weight>`, `<attempt>/<step>/setWeight-<weight>`, `<attempt>/promote`, …); null when it set none. */
export function commitWeight(step: string): { weight: number; what: string } | null {
  const parts = step.split('/');
  const weight = parts[2] === 'canary' ? parts[3] : /^setWeight-(\d+)$/.exec(parts[2] ?? '')?.[1];
  if (weight !== undefined && /^\d+$/.test(weight)) return { weight: Number(weight), what: `canary at ${weight}%` };
  if (parts[1] === 'promote' || parts[1] === 'update') return { weight: 100, what: 'fully promoted' };
  if (parts[1] === 'rollback') return { weight: 0, what: 'rolled back' };
  return null;
}

/** What is live in the cluster, by the commit the sync last saw healthy; null without a sync mode. */
export function liveState(s: StageStatus): string | null {
  if (!s.live) return null;
  const commit = s.commits.find((c) => c.sha === s.live!.sha);
  const set = commit ? commitWeight(commit.step) : null;
  return `${set ? set.what : `commit ${shortSha(s.live.sha)}`} (seen live and healthy ${new Date(s.live.at).toISOString().slice(11, 19)} UTC: ${s.live.message})`;
}

function steps(s: StageStatus): Html {
  const paused = s.phase === 'Paused' || s.phase === 'AwaitingApproval';
  const live = liveState(s);
  return html`<p class="weights">
      Canary weight written to Git: <strong>${s.phase === 'RolledBack' ? 'reverted' : `${s.canaryWeight}%`}</strong>; live:
      <strong>${live ?? 'not observed (the stage has no sync mode)'}</strong>
    </p>
    <ol class="steps">
      ${s.steps.map((step) => stepItem(s, step, paused))}
    </ol>`;
}

function stepItem(s: StageStatus, step: StepRecord, paused: boolean): Html {
  const m = stepMarker(step.status, paused);
  const set = /^setWeight (\d+)/.exec(step.label)?.[1];
  const commit = s.commits.filter((c) => c.step.split('/')[1] === String(step.index)).at(-1);
  const isLive = commit !== undefined && s.live?.sha === commit.sha;
  return html`<li data-status="${step.status}" ${step.index === s.currentStep ? html`aria-current="step"` : ''}>
    ${mark(m, step.status)} ${step.index + 1}. ${step.label} <span class="status">${step.status}</span>
    ${set !== undefined ? html`<span class="weight">set ${set}%${commit ? html`, written in <code>${shortSha(commit.sha)}</code>` : ''}${isLive ? ', live now' : ''}</span>` : ''}
  </li>`;
}

// ---------------------------------------------------------------- analysis

function analysisRun(id: string, run: AnalysisResult): Html {
  const m = analysisMarker(run.phase);
  return html`<section class="analysis" aria-label="${run.label}">
    <p>${mark(m, run.phase)} <strong>${run.label}</strong>${run.message ? html`: ${run.message}` : ''}</p>
    ${run.metrics.map((metric, i) => metricBlock(`chart-${id}-${i}`.replace(/[^A-Za-z0-9_-]/g, '-'), metric))}
  </section>`;
}

function metricBlock(id: string, metric: MetricRecord): Html {
  const m = analysisMarker(metric.phase);
  const latest = metric.measurements.at(-1);
  const judgement = latest ? judgementOf(latest) : null;
  return html`<div class="metric">
    <p>
      ${mark(m, metric.phase)} <strong>${metric.name}</strong>${metric.dryRun ? ' (dry run)' : ''}:
      ${latest ? describeMeasurement(latest) : 'not measured yet'}${metric.message && metric.phase !== 'Running' && metric.phase !== 'Pending' ? html`; ${metric.message}` : ''}
    </p>
    ${metric.measurements.length > 0 ? metricChart(id, metric.name, metric.measurements) : ''} ${judgement ? judgeTable(judgement) : ''}
    ${
      metric.measurements.length > 0
        ? html`<table class="measurements">
            <caption>
              Every measurement of ${metric.name} (the latest ${metric.measurements.length}; ${metric.counters.successful} successful, ${metric.counters.failed}
              failed, ${metric.counters.inconclusive} inconclusive, ${metric.counters.error} errors in all)
            </caption>
            <thead>
              <tr>
                <th scope="col">At</th>
                <th scope="col">Value</th>
                <th scope="col">Condition and verdict</th>
                <th scope="col">Phase</th>
              </tr>
            </thead>
            <tbody>
              ${metric.measurements.map(
                (x) =>
                  html`<tr>
                    <td>${time(x.startedAt)}</td>
                    <td>${formatMeasured(x.value)}</td>
                    <td>${x.message ?? x.error ?? ''}</td>
                    <td>${mark(analysisMarker(x.phase), x.phase)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
  </div>`;
}

/** A judge's measurement carries its judgement (activities/judge.ts): the score's parts per metric. */
function judgementOf(measurement: Measurement): JudgeResult | null {
  const judgement = (measurement as Measurement & { judgement?: JudgeResult | null }).judgement;
  return judgement && Array.isArray(judgement.metrics) ? judgement : null;
}

function judgeTable(j: JudgeResult): Html {
  return html`<table class="judge">
    <caption>
      Judge score ${j.score} (${j.classification}): ${j.reason}
    </caption>
    <thead>
      <tr>
        <th scope="col">Metric</th>
        <th scope="col">Classification</th>
        <th scope="col">Canary / baseline mean</th>
        <th scope="col">Why</th>
      </tr>
    </thead>
    <tbody>
      ${j.metrics.map(
        (r) =>
          html`<tr>
            <td>${r.name}${r.critical ? ' (critical)' : ''}</td>
            <td>${r.classification}</td>
            <td>${r.meanRatio === null ? '-' : formatMeasured(r.meanRatio)}</td>
            <td>${r.reason}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

// ---------------------------------------------------------------- approvals

const CHANNEL_WORDS: Record<string, string> = { cli: 'via the CLI', web: 'on the web page', link: 'via link', slack: 'via Slack' };

function decisionLine(d: Decision, verb: string, m: Marker): Html {
  return html`<li>
    ${mark(m, verb)} <strong>${d.actor}</strong> ${verb}
    ${time(d.at)}${d.channel ? html` ${CHANNEL_WORDS[d.channel] ?? `via ${d.channel}`}` : ''}${d.comment ? html`: <q>${d.comment}</q>` : ''}
  </li>`;
}

function approvalItem(promotion: PromotionStatus, s: StageStatus, spec: StageSpec | null, pinned: PinnedRelease | null, a: ApprovalRecord): Html {
  const context: GateContext | null = spec
    ? {
        pipeline: promotion.pipeline,
        stage: spec,
        access: pinned?.pipeline.access ?? null,
        groups: s.groups ?? {},
        release: { starter: readActor(promotion.requester ?? promotion.requestedBy), authors: pinned?.release?.authors ?? [] },
      }
    : null;
  const rules = context ? progress(a, context) : null;
  const count = rules ? rules.summary : `${new Set(a.approvals.map((d) => d.actor)).size}/${a.minApprovals}`;
  const open = a.outcome === 'Pending' ? (rules ? rules.missing : [`${Math.max(0, a.minApprovals - a.approvals.length)} more approver(s)`]) : [];
  const m = a.outcome === 'Approved' ? Marker.succeeded : a.outcome === 'Pending' ? Marker.paused : Marker.failed;
  return html`<li class="gate" data-outcome="${a.outcome}">
    <p>
      ${mark(m, a.outcome)} <strong>${a.gate}</strong>: ${count}; approvers
      ${(a.approvers ?? a.eligible).join(', ') || '(nobody)'}${a.deadline && a.outcome === 'Pending' ? html`; until ${time(a.deadline)}` : ''}
    </p>
    ${open.length > 0 ? html`<p class="open">Still open: ${open.join('; ')}</p>` : ''}
    <ul class="decisions">
      ${a.approvals.map((d) => decisionLine(d, 'approved', Marker.succeeded))} ${a.rejection ? decisionLine(a.rejection, 'rejected', Marker.failed) : ''}
      ${a.refused.map(
        (d) => html`<li class="refused">${mark(Marker.failed, 'refused')} ${d.actor} tried to ${d.action} ${time(d.at)}, refused: ${d.reason}</li>`,
      )}
    </ul>
  </li>`;
}

// ---------------------------------------------------------------- commits

/** What a commit did, from its `commit` event (`canary 1.4.2 at 20%: a1b2c3d4e5f6`). */
export function commitWhat(s: StageStatus, commit: CommitRecord): string {
  const event = s.events.find((e) => e.kind === 'commit' && e.message.includes(commit.sha.slice(0, 12)));
  return event ? event.message.replace(/: [0-9a-f]{12}( \(found from an earlier attempt\))?$/, '$1') : (commitWeight(commit.step)?.what ?? commit.step);
}

/** The lines the commit changed, `-` and `+` in text (not only colour); absent in records from before diffs were kept. */
function diff(c: CommitRecord): Html {
  if (!c.diff || c.diff.length === 0) return html``;
  return html`<details class="diff">
    <summary>the lines ramp changed</summary>
    ${c.diff.map(
      (f) =>
        html`<p class="file"><code>${f.file}</code></p>
          <pre>
${f.lines.map((l) => html`<span class="${l.op === '+' ? 'added' : 'removed'}">${l.op} ${l.text} </span>`)}${
              f.omitted > 0
                ? `… ${f.omitted} more line(s)
`
                : ''
            }</pre>`,
    )}
  </details>`;
}

function commits(s: StageStatus): Html {
  if (s.commits.length === 0 && s.reverts.length === 0) return html``;
  return html`<h4>Commits ramp wrote</h4>
    <ul class="commits">
      ${s.commits.map(
        (c) =>
          html`<li>
            <code title="${c.sha}">${shortSha(c.sha)}</code> ${commitWhat(s, c)}
            ${time(c.at)}${s.live?.sha === c.sha ? html` <span class="live">(live)</span>` : ''} ${diff(c)}
          </li>`,
      )}
      ${s.reverts.map((r) => html`<li><code title="${r.sha}">${shortSha(r.sha)}</code> reverts <code>${shortSha(r.reverted)}</code> ${time(r.at)}</li>`)}
    </ul>`;
}
