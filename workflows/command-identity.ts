/**
 * Who sent an operator command, established once per command: the worker verifies the decision
 * signed by `ramp server`, if any (activities/identity.ts, a local activity), and the workflow
 * checks that the decision is about what it is about to do — this promotion, stage, attempt,
 * gate and commit — and was not used before. Histories recorded before the patch read every
 * command as the unverified name it carried.
 */
import { ApplicationFailure, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { unverifiedActor, type Actor } from '../src/identity/actor.js';
import { bindingRefusal, type Authentication, type DecisionAction, type DecisionTarget } from '../src/identity/decision.js';
import type { OperatorArgs } from './messages.js';

/** Commands (and promotions) carry verified identities, gates are bound to a commit. */
export const VERIFIED_DECISIONS_PATCH = 'verified-decisions';

const identity = proxyLocalActivities<RampActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

/** The ApplicationFailure type of refusals about who the caller is or what they may do (HTTP 403). */
export const FORBIDDEN = 'Forbidden';

/** The worker's view of who sent `args` (before the patch: the unverified name, no activity). */
export async function authenticate(args: Pick<OperatorArgs, 'actor' | 'decision'>, action: DecisionAction, needsVerified: boolean): Promise<Authentication> {
  if (!patched(VERIFIED_DECISIONS_PATCH)) return { verified: false, actor: unverifiedActor(args.actor), refusal: null };
  return identity.authenticateCommand({ action, actor: args.actor, needsVerified, ...(args.decision ? { decision: args.decision } : {}) });
}

/**
 * Why an authenticated command must not count, or null: the worker's refusal, a decision about
 * another state (`expected`), or a decision already used (`used`: the ids taken so far).
 */
export function identityRefusal(auth: Authentication, action: DecisionAction, expected: Partial<DecisionTarget>, used: readonly string[]): string | null {
  if (!auth.verified) return auth.refusal;
  const binding = bindingRefusal(auth.claims, action, expected);
  if (binding !== null) return binding;
  if (used.includes(auth.claims.decisionId)) return `this decision (${auth.claims.decisionId}) was already used; decide anew`;
  return null;
}

/** A refusal about identity or permission, for the caller (after it is on the record). */
export function forbidden(reason: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(reason, FORBIDDEN);
}

export type { Actor };
