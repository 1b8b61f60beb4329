/**
 * The rules of an organisation-wide freeze (src/domain/freeze.ts, workflows/freeze.ts): when a
 * declared freeze is in force, until when a new one runs, and who may declare or lift one.
 * Pure: the workflow, the CLI and the server use it.
 */
import { actorGroups, actorLabel, type Actor } from '../identity/actor.js';
import type { FreezeState } from './freeze.js';
import { parseDuration } from './duration.js';

/**
 * One freeze per ramp deployment — the workers of one task queue, with the CLIs and servers that
 * start promotions on it: its workflow's id. (Tests, each on a task queue of its own, never see
 * each other's freezes.)
 */
export function freezeWorkflowId(taskQueue: string): string {
  return `ramp-freeze/${taskQueue}`;
}
/** The query that answers the freeze in force (workflows/freeze-messages.ts defines it). */
export const FREEZE_STATE_QUERY = 'freezeState';

/** The freeze in force at `nowMs`, or null: none declared, or its `until` has passed. */
export function activeFreeze(state: FreezeState | null, nowMs: number): FreezeState | null {
  if (state === null) return null;
  if (state.until !== null && Date.parse(state.until) <= nowMs) return null;
  return state;
}

export type UntilParse = { ok: true; until: string | null } | { ok: false; error: string };

/**
 * When a freeze declared at `nowMs` ends: `until` (an ISO-8601 time with a zone or `Z`), or
 * `for` (a duration such as `4h`) from now, or null (until lifted). Never both; never in the past.
 */
export function freezeUntil(request: { until?: string | undefined; for?: string | undefined }, nowMs: number): UntilParse {
  const until = request.until?.trim();
  const span = request.for?.trim();
  if (until && span) return { ok: false, error: 'give --until or --for, not both: a freeze ends once' };
  if (span) {
    const parsed = parseDuration(span);
    if (!parsed.ok) return { ok: false, error: `--for: ${parsed.error}` };
    if (parsed.ms <= 0) return { ok: false, error: '--for must be longer than nothing, e.g. 4h' };
    return { ok: true, until: new Date(nowMs + parsed.ms).toISOString() };
  }
  if (!until) return { ok: true, until: null };
  // A time without a zone would depend on where it is read: ask for one.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(until)) {
    return {
      ok: false,
      error: `until ${JSON.stringify(until.slice(0, 40))} is not an ISO-8601 time with a zone; write e.g. 2026-12-24T18:00:00Z or 2026-12-24T18:00+01:00`,
    };
  }
  const ms = Date.parse(until);
  if (Number.isNaN(ms)) return { ok: false, error: `until ${JSON.stringify(until)} is not a valid time` };
  if (ms <= nowMs) return { ok: false, error: `until ${new Date(ms).toISOString()} has already passed; give a later time, or --for 4h` };
  return { ok: true, until: new Date(ms).toISOString() };
}

/**
 * Why `actor` may not declare or lift a freeze, or null when they may. `allowed`: the groups the
 * worker names (RAMP_FREEZE_GROUPS); none means anyone (an emergency brake everybody can pull).
 * `members`: the worker's groups file, for unverified actors (verified ones bring their groups).
 */
export function freezePermissionRefusal(
  actor: Actor,
  allowed: readonly string[],
  members: Readonly<Record<string, readonly string[]>>,
  verb: 'declare' | 'lift',
): string | null {
  if (allowed.length === 0) return null;
  const mine = actorGroups(actor, members);
  if (allowed.some((group) => mine.includes(group))) return null;
  const named = allowed.map((g) => `group:${g}`).join(', ');
  return `${actorLabel(actor)} may not ${verb} a freeze: only members of ${named} may (RAMP_FREEZE_GROUPS on the worker). Ask one of them`;
}

/** One line for people: `frozen by alice (cli) since … until …: reason`. */
export function describeFreeze(state: FreezeState): string {
  const until = state.until === null ? 'until lifted' : `until ${state.until}`;
  return `frozen by ${actorLabel(state.declaredBy)} (${state.channel}) since ${state.declaredAt}, ${until}: ${state.reason}`;
}
