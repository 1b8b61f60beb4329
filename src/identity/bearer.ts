/**
 * OpenID Connect bearer tokens: a JWT access token verified against the issuer's published keys
 * (discovery, then its JWKS, cached by jose with a cooldown), then mapped to an Actor.
 *
 * Verified: the signature (with an algorithm from a fixed, asymmetric allowlist — never `none`,
 * never HS*, so a public key can never be used as an HMAC secret), `iss`, `aud`, `exp` (required),
 * `nbf`, with a clock tolerance of at most 60 s. Errors say what was wrong, never the token.
 *
 * Only access tokens: an ID token (or a logout token) from the same issuer is signed by the same
 * key, so a token is refused when it says it is something else (`checkTokenKind`): a `typ` header
 * other than an access token's or a plain JWT's, a `nonce` claim, or Keycloak's `typ: "ID"` claim.
 */
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { ActorMethod, type Actor } from './actor.js';
import { AuthenticationError, type Authenticator } from './authenticator.js';

/** Asymmetric JWS algorithms, the only ones ramp accepts on a bearer token. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
const ASYMMETRIC = new Set<string>(ASYMMETRIC_ALGORITHMS);
export const MAX_CLOCK_TOLERANCE_SECONDS = 60;
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
/** Longer than any real access token; a bigger header is refused before parsing. */
const MAX_TOKEN_LENGTH = 16 * 1024;

export interface OidcAuthenticatorOptions {
  /** The issuer URL, exactly as the tokens' `iss` and the discovery document say it. */
  issuer: string;
  /** What the tokens' `aud` must contain (one of them, if several). */
  audience: string | string[];
  /** The claim with the person's groups: a name, or a dotted path (`realm_access.roles`). Default `groups`. */
  groupsClaim?: string;
  /** Seconds of clock skew allowed on `exp` and `nbf`: default 30, at most 60. */
  clockToleranceSeconds?: number;
  /** Accepted JWS algorithms. Default: the asymmetric ones the issuer's discovery advertises (else RS256). */
  algorithms?: string[];
  /**
   * Accept only tokens whose `typ` header is `at+jwt` (RFC 9068), as oidc-provider and other
   * providers type their JWT access tokens. Default false: Dex and Keycloak send `JWT` or nothing.
   */
  requireAccessTokenType?: boolean;
  /**
   * Accept tokens that carry a `nonce` claim. Default false: a nonce marks an ID token. Dex copies
   * the login's nonce into its access tokens: set this for Dex when its clients send a nonce.
   */
  allowNonce?: boolean;
}

/** The issuer or its keys could not be reached: not the caller's fault (HTTP 503, not 401). */
export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError';
}

interface Discovered {
  jwks: ReturnType<typeof createRemoteJWKSet>;
  algorithms: string[];
}

/** Whether an http:// issuer is acceptable: only on this machine (tests, a local provider). */
function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

interface Checked {
  issuer: string;
  audience: string[];
  groupsClaim: string;
  clockToleranceSeconds: number;
  algorithms: string[] | undefined;
  kind: TokenKindOptions;
}

/** Checks the options; throws (a configuration error, at startup) when they are unsafe. */
function checkedOptions(options: OidcAuthenticatorOptions): Checked {
  let url: URL;
  try {
    url = new URL(options.issuer);
  } catch {
    throw new Error(`OIDC issuer "${options.issuer}" is not a URL; set it to the provider's issuer (e.g. https://login.example.com/realms/ramp)`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new Error(`OIDC issuer ${options.issuer} must use https (plain http only on 127.0.0.1 or localhost)`);
  }
  const audiences = Array.isArray(options.audience) ? options.audience : [options.audience];
  if (audiences.length === 0 || audiences.some((a) => a.trim() === '')) {
    throw new Error('OIDC audience is empty; set it to the audience the provider puts in ramp\'s access tokens (e.g. "ramp")');
  }
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > MAX_CLOCK_TOLERANCE_SECONDS) {
    throw new Error(`OIDC clock tolerance ${tolerance} s is out of range: 0 to ${MAX_CLOCK_TOLERANCE_SECONDS} s`);
  }
  const refused = (options.algorithms ?? []).filter((alg) => !ASYMMETRIC.has(alg));
  if (refused.length > 0) {
    throw new Error(`OIDC algorithms ${refused.join(', ')} are not accepted: only asymmetric ones (${ASYMMETRIC_ALGORITHMS.join(', ')}); never none or HS*`);
  }
  if (options.algorithms?.length === 0) throw new Error("OIDC algorithms is empty; leave it out to take the issuer's");
  return {
    issuer: options.issuer,
    audience: audiences,
    groupsClaim: options.groupsClaim ?? 'groups',
    clockToleranceSeconds: tolerance,
    algorithms: options.algorithms,
    kind: { requireAccessTokenType: options.requireAccessTokenType ?? false, allowNonce: options.allowNonce ?? false },
  };
}

