/**
 * Service tokens: ramp-issued credentials for automation (an alert that aborts a promotion).
 *
 *   ramp_st_<id>_<secret>      id: 16 hex characters; secret: 32 random bytes, base64url
 *
 * The store is a JSON file (mode 0600, written atomically) holding, per token, its id, name, scope
 * (`{ permissions, pipelines }`, data the caller enforces), who created it and when, when it
 * expires and when it was revoked — and the SHA-256 of the secret, never the secret: `create()`
 * returns the plaintext once. Verification compares hashes in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { ActorMethod, type Actor } from './actor.js';
import { AuthenticationError, type Authenticator } from './authenticator.js';
import { bearerToken } from './bearer.js';
import { writePrivateFile } from './private-file.js';

export const SERVICE_TOKEN_PREFIX = 'ramp_st_';
export const SERVICE_TOKEN_ISSUER = 'ramp';
const TOKEN_PATTERN = /^ramp_st_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const DAY_MS = 86_400_000;
export const DEFAULT_SERVICE_TOKEN_DAYS = 90;

/** What a service token may do: the caller enforces it (e.g. `abort` on pipeline `web`). */
export interface ServiceTokenScope {
  /** Actions, e.g. `abort`, `pause`; `*` for all. */
  permissions: string[];
  /** Pipeline names; `*` for all. */
  pipelines: string[];
}

const scopeSchema = z.object({ permissions: z.array(z.string().min(1)), pipelines: z.array(z.string().min(1)) });
const recordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  name: z.string().min(1),
  scope: scopeSchema,
  /** SHA-256 of the secret, hex. */
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
});
const fileSchema = z.object({ version: z.literal(1), tokens: z.array(recordSchema) });

type ServiceTokenRecord = z.infer<typeof recordSchema>;
/** A service token as listed: everything but the secret's hash. */
export type ServiceToken = Omit<ServiceTokenRecord, 'secretHash'>;

export interface CreateServiceToken {
  name: string;
  scope: ServiceTokenScope;
  /** Who creates it (an actor label, e.g. `alice`). */
  createdBy: string;
  /** When it expires; default 90 days from now. Every service token expires. */
  expiresAt?: Date;
}

