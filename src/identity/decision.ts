/**
 * Decisions people take through `ramp server`, as the workflows receive them: the server signs
 * a decision (EdDSA JWS, `typ: ramp-decision+jwt`) naming who decided what about which release,
 * stage, gate, attempt and commit; the worker verifies the signature (activities/identity.ts)
 * and the workflow checks the binding against its own state (`bindingRefusal`). A decision for
 * another release, stage, gate or attempt is refused; its id is the Temporal Update id, so a
 * repeat is a duplicate, never a second approval. Pure: workflows use it.
 */
import type { Actor } from './actor.js';

/** What a decision does; the Update (or start) it travels with. */
export const DecisionAction = {
  Promote: 'promote',
  Rollback: 'rollback',
  Approve: 'approve',
  Reject: 'reject',
  Pause: 'pause',
  Resume: 'resume',
  Skip: 'skip',
  Abort: 'abort',
  Retry: 'retry',
  Drift: 'drift',
  /** Run a stage outside its deploy window or through a freeze (reason required). */
  WindowOverride: 'window-override',
  /** Declare or lift an organisation-wide freeze. */
  Freeze: 'freeze',
  /** Acknowledge a rewritten branch (force-push) so that ramp writes to it again. */
  HistoryAck: 'history-ack',
} as const;
export type DecisionAction = (typeof DecisionAction)[keyof typeof DecisionAction];

/**
 * Where a person took a decision: the CLI (`ramp approve`, through the server or straight to
 * Temporal), the web page, a signed approval link, a Slack button. The actor's `method` says how
 * their identity was established; the channel says where they clicked.
 */
export const DecisionChannel = { Cli: 'cli', Web: 'web', Link: 'link', Slack: 'slack' } as const;
export type DecisionChannel = (typeof DecisionChannel)[keyof typeof DecisionChannel];

/** What a decision is about. Fields the action does not concern are null. */
export interface DecisionTarget {
  /** The promotion (workflow id); for drift decisions, the drift watch's id. */
  promotionId: string;
  pipeline: string;
  version: string;
  stage: string | null;
  /** The approval's gate (`gate`, `step 3`), for approve and reject. */
  gate: string | null;
  /** The stage attempt the decision was taken on. */
  attempt: number | null;
  /** The Git commit the gate is bound to (see ApprovalRecord.commit), for approve and reject. */
  commit: string | null;
}

/** The signed claims of a decision. */
export interface DecisionClaims {
  /** Unique; the Temporal Update id it is sent with. */
  decisionId: string;
  action: DecisionAction;
  actor: Actor;
  target: DecisionTarget;
  /** Where it was taken; absent in decisions signed before channels were recorded (read as `cli`). */
  channel?: DecisionChannel;
  /** ISO-8601: when the server signed it, and until when it may be used. */
  issuedAt: string;
  expiresAt: string;
}

/** What the worker concluded about a command's identity (the result of `authenticateCommand`). */
export type Authentication =
  | { verified: true; actor: Actor; claims: DecisionClaims }
  | { verified: false; actor: Actor; /** Why the command must not count; null when unverified commands are allowed here. */ refusal: string | null };

/**
 * Why signed `claims` do not apply to `expected` (the workflow's own view of the decision it is
 * about to take), or null when they do. Every field the workflow knows must match exactly.
 */
export function bindingRefusal(claims: DecisionClaims, action: DecisionAction, expected: Partial<DecisionTarget>): string | null {
  if (claims.action !== action) return `this decision was signed to ${claims.action}, not to ${action}`;
  const mismatches: string[] = [];
  for (const key of Object.keys(expected) as (keyof DecisionTarget)[]) {
    const want = expected[key];
    if (want === undefined) continue;
    const got = claims.target[key];
    if (got !== want) mismatches.push(`${key} ${describe(got)} (this is ${describe(want)})`);
  }
  if (mismatches.length === 0) return null;
  return `this decision was taken on another state: ${mismatches.join(', ')}. Look at the status again and decide anew`;
}

function describe(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '(none)' : String(value);
}
