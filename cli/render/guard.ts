/** `ramp guard`: one block per watched repository — ok, or rewritten with the missing commits and what to do. */
import type { GuardStatus } from '../../workflows/guard-messages.js';

export function renderGuards(guards: readonly GuardStatus[]): string {
  if (guards.length === 0) return 'no repository is watched yet: a history guard starts with ramp\u2019s first push to a repository\n';
  return guards.map(renderGuard).join('\n');
}

function renderGuard(g: GuardStatus): string {
  const lines: string[] = [];
  const tips = g.branches.map((b) => `${b.branch} ${b.tip ? b.tip.slice(0, 12) : '(absent)'}`).join(', ');
  const checked = g.lastCheck ? `last checked ${g.lastCheck.at}` : 'not checked yet';
  if (g.rewritten) {
    lines.push(`${g.url} (${g.branch}): REWRITTEN since ${g.rewritten.detectedAt} — ramp writes nothing here until acknowledged`);
    for (const m of g.rewritten.missing)
      lines.push(`  missing ${m.sha} on ${m.branch} (${m.seenAs === 'tip' ? 'its tip at an earlier check' : 'pushed by ramp'})`);
    lines.push(`  acknowledge: ramp guard ack ${g.pipelines[0] ?? '<pipeline>'} --reason "…"  (${checked})`);
  } else {
    lines.push(`${g.url} (${g.branch}): ${g.phase === 'Ok' ? 'ok' : g.phase} — ${g.phase === 'Ok' ? `watching ${tips}` : g.message}; ${checked}`);
  }
  const ack = g.events.filter((e) => e.kind === 'history-ack').at(-1);
  if (ack) lines.push(`  last acknowledged ${ack.at} by ${ack.actor ?? '(unknown)'}: ${ack.reason ?? ''}`);
  if (g.pipelines.length > 0) lines.push(`  pipelines: ${g.pipelines.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
