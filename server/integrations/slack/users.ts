/**
 * Who a Slack user is, for ramp: the server's Slack users file (RAMP_SERVER_SLACK_USERS_FILE), a
 * JSON object whose keys are Slack user ids (`U024BE7LH`) or e-mail addresses, each naming the
 * person as the OpenID Provider knows them:
 *
 *   { "U024BE7LH": { "subject": "dave", "email": "dave@example.com", "name": "Dave Dunn",
 *                    "groups": ["product"], "issuer": "https://idp.example.com" },
 *     "carol@example.com": { "subject": "carol", "name": "Carol Cole", "groups": ["sre"], "issuer": "https://idp.example.com" } }
 *
 * A user is found by their Slack id, else — with a bot token — by the e-mail address Slack has
 * verified for them (users.info), matched against the keys and the entries' `email`. Someone
 * found in neither way is refused: a Slack account alone says nothing ramp can check against
 * the pipeline's approvers. The actor's method is `slack`; its issuer and subject are the mapped
 * person's, so the same person through Slack and through the provider is one person (four-eyes,
 * one approval each).
 */
import { readFile } from 'node:fs/promises';
import { ActorMethod, type Actor } from '../../../src/identity/actor.js';
import { UsageError } from '../../../src/errors.js';

export interface SlackPerson {
  subject: string;
  name: string;
  email: string | null;
  groups: string[];
  issuer: string;
}

/** Keys lowercased when they are e-mail addresses. */
export type SlackUsers = ReadonlyMap<string, SlackPerson>;

export function parseSlackUsers(value: unknown, where: string): SlackUsers {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${where} is not a JSON object of Slack user ids or e-mail addresses to people`);
  const users = new Map<string, SlackPerson>();
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    const e = entry as Partial<Record<keyof SlackPerson, unknown>> | null;
    const bad = (what: string) => new UsageError(`${where}: the entry ${JSON.stringify(key.slice(0, 80))} ${what}`);
    if (typeof e !== 'object' || e === null) throw bad('is not an object');
    if (typeof e.subject !== 'string' || e.subject === '') throw bad('has no subject (the person’s `sub` at the provider)');
    if (typeof e.issuer !== 'string' || e.issuer === '') throw bad('has no issuer (the provider’s issuer URL, as the tokens say it)');
    if (e.name !== undefined && typeof e.name !== 'string') throw bad('has a name that is not a string');
    if (e.email !== undefined && e.email !== null && typeof e.email !== 'string') throw bad('has an email that is not a string');
    if (e.groups !== undefined && (!Array.isArray(e.groups) || e.groups.some((g) => typeof g !== 'string')))
      throw bad('has groups that are not a list of names');
    const email = typeof e.email === 'string' && e.email !== '' ? e.email : key.includes('@') ? key : null;
    users.set(key.includes('@') ? key.toLowerCase() : key, {
      subject: e.subject,
      name: typeof e.name === 'string' && e.name !== '' ? e.name : (email ?? e.subject),
      email,
      groups: [...new Set((e.groups as string[] | undefined) ?? [])].sort(),
      issuer: e.issuer,
    });
  }
  return users;
}

export async function readSlackUsers(file: string): Promise<SlackUsers> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the Slack users file ${file} (RAMP_SERVER_SLACK_USERS_FILE): ${(error as { code?: string }).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`the Slack users file ${file} (RAMP_SERVER_SLACK_USERS_FILE) is not JSON`);
  }
  return parseSlackUsers(parsed, `the Slack users file ${file}`);
}

/** The person a Slack user id (or, failing that, their verified e-mail address) maps to, or null. */
export function slackPerson(users: SlackUsers, userId: string, email: string | null): SlackPerson | null {
  const byId = users.get(userId);
  if (byId) return byId;
  if (email === null || email === '') return null;
  const wanted = email.toLowerCase();
  const byKey = users.get(wanted);
  if (byKey) return byKey;
  for (const person of users.values()) if (person.email?.toLowerCase() === wanted) return person;
  return null;
}

export function slackActor(person: SlackPerson): Actor {
  return { subject: person.subject, name: person.name, email: person.email, groups: person.groups, issuer: person.issuer, method: ActorMethod.Slack };
}
