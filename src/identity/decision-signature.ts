/**
 * Signing and verifying decisions (decision.ts) with Ed25519 keys: `ramp server` signs with its
 * private key; the worker verifies with the servers' public keys (a JWKS, so keys can rotate:
 * publish the new key to the workers, then switch the servers). Node only (jose): never
 * imported by workflows — the worker verifies in an activity (activities/identity.ts).
 */
import { SignJWT, createLocalJWKSet, errors, exportJWK, generateKeyPair, importJWK, jwtVerify, type JSONWebKeySet, type JWK } from 'jose';
import { DecisionChannel, type DecisionClaims } from './decision.js';

/** The JWS header's `typ`, the issuer and the audience of every decision. */
export const DECISION_TYPE = 'ramp-decision+jwt';
const ISSUER = 'ramp-server';
const AUDIENCE = 'ramp-worker';
/** Accepted clock difference between a server and the worker. */
const CLOCK_TOLERANCE_S = 60;

/** A private key as `ramp server` holds it (a JWK with `d` and a `kid`). */
export interface DecisionSigningKey {
  kid: string;
  jwk: JWK;
}

/** A fresh key pair: the private JWK for the servers and the public JWKS for the workers. */
export async function generateDecisionKeys(
  kid = `ramp-${new Date().toISOString().slice(0, 10)}`,
): Promise<{ signing: DecisionSigningKey; publicKeys: JSONWebKeySet }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA', use: 'sig' };
  const pub = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { signing: { kid, jwk }, publicKeys: { keys: [pub] } };
}

/** Signs a decision; it can be used until `claims.expiresAt`. */
export async function signDecision(claims: DecisionClaims, key: DecisionSigningKey): Promise<string> {
  const privateKey = await importJWK(key.jwk, 'EdDSA');
  const ramp = { action: claims.action, actor: claims.actor, target: claims.target, ...(claims.channel ? { channel: claims.channel } : {}) };
  return new SignJWT({ ramp })
    .setProtectedHeader({ alg: 'EdDSA', typ: DECISION_TYPE, kid: key.kid })
    .setJti(claims.decisionId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(Date.parse(claims.issuedAt) / 1000))
    .setExpirationTime(Math.floor(Date.parse(claims.expiresAt) / 1000))
    .sign(privateKey);
}

const CHANNELS: readonly unknown[] = Object.values(DecisionChannel);

export type DecisionVerification = { ok: true; claims: DecisionClaims } | { ok: false; reason: string };

/**
 * Verifies a signed decision against the servers' public keys: the signature (EdDSA only, so
 * `alg: none` and algorithm confusion fail), the type, issuer, audience and expiry. Never
 * throws; the reason says what was wrong without echoing the token.
 */
export async function verifyDecision(token: string, publicKeys: JSONWebKeySet, now: Date = new Date()): Promise<DecisionVerification> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(publicKeys), {
      algorithms: ['EdDSA'],
      typ: DECISION_TYPE,
      issuer: ISSUER,
      audience: AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: now,
      requiredClaims: ['jti', 'iat', 'exp'],
    });
    const ramp = payload.ramp as (Pick<DecisionClaims, 'action' | 'actor' | 'target'> & { channel?: unknown }) | undefined;
    if (!ramp || typeof ramp !== 'object' || !ramp.actor || !ramp.target || typeof ramp.action !== 'string') {
      return { ok: false, reason: 'the signed decision carries no action, actor or target' };
    }
    if (ramp.channel !== undefined && !CHANNELS.includes(ramp.channel)) {
      return { ok: false, reason: `the signed decision names an unknown channel; expected one of ${CHANNELS.join(', ')}` };
    }
    return {
      ok: true,
      claims: {
        decisionId: payload.jti!,
        action: ramp.action,
        actor: ramp.actor,
        target: ramp.target,
        ...(ramp.channel !== undefined ? { channel: ramp.channel as DecisionChannel } : {}),
        issuedAt: new Date(payload.iat! * 1000).toISOString(),
        expiresAt: new Date(payload.exp! * 1000).toISOString(),
      },
    };
  } catch (error) {
    return { ok: false, reason: verificationFailure(error) };
  }
}

function verificationFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the signed decision has expired; decide again';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return "the decision's signature does not verify with the worker's decision keys (RAMP_DECISION_KEYS_FILE)";
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the decision is not signed with EdDSA';
  if (error instanceof errors.JWTClaimValidationFailed) return `the signed decision is not for this worker (${error.claim} ${error.reason})`;
  return 'the signed decision is malformed';
}