export interface TokenKindOptions {
  requireAccessTokenType: boolean;
  allowNonce: boolean;
}

/** `typ` values, normalised (RFC 7515 §4.1.9: `application/` may be left out; case-insensitive). */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt']);
const UNTYPED_TYPES = new Set(['jwt']);
const NOT_ID_TOKEN_HINT = 'send the access token (`ramp login` keeps one), not the ID token';

/**
 * Refuses a verified token that is not an access token: an ID token, a logout token, or anything
 * else the issuer signs with the same key. Pure.
 */
export function checkTokenKind(header: Pick<ProtectedHeaderParameters, 'typ'>, claims: JWTPayload, options: TokenKindOptions): void {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
  if (typ === undefined || UNTYPED_TYPES.has(typ)) {
    if (options.requireAccessTokenType) {
      throw new AuthenticationError(
        `the token's type (typ header) is ${typ === undefined ? 'missing' : shown(header.typ)}, and ramp is configured to accept only access tokens typed at+jwt (RFC 9068)`,
        `${NOT_ID_TOKEN_HINT}; if your provider does not type its access tokens, turn requireAccessTokenType off`,
      );
    }
  } else if (!ACCESS_TOKEN_TYPES.has(typ)) {
    throw new AuthenticationError(`the token's type (typ header) is ${shown(header.typ)}, not an access token (at+jwt)`, NOT_ID_TOKEN_HINT);
  }
  if (claims.nonce !== undefined && !options.allowNonce) {
    throw new AuthenticationError(
      'the token carries a nonce claim, as ID tokens do: ramp accepts access tokens, not ID tokens',
      `${NOT_ID_TOKEN_HINT}; if your provider puts the nonce in access tokens too (Dex does), set allowNonce`,
    );
  }
  if (typeof claims.typ === 'string' && claims.typ.toLowerCase() === 'id') {
    throw new AuthenticationError('the token\'s typ claim is "ID": it is an ID token, not an access token', NOT_ID_TOKEN_HINT);
  }
}

/** A claim by name, or by dotted path when no claim has that name. */
function claimAt(claims: JWTPayload, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Groups from a claim that is an array of strings or a space-separated string: sorted, unique. */
export function groupsFrom(value: unknown): string[] {
  const raw = Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : typeof value === 'string' ? value.split(/\s+/) : [];
  return [...new Set(raw.map((g) => g.trim()).filter((g) => g !== ''))].sort();
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** The Actor of verified claims. Pure. Throws when the token names nobody (no `sub`). */
export function actorFromClaims(claims: JWTPayload, groupsClaim = 'groups'): Actor {
  const subject = text(claims.sub);
  if (subject === undefined)
    throw new AuthenticationError('the token has no subject (sub claim): it names nobody', 'use an access token issued to a person or a client');
  const email = text(claims.email) ?? null;
  return {
    subject,
    name: text(claims.name) ?? text(claims.preferred_username) ?? email ?? subject,
    email,
    groups: groupsFrom(claimAt(claims, groupsClaim)),
    issuer: text(claims.iss) ?? '',
    method: ActorMethod.Oidc,
  };
}

/** A claim's value for an error message: short, and only claims, never the token. */
const shown = (value: unknown): string => JSON.stringify(value)?.slice(0, 120) ?? String(value);
const at = (seconds: unknown): string => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : shown(seconds));

/** The bearer token of an Authorization header, or an AuthenticationError saying what is wrong. */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw new AuthenticationError('no credential: the request has no Authorization header', 'send `Authorization: Bearer <token>`; `ramp login` gets one');
  }
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization.trim());
  if (!match) {
    const scheme = authorization.trim().split(/\s/)[0] ?? '';
    throw new AuthenticationError(
      /^bearer$/i.test(scheme)
        ? 'the Authorization header has no token after "Bearer"'
        : `the Authorization header is not a bearer token (scheme "${scheme.slice(0, 20)}")`,
      'send `Authorization: Bearer <token>`',
    );
  }
  return match[1]!;
}

export class OidcAuthenticator implements Authenticator {
  private readonly options: Checked;
  private discovered: Promise<Discovered> | undefined;

  constructor(options: OidcAuthenticatorOptions) {
    this.options = checkedOptions(options);
  }

  get issuer(): string {
    return this.options.issuer;
  }

  async authenticate(authorization: string | undefined): Promise<Actor> {
    return this.verify(bearerToken(authorization));
  }

