/** `ramp audit` and `ramp audit verify`: the tamper-evident trail of decisions (docs/governance.md#audit-trail). */
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { describeVerification } from '../../src/audit/chain.js';
import { auditActorLabel, type AuditRecord } from '../../src/audit/record.js';
import { parseSince } from '../../src/audit/since.js';
import { noBlankFlags } from '../args.js';
import type { Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend, type AuditTrailVerification } from '../backend.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Show the audit trail of decisions (who approved, refused, overrode, aborted …), or verify that it is intact',
  usage: `ramp audit [--pipeline NAME] [--since 7d|ISO] [--json]
ramp audit verify [--pipeline NAME] [--json]

  Every decision — promotions and rollbacks asked for, approvals and rejections, refusals,
  overrides, aborts, pause/resume/skip/retry, policy decisions, window overrides, drift
  decisions — is a record on the branch ramp/audit of the pipeline's GitOps repository, with the
  verified actor (or the name nobody verified, marked so), the channel, the time and what it was
  bound to. Each record carries the hash of the one before it. A worker reads the repository (it
  holds the credentials). Without --pipeline: every pipeline's repository in the pipelines directory.

  --pipeline NAME   only this pipeline's decisions
  --since 7d|ISO    only decisions since then (7d, 12h, 30m, or 2026-11-30T09:00:00Z)
  --json            one JSON record per line (verify: the results as JSON)

  verify            checks every record: readable, numbered in order, chained to the one before,
                    hashed over its content, and that each commit of the branch only appended.
                    Prints "intact: N records, head <hash>" or "broken at record N (<id>): why".
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('shown (verify: every trail intact)', 'a trail is broken (verify), an invalid pipeline, the repository could not be read, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...backendFlags, pipeline: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    noBlankFlags(values);
    const verb = given[0];
    if (given.length > 1 || (verb !== undefined && verb !== 'verify')) {
      throw new UsageError(`unexpected argument ${given.join(' ')}: ramp audit [--pipeline NAME] [--since …] or ramp audit verify [--pipeline NAME]`);
    }
    if (verb === 'verify') {
      if (values.since !== undefined) throw new UsageError('ramp audit verify checks the whole trail: --since does not apply');
      const results = await withBackend(io, chooseBackend(io, values), (backend) => backend.auditVerify(values.pipeline));
      io.stdout(values.json ? json(results) : renderVerifications(results));
      return results.every((r) => r.verification.intact) ? ExitCode.Ok : ExitCode.Failure;
    }
    let since: string | undefined;
    try {
      since = values.since === undefined ? undefined : parseSince(values.since, new Date()).toISOString();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const records = await withBackend(io, chooseBackend(io, values), (backend) => backend.audit({ pipeline: values.pipeline, since }));
    io.stdout(values.json ? records.map((r) => `${JSON.stringify(r)}\n`).join('') : renderAudit(records));
    return ExitCode.Ok;
  },
};

/** One line per trail. */
export function renderVerifications(results: readonly AuditTrailVerification[]): string {
  return results.map((r) => `${r.trail} (${r.pipelines.join(', ')}): ${describeVerification(r.verification)}\n`).join('');
}

/** A table: time, kind, who (and where), what it was bound to, what. */
export function renderAudit(records: readonly AuditRecord[]): string {
  if (records.length === 0) return 'no decisions on the audit trail (for this selection)\n';
  const rows = records.map((r) => [
    r.at.replace('T', ' ').slice(0, 19),
    r.kind,
    `${auditActorLabel(r.actor)}${r.channel ? ` via ${r.channel}` : ''}`,
    [r.bound.pipeline, r.bound.stage, r.bound.gate].filter((x) => x !== null && x !== '').join('/'),
    r.message,
  ]);
  const header = ['TIME (UTC)', 'DECISION', 'BY', 'ON', 'WHAT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
