/**
 * Route targets as a pipeline writes them (docs/notifications.md): `slack:#deploys`,
 * `slack:C0123ABCD`, `teams:<secretRef>`, `email:dave@example.com`, `webhook:https://…`.
 * Pure (workflows import it); `parseTarget` never throws, whatever the input, and its messages
 * quote at most a bounded part of it.
 */

export const CHANNELS = ['slack', 'teams', 'email', 'webhook'] as const;
export type ChannelKind = (typeof CHANNELS)[number];

/** A parsed target; `id` is its normal spelling (what the sent-set and logs use). */
export interface Target {
  channel: ChannelKind;
  /** Slack: `#name` or a channel id; Teams: the secretRef of the Workflows URL; e-mail: the address; webhook: the URL. */
  address: string;
  id: string;
}

export type TargetParse = { ok: true; target: Target } | { ok: false; error: string };

const MAX_TARGET = 2048;
const SLACK_NAME = /^#[a-z0-9][a-z0-9._-]{0,79}$/;
const SLACK_ID = /^[CGD][A-Z0-9]{6,20}$/;
const SECRET_REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

function show(text: string): string {
  const clipped = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return JSON.stringify(clipped);
}

const FORMS = 'slack:#channel, teams:<secretRef>, email:<address> or webhook:<https URL>';

export function parseTarget(input: unknown): TargetParse {
  if (typeof input !== 'string') return { ok: false, error: `a target is a string such as ${FORMS}` };
  if (input.length > MAX_TARGET) return { ok: false, error: `a target is at most ${MAX_TARGET} characters` };
  const text = input.trim();
  const colon = text.indexOf(':');
  const scheme = colon < 0 ? '' : text.slice(0, colon).toLowerCase();
  const rest = colon < 0 ? '' : text.slice(colon + 1).trim();
  const ok = (channel: ChannelKind, address: string): TargetParse => ({ ok: true, target: { channel, address, id: `${channel}:${address}` } });
  switch (scheme) {
    case 'slack': {
      const name = rest.startsWith('#') ? rest.toLowerCase() : rest;
      if (SLACK_NAME.test(name) || SLACK_ID.test(name)) return ok('slack', name);
      return { ok: false, error: `${show(text)} is not a Slack channel. Write slack:#channel-name or slack:<channel id> (C0123ABCD)` };
    }
    case 'teams': {
      if (/^https?:/i.test(rest)) {
        return {
          ok: false,
          error:
            'a Teams Workflows URL carries its own signature (sig=…) and must not be written in the pipeline. Put it in RAMP_SECRET_<NAME> or $RAMP_SECRETS_DIR/<name> on the worker and write teams:<name>',
        };
      }
      if (SECRET_REF.test(rest)) return ok('teams', rest);
      return { ok: false, error: `${show(text)} does not name a secret. Write teams:<secretRef>, the worker secret that holds the Workflows webhook URL` };
    }
    case 'email':
    case 'mailto': {
      if (rest.length <= 254 && EMAIL.test(rest)) return ok('email', rest.toLowerCase());
      return { ok: false, error: `${show(text)} is not an e-mail address. Write email:name@example.com` };
    }
    case 'webhook': {
      let url: URL;
      try {
        url = new URL(rest);
      } catch {
        return { ok: false, error: `${show(text)} is not a URL. Write webhook:https://hooks.example.com/ramp` };
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, error: `a webhook target is an http(s) URL, not ${show(url.protocol)}` };
      if (url.username !== '' || url.password !== '') {
        return { ok: false, error: 'a webhook URL must not carry credentials: the route signs the body with its secretRef (HMAC-SHA256) instead' };
      }
      return ok('webhook', url.href);
    }
    default:
      return { ok: false, error: `${show(text)} is not a target. Write ${FORMS}` };
  }
}
