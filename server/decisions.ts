/**
 * Every decision the server forwards is signed (src/identity/decision-signature.ts): a fresh
 * id, which is also the Temporal Update id (so a repeat is a duplicate), the authenticated
 * actor, what it is about, where it was taken (the channel: a browser session is `web`, a
 * bearer or service token `cli`, a signed approval link `link`, a Slack button `slack`), and an
 * expiry a few minutes out. An approval link's decision carries the link's id instead of a
 * fresh one, so that the workflow refuses its second use.
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../src/identity/actor.js';
import { DecisionChannel, type DecisionAction, type DecisionClaims, type DecisionTarget } from '../src/identity/decision.js';
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

/** Where the decision was taken (default `cli`) and, for approval links, the fixed decision id (the link's id). */
export interface DecisionOrigin {
  channel?: DecisionChannel;
  decisionId?: string;
}

export type DecisionSigner = (action: DecisionAction, actor: Actor, target: DecisionTarget, origin?: DecisionOrigin) => Promise<SignedDecision>;

/** Claims for a decision taken now. */
export function decisionClaims(
  action: DecisionAction,
  actor: Actor,
  target: DecisionTarget,
  now: Date,
  decisionId: string = randomUUID(),
  channel: DecisionChannel = DecisionChannel.Cli,
): DecisionClaims {
  return {
    decisionId,
    action,
    actor,
    target,
    channel,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + DECISION_TTL_MS).toISOString(),
  };
}

export function decisionSigner(key: DecisionSigningKey, now: () => Date = () => new Date()): DecisionSigner {
  return async (action, actor, target, origin = {}) => {
    const claims = decisionClaims(action, actor, target, now(), origin.decisionId ?? randomUUID(), origin.channel ?? DecisionChannel.Cli);
    return { decisionId: claims.decisionId, token: await signDecision(claims, key), claims };
  };
}
