/**
 * Who may do what to a pipeline, per stage: the one place that answers it, for the server
 * before it sends a command and for the workflows' validators after. Pure and table-tested.
 *
 * Without an access block (`spec.access`), anyone may promote, operate, roll back, decide
 * drift and override deploy windows — what ramp did before it knew people — and each gate's approvers approve; nobody
 * administers. With one, only what it grants. `approve` makes people approvers of every gate of
 * the granted stages besides the gate's own approvers; `administer` implies every permission
 * but `approve`, so that running a pipeline never lets anyone open its gates.
 */
import { actorGroups, actorIs, actorLabel, type Actor } from '../identity/actor.js';
import type { AccessSpec, ApproverEntry } from '../schema/pipeline.js';

export const Permission = {
  Promote: 'promote',
  /** Decide approval gates (and override them, with `operate`). */
  Approve: 'approve',
  /** pause, resume, skip, abort, retry. */
  Operate: 'operate',
  Rollback: 'rollback',
  /** Accept or reject drift. */
  Drift: 'drift',
  /** Run a stage outside its deploy window or through a freeze (docs/governance.md#deploy-windows). */
  Override: 'override',
  /** Every permission but approve. */
  Administer: 'administer',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/** Every permission, in the order the docs list them. */
export const PERMISSIONS = [
  Permission.Promote,
  Permission.Approve,
  Permission.Operate,
  Permission.Rollback,
  Permission.Drift,
  Permission.Override,
  Permission.Administer,
] as const satisfies readonly Permission[];

/** What anyone may do to a pipeline without an access block. */
const OPEN_BY_DEFAULT: readonly Permission[] = [Permission.Promote, Permission.Operate, Permission.Rollback, Permission.Drift, Permission.Override];

/** Group name → members: the worker's groups file, for actors nobody verified. */
export type GroupsFile = Readonly<Record<string, readonly string[]>>;

/** The groups of an actor: a verified token's groups, or the worker's groups file for an unverified one. */
export function groupsOf(groups: GroupsFile): (actor: Actor) => string[] {
  return (actor) => actorGroups(actor, groups);
}

/** Whether `actor` is the user, or in the group, that `entry` names. */
export function matches(actor: Actor, entry: ApproverEntry, groupsOf: (actor: Actor) => readonly string[]): boolean {
  return entry.kind === 'user' ? actorIs(actor, entry.name) : groupsOf(actor).includes(entry.name);
}

/** `alice`, `group:sre`. */
export function formatEntry(entry: ApproverEntry): string {
  return entry.kind === 'group' ? `group:${entry.name}` : entry.name;
}

/** Entries without repeats, in order. */
function unique(entries: readonly ApproverEntry[]): ApproverEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = `${e.kind}:${e.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether a grant's `stages` covers `stage` (null: the whole pipeline, which only `*` covers). */
function covers(stages: readonly string[], stage: string | null): boolean {
  return stages.includes('*') || (stage !== null && stages.includes(stage));
}

/** Who the access block gives `permission` on `stage` (administer counts for all but approve). */
export function grantees(access: AccessSpec, permission: Permission, stage: string | null): ApproverEntry[] {
  return unique(
    access.grants.flatMap((grant) =>
      covers(grant.stages, stage) && (grant.may.includes(permission) || (permission !== Permission.Approve && grant.may.includes(Permission.Administer)))
        ? grant.who
        : [],
    ),
  );
}

/** The approvers the access block adds to every gate of `stage` (grants with `approve`). */
export function grantedApprovers(access: AccessSpec | null | undefined, stage: string): ApproverEntry[] {
  return access ? grantees(access, Permission.Approve, stage) : [];
}

/** Everyone who may decide a gate of `stage`: the gate's own approvers, then the granted ones. */
export function gateApprovers(approvers: readonly ApproverEntry[], access: AccessSpec | null | undefined, stage: string): ApproverEntry[] {
  return unique([...approvers, ...grantedApprovers(access, stage)]);
}

/**
 * Why `actor` may not decide a gate whose approvers are `approvers` (users by actorIs, groups
 * by the actor's groups), or null when they may. `where` names the gate for people
 * (`production`, `step 3 of production`).
 */
export function approverRefusal(
  actor: Actor,
  approvers: readonly ApproverEntry[],
  groupsOf: (actor: Actor) => readonly string[],
  where = 'this gate',
): string | null {
  const who = actorLabel(actor);
  if (actor.name.trim() === '' && actor.subject.trim() === '') return 'no actor given. Say who you are (ramp login, or --as <user> on the local stack)';
  if (approvers.some((entry) => matches(actor, entry, groupsOf))) return null;
  const groups = groupsOf(actor);
  const theirs = groups.length > 0 ? `${actor.name} is in ${groups.map((g) => `group:${g}`).join(', ')}` : `${actor.name} is in no group`;
  if (approvers.length === 0) return `${who} may not approve ${where}: it has no approvers. Add approvers to the gate, or grant approve on it in spec.access`;
  const only = approvers.length === 1 ? approvers[0] : undefined;
  if (only?.kind === 'group') return `${who} is not in group:${only.name}, which approves ${where} (${theirs}). Ask a member to approve`;
  return `${who} is not an approver of ${where}: its approvers are ${approvers.map(formatEntry).join(', ')} (${theirs}). Ask one of them to approve`;
}

/** Every group the access block names, sorted and unique (to resolve from the worker's groups file for unverified names). */
export function accessGroups(access: AccessSpec | null | undefined): string[] {
  const names = (access?.grants ?? []).flatMap((grant) => grant.who.flatMap((entry) => (entry.kind === 'group' ? [entry.name] : [])));
  return [...new Set(names)].sort();
}

/** What the permission lets people do, as a verb phrase before the object. */
const VERB: Record<Permission, string> = {
  promote: 'promote',
  approve: 'approve',
  operate: 'operate',
  rollback: 'roll back',
  drift: 'decide drift on',
  override: 'override the deploy windows of',
  administer: 'administer',
};

interface QueryBase {
  pipeline: string;
  /** The pipeline's access block; null or absent: the defaults. */
  access: AccessSpec | null | undefined;
  actor: Actor;
  /** The worker's groups file: the groups of actors nobody verified (actorGroups). */
  groups: GroupsFile;
  /** The stage acted on; null for the pipeline as a whole (only a grant on `*` covers it). */
  stage: string | null;
}

/** A question for permissionRefusal; `approve` also needs the gate's own approvers. */
export type PermissionQuery =
  | (QueryBase & { permission: Exclude<Permission, typeof Permission.Approve> })
  | (QueryBase & { permission: typeof Permission.Approve; approvers: readonly ApproverEntry[]; stage: string });

/**
 * Why the actor may not do this, as a sentence people act on, or null when they may. For
 * `approve`: the gate's approvers plus the approvers the access block grants on the stage.
 */
export function permissionRefusal(query: PermissionQuery): string | null {
  const { pipeline, access, actor, groups, permission, stage } = query;
  const groupsOfActor = groupsOf(groups);
  if (query.permission === Permission.Approve) {
    return approverRefusal(actor, gateApprovers(query.approvers, access, query.stage), groupsOfActor, `${query.stage} of ${pipeline}`);
  }
  const who = actorLabel(actor);
  if (actor.name.trim() === '' && actor.subject.trim() === '') return 'no actor given. Say who you are (ramp login, or --as <user> on the local stack)';
  const target = stage === null ? pipeline : `${stage} of ${pipeline}`;
  const on = stage === null ? "on all stages ('*')" : `on ${stage}`;
  if (!access) {
    if (OPEN_BY_DEFAULT.includes(permission)) return null;
    return `${who} may not ${VERB[permission]} ${pipeline}: it has no access block, so nobody administers it. Add spec.access.grants with may: [administer]`;
  }
  const allowed = grantees(access, permission, stage);
  if (allowed.some((entry) => matches(actor, entry, groupsOfActor))) return null;
  if (allowed.length === 0) {
    return `${who} may not ${VERB[permission]} ${target}: the access block grants ${permission} ${on} to nobody. Add a grant with may: [${permission}] to spec.access.grants`;
  }
  return `${who} may not ${VERB[permission]} ${target}: the access block grants ${permission} ${on} to ${allowed.map(formatEntry).join(', ')}`;
}
