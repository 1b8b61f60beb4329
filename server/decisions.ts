/**
 * Every decision the server forwards is signed (src/identity/decision-signature.ts): a fresh
 * id, which is also the Temporal Update id (so a repeat is a duplicate), the authenticated
 * actor, what it is about, and an expiry a few minutes out.
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../src/identity/actor.js';
import type { DecisionAction, DecisionClaims, DecisionTarget } from '../src/identity/decision.js';
import { signDecision, type DecisionSigningKey } from '../src/identity/decision-signature.js';

/** How long a signed decision may be used. */
export const DECISION_TTL_MS = 5 * 60_000;

export interface SignedDecision {
  /** Also the Update id to send it with. */
  decisionId: string;
  /** The JWS for OperatorArgs.decision / PromotionInput.decision. */
  token: string;
  claims: DecisionClaims;
}

export type DecisionSigner = (action: DecisionAction, actor: Actor, target: DecisionTarget) => Promise<SignedDecision>;

/** Claims for a decision taken now. */
export function decisionClaims(action: DecisionAction, actor: Actor, target: DecisionTarget, now: Date, decisionId: string = randomUUID()): DecisionClaims {
  return {
    decisionId,
    action,
    actor,
    target,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + DECISION_TTL_MS).toISOString(),
  };
}

export function decisionSigner(key: DecisionSigningKey, now: () => Date = () => new Date()): DecisionSigner {
  return async (action, actor, target) => {
    const claims = decisionClaims(action, actor, target, now());
    return { decisionId: claims.decisionId, token: await signDecision(claims, key), claims };
  };
}
