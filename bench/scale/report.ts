/** The scale bench's printed report: one block per part, backends side by side with cluster/dev ratios. */
import type { LatencySummary } from '../stats.js';
import type { CanariesResult } from './canaries.js';
import { HISTORY_LIMIT_EVENTS, SUGGEST_CONTINUE_AS_NEW, type HistoryResult } from './history.js';
import type { ParkedResult } from './parked.js';
import type { RepoResult } from './repo.js';

const ms = (s: LatencySummary) => `p50 ${s.msP50} ms, p95 ${s.msP95} ms (max ${s.msMax}, n ${s.n})`;

/** cluster/dev of a figure, when both backends ran. */
function ratio<T extends { backend: string }>(results: T[], figure: (r: T) => number): string {
  const dev = results.find((r) => r.backend === 'dev');
  const cluster = results.find((r) => r.backend === 'cluster');
  if (!dev || !cluster || figure(dev) === 0) return '';
  return `  [cluster/dev ${(figure(cluster) / figure(dev)).toFixed(2)}×]`;
}

export function formatParked(results: ParkedResult[]): string {
  const lines = [`parked: promotions at an approval gate on ONE ramp worker`];
  for (const r of results) {
    lines.push(
      `  [${r.backend}] ${r.parked} parked in ${r.parkSeconds} s, in waves of ${r.wave} (start calls ${r.startCallsSeconds} s); worker RSS ${r.workerRssMiB.idle} MiB idle → ${r.workerRssMiB.parked} MiB parked → ${r.workerRssMiB.afterApprovals} MiB after approvals`,
      `  [${r.backend}] approve (ramp approve's path) acknowledged: ${ms(r.approveAck)}`,
      `  [${r.backend}] approve → gate passed (stage status): ${ms(r.gatePassed)}; ${r.stillParked} still parked`,
    );
  }
  if (results.length > 1) {
    lines.push(
      `  cluster/dev: park time${ratio(results, (r) => r.parkSeconds)}, RSS parked${ratio(results, (r) => r.workerRssMiB.parked)}, ` +
        `approve p50${ratio(results, (r) => r.gatePassed.msP50)}, p95${ratio(results, (r) => r.gatePassed.msP95)}`,
    );
  }
  return lines.join('\n');
}

export function formatCanaries(results: CanariesResult[]): string {
  const lines = [`canaries: advancing at once in ONE GitOps repository`];
  for (const r of results) {
    lines.push(
      `  [${r.backend}] ${r.canaries} canaries on ${r.workers} worker(s): ${r.commits} commits in ${r.wallSeconds} s = ${r.commitsPerSecond} commits/s; ` +
        `pushes ${r.pushes}, push retries ${r.pushRetries}, conflicts ${r.pushConflicts}; ${r.failed} not Succeeded`,
      `  [${r.backend}] engine overhead per step (commit done → the workflow task reacting to it done): ${ms(r.engineOverheadPerStep)}`,
      `  [${r.backend}] between steps (commit done → next commit scheduled; the step's other activities included): ${ms(r.betweenSteps)}`,
      `  [${r.backend}] commit activity (scheduled → completed, queueing included): ${ms(r.commitActivity)}`,
    );
  }
  if (results.length > 1) {
    lines.push(
      `  cluster/dev: commits/s${ratio(results, (r) => r.commitsPerSecond)}, overhead p50${ratio(results, (r) => r.engineOverheadPerStep.msP50)}, ` +
        `p95${ratio(results, (r) => r.engineOverheadPerStep.msP95)}`,
    );
  }
  return lines.join('\n');
}

export function formatRepo(r: RepoResult): string {
  return [
    `repo: ${r.files} files, ${r.commits} commits (${r.packMiB} MiB of objects)`,
    `  plain git clone ${r.plainCloneMs} ms; ramp's first step (clone + commit + push) ${r.firstStepMs} ms`,
    `  commit+push per step, cached clone: ${ms(r.cached)}`,
    `  commit+push per step, fresh clone:  ${ms(r.freshClone)}`,
    `  fresh/cached median: ${r.ratio}×`,
  ].join('\n');
}

export function formatHistory(h: HistoryResult): string {
  const lines = ['history: events per promotion (preview direct → staging canary → production approval gate)'];
  for (const r of h.runs) {
    const stages = Object.entries(r.stages)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ');
    lines.push(`  canary of ${r.canarySteps} steps: promotion workflow ${r.promotion} events; stage workflows: ${stages}`);
  }
  lines.push(
    `  per canary step: ${h.eventsPerCanaryStep} events (a canary stage: ${h.canaryStageBase} + ${h.eventsPerCanaryStep} per step); an approval gate: ${h.approvalGateEvents} events`,
    `  one stage workflow reaches Temporal's continue-as-new suggestion (${SUGGEST_CONTINUE_AS_NEW} events) after ~${h.stepsUntilSuggested} canary steps, ` +
      `its hard limit (${HISTORY_LIMIT_EVENTS}) after ~${h.stepsUntilLimit}`,
  );
  lines.push(
    `  all workflows of both promotions: ${Object.entries(h.workflowsByType)
      .map(([t, w]) => `${t} ${w.count}× ${w.events} events`)
      .join(', ')}`,
  );
  lines.push('  continue-as-new:');
  for (const c of h.continueAsNew) lines.push(`    ${c.file}: ${c.trigger}`);
  return lines.join('\n');
}
