/**
 * Signed approval links (docs/notifications.md): one per approver per gate, put in the e-mail,
 * chat or webhook message that asks for an approval. The worker signs the link's token with its
 * link key (Ed25519, `RAMP_LINK_SIGNING_KEY_FILE`); `ramp server` verifies it with the public
 * keys (`RAMP_SERVER_LINK_KEYS_FILE`). A link decides nothing by itself: opening it shows a
 * confirm page, and the decision is a POST after signing in as the approver it names, sent with
 * the link's id as the decision id — so the workflow refuses a second use, and a link for a
 * gate, commit or attempt that has moved on is refused by the binding check (decision.ts).
 * Node only (jose): never imported by workflows.
 */
import { SignJWT, createLocalJWKSet, errors, importJWK, jwtVerify, type JSONWebKeySet } from 'jose';
import type { DecisionSigningKey } from './decision-signature.js';
import type { DecisionTarget } from './decision.js';

/** The JWS header's `typ`, the issuer and the audience of every approval link. */
export const APPROVAL_LINK_TYPE = 'ramp-approval-link+jwt';
const ISSUER = 'ramp-worker';
const AUDIENCE = 'ramp-server';
const CLOCK_TOLERANCE_S = 60;
/** Tokens longer than this are refused before any parsing (a link is a few hundred bytes). */
const MAX_TOKEN_LENGTH = 4096;

/** How long a link may be used unless the route says otherwise. */
export const APPROVAL_LINK_TTL_MS = 24 * 60 * 60_000;

export interface ApprovalLinkClaims {
  /** Unique; the decision id the approval is sent with, so a link decides at most once. */
  linkId: string;
  /** Who may use it: a user as the pipeline names approvers (an e-mail address or a subject). */
  approver: string;
  /** The gate the link decides: promotion, pipeline, version, stage, gate, attempt and commit. */
  target: DecisionTarget;
  /** ISO-8601. */
  issuedAt: string;
  expiresAt: string;
}

/** Signs a link's claims with the worker's link key. */
export async function signApprovalLink(claims: ApprovalLinkClaims, key: DecisionSigningKey): Promise<string> {
  const privateKey = await importJWK(key.jwk, 'EdDSA');
  return new SignJWT({ ramp: { approver: claims.approver, target: claims.target } })
    .setProtectedHeader({ alg: 'EdDSA', typ: APPROVAL_LINK_TYPE, kid: key.kid })
    .setJti(claims.linkId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(Date.parse(claims.issuedAt) / 1000))
    .setExpirationTime(Math.floor(Date.parse(claims.expiresAt) / 1000))
    .sign(privateKey);
}

export type ApprovalLinkVerification = { ok: true; claims: ApprovalLinkClaims } | { ok: false; reason: string };

/**
 * Verifies a link's token: size, signature (EdDSA only), type, issuer, audience, expiry and the
 * shape of what it binds. Never throws; the reason is safe to show (it never echoes the token).
 */
export async function verifyApprovalLink(token: string, publicKeys: JSONWebKeySet, now: Date = new Date()): Promise<ApprovalLinkVerification> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'the approval link is too long to be one of ramp’s' };
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(publicKeys), {
      algorithms: ['EdDSA'],
      typ: APPROVAL_LINK_TYPE,
      issuer: ISSUER,
      audience: AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: now,
      requiredClaims: ['jti', 'iat', 'exp'],
    });
    const ramp = payload.ramp as { approver?: unknown; target?: unknown } | undefined;
    if (!ramp || typeof ramp.approver !== 'string' || ramp.approver === '' || !isTarget(ramp.target)) {
      return { ok: false, reason: 'the approval link does not name an approver and a gate' };
    }
    return {
      ok: true,
      claims: {
        linkId: payload.jti!,
        approver: ramp.approver,
        target: ramp.target,
        issuedAt: new Date(payload.iat! * 1000).toISOString(),
        expiresAt: new Date(payload.exp! * 1000).toISOString(),
      },
    };
  } catch (error) {
    return { ok: false, reason: linkFailure(error) };
  }
}

function isTarget(value: unknown): value is DecisionTarget {
  if (!value || typeof value !== 'object') return false;
  const t = value as Record<string, unknown>;
  const text = (k: string) => typeof t[k] === 'string';
  const textOrNull = (k: string) => t[k] === null || typeof t[k] === 'string';
  return (
    text('promotionId') &&
    text('pipeline') &&
    text('version') &&
    text('stage') &&
    text('gate') &&
    textOrNull('commit') &&
    (t.attempt === null || typeof t.attempt === 'number')
  );
}

function linkFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the approval link has expired; ask for a new one or decide on the release page';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'the approval link’s signature does not verify (it was altered, or signed with a key this server does not know)';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the approval link is not signed with EdDSA';
  if (error instanceof errors.JWTClaimValidationFailed) return `the approval link is not for this server (${error.claim} ${error.reason})`;
  return 'the approval link is malformed';
}
