/**
 * Slack's interaction payload (`application/x-www-form-urlencoded`, `payload=<JSON>`) as ramp
 * reads it: a `block_actions` click on a ramp button — `ramp_approve` or `ramp_reject`, whose
 * `value` is the JSON the notification posted: `{"promotionId","stage","gate","attempt","commit"}`
 * — the Slack user who clicked, and the `response_url` to answer them. Pure, total: anything
 * else is a reason, never an exception.
 */

export const SLACK_ACTIONS = { ramp_approve: 'approve', ramp_reject: 'reject' } as const;
export type SlackActionId = keyof typeof SLACK_ACTIONS;

/** What a button was posted for (a gate waiting at one commit and attempt). */
export interface SlackButtonValue {
  promotionId: string;
  stage: string;
  gate: string;
  attempt: number;
  commit: string | null;
}

export interface SlackInteraction {
  action: 'approve' | 'reject';
  value: SlackButtonValue;
  user: { id: string; name: string | null; teamId: string | null };
  responseUrl: string | null;
}

export type SlackInteractionParse =
  | { ok: true; interaction: SlackInteraction }
  /** `ignore`: a payload that is Slack's but not a ramp button (answered 200, nothing done). */
  | { ok: false; ignore: boolean; reason: string };

const MAX_TEXT = 500;

export function parseSlackInteraction(body: string): SlackInteractionParse {
  let raw: string | null;
  try {
    raw = new URLSearchParams(body).get('payload');
  } catch {
    raw = null;
  }
  if (raw === null) return { ok: false, ignore: false, reason: 'the body has no payload field (Slack sends payload=<JSON>)' };
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    return { ok: false, ignore: false, reason: 'the payload is not JSON' };
  }
  if (!isObject(payload)) return { ok: false, ignore: false, reason: 'the payload is not a JSON object' };
  if (payload.type !== 'block_actions')
    return { ok: false, ignore: true, reason: `the payload is a ${text(payload.type) ?? 'typeless'} interaction, not a button click` };
  const user = payload.user;
  if (!isObject(user) || !text(user.id)) return { ok: false, ignore: false, reason: 'the payload names no user' };
  const actions = Array.isArray(payload.actions) ? payload.actions : [];
  const clicked = actions.find((a): a is Record<string, unknown> => isObject(a) && typeof a.action_id === 'string' && a.action_id in SLACK_ACTIONS);
  if (!clicked) return { ok: false, ignore: true, reason: 'the click is not on a ramp approval button' };
  const value = buttonValue(clicked.value);
  if (typeof value === 'string') return { ok: false, ignore: false, reason: `the button's value ${value}` };
  const responseUrl = text(payload.response_url);
  const team = isObject(payload.team) ? text(payload.team.id) : null;
  return {
    ok: true,
    interaction: {
      action: SLACK_ACTIONS[clicked.action_id as SlackActionId],
      value,
      user: { id: text(user.id)!, name: text(user.username) ?? text(user.name), teamId: team ?? text(user.team_id) },
      responseUrl: responseUrl && isHttpUrl(responseUrl) ? responseUrl : null,
    },
  };
}

/** The button's value, or what is wrong with it. */
export function buttonValue(value: unknown): SlackButtonValue | string {
  if (typeof value !== 'string') return 'is missing';
  if (value.length > 2_000) return 'is too long';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'is not JSON';
  }
  if (!isObject(parsed)) return 'is not a JSON object';
  const { promotionId, stage, gate, attempt, commit } = parsed;
  if (!text(promotionId) || !text(stage) || !text(gate)) return 'does not name a promotion, stage and gate';
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) return 'has no attempt (a whole number from 1)';
  if (commit !== null && !text(commit)) return 'has no commit (a string, or null)';
  return { promotionId: promotionId as string, stage: stage as string, gate: gate as string, attempt, commit: commit as string | null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value.length <= MAX_TEXT ? value : null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
