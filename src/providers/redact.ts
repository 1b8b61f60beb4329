/**
 * One redaction for every place ramp quotes what a provider said (Git's output, Prometheus'
 * answers, webhook errors): a server may echo a credential back in any of its usual forms, and
 * whatever is quoted reaches the worker log, `ramp status --json` and workflow histories.
 *
 * For each secret value (a token, or a whole header value such as `Bearer <token>` or
 * `Basic <base64>`), these forms are removed:
 * - the value itself, and the credential without its scheme (`Bearer `, `Basic `, `token `, ...);
 * - for Basic auth, the decoded `user:password` and the password alone;
 * - each of these base64-encoded (standard and URL-safe, with and without padding),
 *   URL-encoded (`encodeURIComponent`, and form encoding with `+`) and JSON-escaped;
 * - the userinfo of URLs (`https://user:pass@host` → `https://host`), secret or not.
 *
 * Forms shorter than MIN_SECRET_CHARS are left alone: masking every "ab" would garble
 * messages, and such a value is no credential.
 */

/** What replaces a secret in text. */
export const REDACTED = '***';
/** Shorter forms are not masked (they would match all over ordinary text). */
export const MIN_SECRET_CHARS = 4;

const AUTH_SCHEME = /^(bearer|basic|token|bot|apikey|api-key|digest|negotiate|ntlm|splunk|dsn)\s+(\S.*)$/i;

/** Every form of `secret` that must not be printed, longest first. */
export function secretForms(secret: string): string[] {
  const base = new Set<string>();
  const value = secret.trim();
  if (value === '') return [];
  base.add(value);
  const scheme = AUTH_SCHEME.exec(value);
  const credential = scheme ? scheme[2]!.trim() : value;
  base.add(credential);
  const userPass = decodeBasic(credential, scheme?.[1]?.toLowerCase() === 'basic');
  if (userPass !== null) {
    base.add(userPass);
    const password = userPass.slice(userPass.indexOf(':') + 1);
    base.add(password);
  }
  if (credential.includes(':') && userPass === null) {
    // `user:password` given as the secret: its Basic header form, and the password alone.
    base.add(credential.slice(credential.indexOf(':') + 1));
  }
  const forms = new Set<string>();
  for (const form of base) {
    for (const encoded of encodings(form)) forms.add(encoded);
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length);
}

/** Removes URL userinfo and every form of every secret from `text`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]*@/gi, '$1');
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  for (const form of forms) out = out.split(form).join(REDACTED);
  return out;
}

/** A redaction function over a fixed set of secrets. */
export function redactorFor(secrets: readonly string[]): (text: string) => string {
  const list = [...secrets];
  return (text) => redactSecrets(text, list);
}

function encodings(form: string): string[] {
  const b64 = Buffer.from(form, 'utf8').toString('base64');
  const b64url = Buffer.from(form, 'utf8').toString('base64url');
  return [
    form,
    b64,
    b64.replace(/=+$/, ''),
    b64url,
    encodeURIComponent(form),
    new URLSearchParams({ x: form }).toString().slice(2),
    JSON.stringify(form).slice(1, -1),
  ];
}

/** `user:password` when `credential` is the base64 of one (always tried for a `Basic` header value). */
function decodeBasic(credential: string, isBasic: boolean): string | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(credential) || credential.length < 4) return null;
  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  // Only a clean round trip of printable text with a colon counts (a random token is no Basic credential).
  if (!/^[\x20-\x7e]+$/.test(decoded) || !decoded.includes(':')) return null;
  if (!isBasic && Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') !== credential.replace(/=+$/, '')) return null;
  return decoded;
}