  /** Verifies a bare token (no `Bearer `) and returns its Actor. */
  async verify(token: string): Promise<Actor> {
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthenticationError(`the token is too large (${token.length} characters; at most ${MAX_TOKEN_LENGTH})`);
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AuthenticationError('the token is not a JWT (it does not parse as a signed JSON Web Token)');
    }
    const { jwks, algorithms } = await this.discover();
    if (typeof alg !== 'string' || !algorithms.includes(alg)) {
      throw new AuthenticationError(`the token's algorithm ${shown(alg)} is not accepted (accepted: ${algorithms.join(', ')})`);
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms,
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      checkTokenKind(protectedHeader, payload, this.options.kind);
      return actorFromClaims(payload, this.options.groupsClaim);
    } catch (err) {
      throw this.explain(err);
    }
  }

  /** The issuer's discovery document and key set, once; a failed discovery is retried next time. */
  private discover(): Promise<Discovered> {
    this.discovered ??= this.fetchDiscovery().catch((err: unknown) => {
      this.discovered = undefined;
      throw err;
    });
    return this.discovered;
  }

  private async fetchDiscovery(): Promise<Discovered> {
    const { issuer } = this.options;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let doc: { issuer?: unknown; jwks_uri?: unknown; id_token_signing_alg_values_supported?: unknown };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch (err) {
      throw new IssuerUnavailableError(
        `could not read the OIDC discovery document ${url}: ${err instanceof Error ? err.message : String(err)}; check that the issuer is reachable from ramp`,
      );
    }
    if (doc.issuer !== issuer) {
      throw new IssuerUnavailableError(
        `the discovery document at ${url} names issuer ${shown(doc.issuer)}, not ${issuer}; configure the issuer exactly as the provider states it`,
      );
    }
    if (typeof doc.jwks_uri !== 'string') throw new IssuerUnavailableError(`the discovery document at ${url} has no jwks_uri`);
    const advertised = Array.isArray(doc.id_token_signing_alg_values_supported)
      ? doc.id_token_signing_alg_values_supported.filter((a): a is string => typeof a === 'string' && ASYMMETRIC.has(a))
      : [];
    const algorithms = this.options.algorithms ?? (advertised.length > 0 ? advertised : ['RS256']);
    const jwks = createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 10_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    return { jwks, algorithms };
  }

  /** What was wrong with a token that jose refused, as an AuthenticationError; anything else as is. */
  private explain(err: unknown): Error {
    if (err instanceof AuthenticationError) return err;
    if (err instanceof joseErrors.JWTExpired) return new AuthenticationError(`the token expired at ${at(err.payload.exp)}`);
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      const { claim, reason, payload } = err;
      if (reason === 'missing') return new AuthenticationError(`the token has no ${claim} claim, which ramp requires`);
      switch (claim) {
        case 'iss':
          return new AuthenticationError(`the token was issued by ${shown(payload.iss)}, not by the configured issuer ${this.options.issuer}`);
        case 'aud':
          return new AuthenticationError(
            `the token is for audience ${shown(payload.aud)}, not ${this.options.audience.join(' or ')}`,
            'get a token for ramp (its audience or resource), e.g. with `ramp login`',
          );
        case 'nbf':
          return new AuthenticationError(
            `the token is not valid yet: not before ${at(payload.nbf)}`,
            'check the clocks of the provider and the server, then try again',
          );
        case 'iat':
          return new AuthenticationError(`the token's issue time ${at(payload.iat)} is invalid`);
        default:
          return new AuthenticationError(`the token's ${claim} claim is invalid (${err.message})`);
      }
    }
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
      return new AuthenticationError("the token's signature does not verify with the issuer's key: it was forged or altered");
    }
    if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
      return new AuthenticationError("the token was signed by a key the issuer does not publish (no key in its JWKS matches the token's kid and algorithm)");
    }
    if (err instanceof joseErrors.JOSEAlgNotAllowed) {
      return new AuthenticationError(
        `the token's algorithm is not accepted (accepted: ${this.options.algorithms?.join(', ') ?? "the issuer's asymmetric algorithms"})`,
      );
    }
    if (err instanceof joseErrors.JOSENotSupported) {
      return new AuthenticationError(`the token uses something ramp does not support (${err.message})`);
    }
    const jwksUnreadable = err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(err.message);
    if (err instanceof joseErrors.JWKSTimeout || jwksUnreadable || (err instanceof TypeError && /fetch/i.test(err.message))) {
      return new IssuerUnavailableError(`could not fetch the issuer's keys (JWKS) for ${this.options.issuer}: ${err.message}`);
    }
    if (err instanceof joseErrors.JWTInvalid || err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JOSEError) {
      return new AuthenticationError(`the token is malformed: ${err.message}`);
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}
