/**
 * Who did something, as the record keeps it: never a bare string. `method` says how the
 * identity was established — `oidc` (a bearer token verified against the issuer's keys, via
 * `ramp server`), `service-token` (a ramp-issued token for automation), `local-unverified`
 * (a direct Temporal call: the dev stack, an administrator; the name is whatever was typed),
 * `slack` (a Slack user, proven by Slack's signed request, mapped to a person by the server's
 * Slack users file — server/integrations/slack/users.ts; the issuer and subject are the mapped
 * person's, so the same person through Slack and through the provider is one person).
 * Pure: workflows use it.
 */

export const ActorMethod = { Oidc: 'oidc', ServiceToken: 'service-token', LocalUnverified: 'local-unverified', Slack: 'slack' } as const;
export type ActorMethod = (typeof ActorMethod)[keyof typeof ActorMethod];

export interface Actor {
  /** Unique within the issuer: the token's `sub`, a service token's id, or the typed name. */
  subject: string;
  /** For people: `name`, else `preferred_username`, else the email, else the subject. */
  name: string;
  email: string | null;
  /** Groups from the token's groups claim (sorted, unique); for unverified actors, none. */
  groups: string[];
  /** The token's `iss`; `ramp` for service tokens; `local` for unverified actors. */
  issuer: string;
  method: ActorMethod;
}

/** The issuer of actors nobody verified. */
export const LOCAL_ISSUER = 'local';

/** An actor nobody verified: the name a direct Temporal caller typed (`--as`, $RAMP_USER). */
export function unverifiedActor(name: string): Actor {
  return { subject: name, name, email: null, groups: [], issuer: LOCAL_ISSUER, method: ActorMethod.LocalUnverified };
}

/** Whether the actor's identity was established by a verified credential. */
export function isVerified(actor: Actor): boolean {
  return actor.method !== ActorMethod.LocalUnverified;
}

/** One key per person: two approvals by the same key are one person. */
export function personKey(actor: Actor): string {
  return `${actor.issuer}\u0000${actor.subject}`;
}

/** `alice`, or `alice (unverified)`: how messages and the record name an actor. */
export function actorLabel(actor: Actor): string {
  return isVerified(actor) ? actor.name : `${actor.name} (unverified)`;
}

/**
 * Whether the actor is the person a pipeline names as `user` (approvers, grants, release
 * authors): the name matches the subject, the email (case-insensitive) or the display name.
 */
export function actorIs(actor: Actor, user: string): boolean {
  const wanted = user.trim();
  if (wanted === '') return false;
  if (actor.subject === wanted || actor.name === wanted) return true;
  return actor.email !== null && actor.email.toLowerCase() === wanted.toLowerCase();
}

/**
 * The groups the actor is in: the verified token's groups, or — for an unverified actor on the
 * local stack — the worker's groups file (`members`), by name.
 */
export function actorGroups(actor: Actor, members: Readonly<Record<string, readonly string[]>>): string[] {
  if (isVerified(actor)) return actor.groups;
  return Object.keys(members)
    .filter((group) => (members[group] ?? []).some((user) => actorIs(actor, user)))
    .sort();
}

/** Reads an actor from a record written by any version of ramp (a bare string before actors existed). */
export function readActor(recorded: Actor | string | null | undefined, fallback = 'unknown'): Actor {
  if (recorded === null || recorded === undefined) return unverifiedActor(fallback);
  if (typeof recorded === 'string') return unverifiedActor(recorded);
  return recorded;
}
