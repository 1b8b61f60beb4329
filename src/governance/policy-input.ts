/**
 * What a policy's `when` sees (docs/governance.md), declared once: the CEL environment that
 * type-checks every `when` at validate time, the JSON shape the activity and `ramp policy test`
 * fill in, and the conversion between the two. A field that is not known is absent (test it
 * with `has(release.sourceCommit)`), never null.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { PolicyCheckpoint } from '../schema/policies.js';

/** A person as policies see them (src/identity/actor.ts, without the issuer). */
export interface PolicyActor {
  subject: string;
  name: string;
  email?: string;
  groups: string[];
  /** oidc, service-token, local-unverified … */
  method: string;
}

/** The policy input as JSON: what the activity computes and what a test case writes (partially). */
export interface PolicyInput {
  checkpoint: PolicyCheckpoint;
  release: { pipeline: string; version: string; image: string; sourceCommit?: string; authors: string[] };
  stage: { name: string; path: string; index: number; kind: 'promote' | 'rollback'; attempt: number };
  /** commit: the change about to be written; elsewhere empty. `lines`: the `-`/`+` lines, prefixed. */
  diff: { files: string[]; changedLines: number; lines: string[] };
  approvals: { gate: string; actor: PolicyActor; channel: string; at: string }[];
  analysis: { name: string; phase: string }[];
  /** ISO-8601, the instant of the evaluation. */
  now: string;
  /** Who asked for the promotion (verified, or the typed name with method local-unverified). */
  requester: PolicyActor;
  /** ISO-8601 instants from the pipeline's commits: its last rollback and its last release that reached the last stage. */
  history: { lastFailureAt?: string; lastProductionSuccessAt?: string };
  /** The stage's deploy windows (open with reason "no windows" when it has none). */
  window: { open: boolean; reason: string; nextOpen?: string; nextClose?: string };
}

const ACTOR = { subject: 'string', name: 'string', email: 'string', groups: 'list<string>', method: 'string' } as const;

/** The CEL declaration of PolicyInput; the field types are the JSON ones, with ints and timestamps. */
export const policyEnvironment = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 50 } })
  .registerType({ name: 'ramp.Actor', schema: ACTOR })
  .registerType({ name: 'ramp.Approval', fields: { gate: 'string', actor: 'ramp.Actor', channel: 'string', at: 'google.protobuf.Timestamp' } })
  .registerType({ name: 'ramp.Analysis', fields: { name: 'string', phase: 'string' } })
  .registerVariable('checkpoint', 'string', { description: 'stage-start, commit, full-promotion or rollback.' })
  .registerVariable({
    name: 'release',
    schema: { pipeline: 'string', version: 'string', image: 'string', sourceCommit: 'string', authors: 'list<string>' },
    description: 'The release being promoted.',
  })
  .registerVariable({ name: 'stage', schema: { name: 'string', path: 'string', index: 'int', kind: 'string', attempt: 'int' } })
  .registerVariable({ name: 'diff', schema: { files: 'list<string>', changedLines: 'int', lines: 'list<string>' } })
  .registerVariable('approvals', 'list<ramp.Approval>')
  .registerVariable('analysis', 'list<ramp.Analysis>')
  .registerVariable('now', 'google.protobuf.Timestamp')
  .registerVariable('requester', 'ramp.Actor')
  .registerVariable({ name: 'history', schema: { lastFailureAt: 'google.protobuf.Timestamp', lastProductionSuccessAt: 'google.protobuf.Timestamp' } })
  .registerVariable({
    name: 'window',
    schema: { open: 'bool', reason: 'string', nextOpen: 'google.protobuf.Timestamp', nextClose: 'google.protobuf.Timestamp' },
  });

export type WhenCheck = { ok: true } | { ok: false; error: string };

/** Whether `when` parses and type-checks to a bool over the policy input. */
export function checkPolicyWhen(when: string): WhenCheck {
  try {
    const check = policyEnvironment.check(when);
    if (!check.valid) return { ok: false, error: firstLine(check.error?.message ?? 'invalid expression') };
    if (check.type !== 'bool' && check.type !== 'dyn') return { ok: false, error: `it evaluates to ${check.type}, not bool` };
    return { ok: true };
  } catch (error) {
    return { ok: false, error: firstLine(error instanceof Error ? error.message : String(error)) };
  }
}

/** PolicyInput as CEL values: ints as bigint, instants as Dates, absent fields left out. */
export function toCelContext(input: PolicyInput): Record<string, unknown> {
  const actor = (a: PolicyActor) => ({ subject: a.subject, name: a.name, ...(a.email ? { email: a.email } : {}), groups: a.groups, method: a.method });
  const instant = (iso: string | undefined) => (iso === undefined ? {} : { value: new Date(iso) });
  const optionalInstant = (key: string, iso: string | undefined) => {
    const at = instant(iso);
    return 'value' in at ? { [key]: at.value } : {};
  };
  return {
    checkpoint: input.checkpoint,
    release: {
      pipeline: input.release.pipeline,
      version: input.release.version,
      image: input.release.image,
      authors: input.release.authors,
      ...(input.release.sourceCommit ? { sourceCommit: input.release.sourceCommit } : {}),
    },
    stage: { ...input.stage, index: BigInt(input.stage.index), attempt: BigInt(input.stage.attempt) },
    diff: { files: input.diff.files, changedLines: BigInt(input.diff.changedLines), lines: input.diff.lines },
    approvals: input.approvals.map((a) => ({ gate: a.gate, actor: actor(a.actor), channel: a.channel, at: new Date(a.at) })),
    analysis: input.analysis,
    now: new Date(input.now),
    requester: actor(input.requester),
    history: {
      ...optionalInstant('lastFailureAt', input.history.lastFailureAt),
      ...optionalInstant('lastProductionSuccessAt', input.history.lastProductionSuccessAt),
    },
    window: {
      open: input.window.open,
      reason: input.window.reason,
      ...optionalInstant('nextOpen', input.window.nextOpen),
      ...optionalInstant('nextClose', input.window.nextClose),
    },
  };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
