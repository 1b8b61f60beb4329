/** `ramp drift`: per stage, the last comparison of the cluster with Git and what differs. */
import { DriftPhase, type DriftStatus } from '../../workflows/drift-messages.js';
import { formatTime, Marker, paint, shortSha, type RenderOptions } from './format.js';

const EVENTS_SHOWN = 5;

export function renderDrift(pipeline: string, found: { stage: string; status: DriftStatus | null; problem: string | null }[], options: RenderOptions): string {
  const out: string[] = [];
  for (const { stage, status, problem } of found) {
    if (status === null) {
      out.push(`${paint(Marker.pending, `· ${pipeline}/${stage}`, options.color)}  not watched: ${problem ?? 'no watch'}`);
      continue;
    }
    const marker =
      status.phase === DriftPhase.InSync
        ? Marker.succeeded
        : status.phase === DriftPhase.Drifted || status.phase === DriftPhase.CheckFailed
          ? Marker.failed
          : Marker.paused;
    const check = status.lastCheck
      ? `checked ${formatTime(status.lastCheck.at, options)} against ${shortSha(status.lastCheck.sha)}, ${status.lastCheck.compared} object(s)`
      : 'not checked yet';
    out.push(
      `${paint(marker, `${marker} ${pipeline}/${stage}  ${status.phase}`, options.color)}  (${check}; every ${Math.round(status.intervalMs / 1000)} s, policy ${status.policy})`,
    );
    if (status.phase !== DriftPhase.Drifted) out.push(`  ${status.message}`);
    for (const drift of status.drifts) {
      if (drift.missing) {
        out.push(`  ${drift.object}: missing from the cluster`);
        continue;
      }
      out.push(`  ${drift.object}${drift.source ? ` (${drift.source})` : ''}`);
      for (const f of drift.fields) out.push(`    ${f.path}: ${show(f.live)} in the cluster, ${show(f.desired)} in Git`);
    }
    if (status.drifts.length > 0 && status.policy === 'alert')
      out.push(`  → ramp drift ${pipeline} --stage ${stage} --accept (commit it to Git) | --reject (restore Git's state)`);
    const events = status.events.slice(-EVENTS_SHOWN);
    if (events.length > 0) {
      out.push('  events:');
      for (const e of events) out.push(`    ${formatTime(e.at, options)}  ${e.kind}  ${e.message}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