/** The parts of a `ramp_st_<id>_<secret>` token, or undefined when it is not one. Pure. */
export function parseServiceToken(token: string): { id: string; secret: string } | undefined {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

/** Whether a bearer credential looks like a service token (by its prefix only). */
export function isServiceToken(token: string): boolean {
  return token.startsWith(SERVICE_TOKEN_PREFIX);
}

const sha256 = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();
const withoutHash = ({ secretHash: _hash, ...token }: ServiceTokenRecord): ServiceToken => token;

/** The Actor of a service token. Pure. */
export function serviceTokenActor(token: Pick<ServiceToken, 'id' | 'name'>): Actor {
  return { subject: `service-token:${token.id}`, name: token.name, email: null, groups: [], issuer: SERVICE_TOKEN_ISSUER, method: ActorMethod.ServiceToken };
}

/** Checks a scope: non-empty lists of non-empty names. Pure. */
export function checkScope(scope: ServiceTokenScope): ServiceTokenScope {
  const parsed = scopeSchema.safeParse(scope);
  if (!parsed.success || scope.permissions.length === 0 || scope.pipelines.length === 0) {
    throw new Error('a service token needs at least one permission and one pipeline (e.g. permissions ["abort"], pipelines ["web"]; "*" for all)');
  }
  return { permissions: [...new Set(scope.permissions)].sort(), pipelines: [...new Set(scope.pipelines)].sort() };
}

/** Whether a scope allows `permission` on `pipeline`. Pure. */
export function scopeAllows(scope: ServiceTokenScope, permission: string, pipeline: string): boolean {
  const has = (list: string[], value: string): boolean => list.includes('*') || list.includes(value);
  return has(scope.permissions, permission) && has(scope.pipelines, pipeline);
}

export class ServiceTokenStore {
  private cached: { mtimeMs: number; size: number; tokens: ServiceTokenRecord[] } | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates a token; the returned `token` is the only time its plaintext exists. */
  async create(request: CreateServiceToken): Promise<{ token: string; serviceToken: ServiceToken }> {
    const name = request.name.trim();
    if (name === '') throw new Error('a service token needs a name (what uses it, e.g. "alertmanager")');
    const scope = checkScope(request.scope);
    const now = this.now();
    const expiresAt = request.expiresAt ?? new Date(now.getTime() + DEFAULT_SERVICE_TOKEN_DAYS * DAY_MS);
    if (!(expiresAt.getTime() > now.getTime())) throw new Error(`a service token must expire in the future, not at ${expiresAt.toISOString()}`);
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record: ServiceTokenRecord = {
      id,
      name,
      scope,
      secretHash: sha256(secret).toString('hex'),
      createdAt: now.toISOString(),
      createdBy: request.createdBy,
      expiresAt: expiresAt.toISOString(),
      revokedAt: null,
    };
    await this.update((tokens) => [...tokens, record]);
    return { token: `${SERVICE_TOKEN_PREFIX}${id}_${secret}`, serviceToken: withoutHash(record) };
  }

  /** Every token, without secrets, oldest first. */
  async list(): Promise<ServiceToken[]> {
    return (await this.read()).map(withoutHash);
  }

  /** Revokes a token by id (idempotent: a revoked token keeps its first revocation time). */
  async revoke(id: string): Promise<ServiceToken> {
    let revoked: ServiceTokenRecord | undefined;
    await this.update((tokens) => {
      const found = tokens.find((t) => t.id === id);
      if (!found) throw new Error(`no service token ${id} in ${this.file}; \`list\` shows the ids`);
      revoked = { ...found, revokedAt: found.revokedAt ?? this.now().toISOString() };
      return tokens.map((t) => (t.id === id ? revoked! : t));
    });
    return withoutHash(revoked!);
  }

  /** The token a credential names, if its secret matches and it is neither revoked nor expired. */
  async verify(token: string): Promise<ServiceToken> {
    const parts = parseServiceToken(token);
    if (!parts)
      throw new AuthenticationError(
        'the credential is not a well-formed ramp service token (ramp_st_<id>_<secret>)',
        'use the token exactly as `create` printed it',
      );
    const found = (await this.read()).find((t) => t.id === parts.id);
    // Hash and compare even for an unknown id, so that timing tells nothing about which ids exist.
    const expected = found ? Buffer.from(found.secretHash, 'hex') : sha256('');
    const matches = timingSafeEqual(sha256(parts.secret), expected);
    if (!found) throw new AuthenticationError(`no service token has the id ${parts.id}`, 'it may have been deleted; ask an administrator for a new one');
    if (!matches)
      throw new AuthenticationError(`the secret of service token ${parts.id} (${found.name}) does not match`, 'use the token exactly as `create` printed it');
    if (found.revokedAt !== null)
      throw new AuthenticationError(`service token ${parts.id} (${found.name}) was revoked at ${found.revokedAt}`, 'ask an administrator for a new one');
    if (Date.parse(found.expiresAt) <= this.now().getTime())
      throw new AuthenticationError(`service token ${parts.id} (${found.name}) expired at ${found.expiresAt}`, 'ask an administrator for a new one');
    return withoutHash(found);
  }

  /** The scope of a token by id (whatever its state), or undefined. */
  async scopeOf(id: string): Promise<ServiceTokenScope | undefined> {
    return (await this.read()).find((t) => t.id === id)?.scope;
  }

  /** The tokens on disk, re-read when the file changed (another process revoked one). */
  private async read(): Promise<ServiceTokenRecord[]> {
    const st = await stat(this.file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!st) return [];
    if (this.cached && this.cached.mtimeMs === st.mtimeMs && this.cached.size === st.size) return this.cached.tokens;
    const raw = await readFile(this.file, 'utf8');
    let parsed: z.infer<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(raw));
    } catch (err) {
      throw new Error(
        `the service token file ${this.file} is not valid (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); restore it from a backup or remove it to start over`,
      );
    }
    this.cached = { mtimeMs: st.mtimeMs, size: st.size, tokens: parsed.tokens };
    return parsed.tokens;
  }

  /** Read, change, write atomically; one change at a time within this process. */
  private update(change: (tokens: ServiceTokenRecord[]) => ServiceTokenRecord[]): Promise<void> {
    const next = this.writing.then(async () => {
      const tokens = change(await this.read());
      await writePrivateFile(this.file, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`);
      this.cached = undefined;
    });
    this.writing = next.catch(() => {});
    return next;
  }
}

/** `Authorization: Bearer ramp_st_…` → the token's Actor; its scope for the caller to enforce. */
export class ServiceTokenAuthenticator implements Authenticator {
  constructor(readonly store: ServiceTokenStore) {}

  async authenticate(authorization: string | undefined): Promise<Actor> {
    return (await this.authenticateWithScope(authorization)).actor;
  }

  /** The Actor and the scope in one read. */
  async authenticateWithScope(authorization: string | undefined): Promise<{ actor: Actor; scope: ServiceTokenScope }> {
    const token = await this.store.verify(bearerToken(authorization));
    return { actor: serviceTokenActor(token), scope: token.scope };
  }

  /** The scope of a service-token actor (undefined for anyone else, or a token since deleted). */
  async scopeOf(actor: Actor): Promise<ServiceTokenScope | undefined> {
    if (actor.method !== ActorMethod.ServiceToken || !actor.subject.startsWith('service-token:')) return undefined;
    return this.store.scopeOf(actor.subject.slice('service-token:'.length));
  }
}
