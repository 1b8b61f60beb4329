/**
 * Overrides: a person taking a decision the pipeline left to a gate or a verdict — `resume`
 * past an Inconclusive analysis, `skip` of the remaining canary steps. Overriding needs the
 * same eligibility as approving (the stage's approvers) unless the stage says `overrides:
 * anyone`; a stage without approvers has no gate to bypass, so anyone may. Pure, so update
 * validators and handlers call it synchronously.
 */
import { actorLabel, type Actor } from '../identity/actor.js';
import type { AccessSpec, ApprovalSpec, ApproverEntry, StageSpec } from '../schema/pipeline.js';
import { eligibleApprovers, type Groups } from './approval.js';
import { approverRefusal, formatEntry, gateApprovers } from './permissions.js';

/** What was overridden. */
export const OverrideKind = {
  /** `resume` past an Inconclusive analysis: the verdict was not a pass. */
  Inconclusive: 'Inconclusive',
  /** `skip`: the remaining canary steps were not run. */
  Skip: 'Skip',
} as const;
export type OverrideKind = (typeof OverrideKind)[keyof typeof OverrideKind];

/** One override on the record. */
export interface OverrideRecord {
  kind: OverrideKind;
  /** The display name. */
  actor: string;
  /** Who overrode, as established (absent in records from before identities). */
  identity?: Actor;
  /** ISO-8601 (workflow time). */
  at: string;
  /** What was overridden, for people (e.g. `step 2: analysis error-rate: Inconclusive`). */
  what: string;
}

type OverrideStage = Pick<StageSpec, 'approval' | 'strategy'> & { overrides?: StageSpec['overrides'] };

/** Every approval of the stage: its gate and its approval steps. */
export function stageApprovals(stage: OverrideStage): ApprovalSpec[] {
  const steps = stage.strategy.kind === 'canary' ? stage.strategy.steps.flatMap((s) => (s.kind === 'approval' ? [s.approval] : [])) : [];
  return [...(stage.approval ? [stage.approval] : []), ...steps];
}

/** The approval spec of a gate named `gate` or `step <n>` (ApprovalRecord.gate); null when the stage has none such. */
export function gateSpec(stage: OverrideStage, gate: string): ApprovalSpec | null {
  if (gate === 'gate') return stage.approval ?? null;
  const index = Number(/^step (\d+)$/.exec(gate)?.[1] ?? NaN) - 1;
  if (stage.strategy.kind !== 'canary' || !Number.isInteger(index)) return null;
  const step = stage.strategy.steps[index];
  return step?.kind === 'approval' ? step.approval : null;
}

/** The approver groups named anywhere in the stage, sorted and unique. */
export function approverGroups(stage: OverrideStage): string[] {
  const names = stageApprovals(stage).flatMap((a) => a.approvers.flatMap((e) => (e.kind === 'group' ? [e.name] : [])));
  return [...new Set(names)].sort();
}

/**
 * Who may override in this stage: the users of its approvals, groups expanded with `groups`;
 * null when anyone may (`overrides: anyone`, or no approvals at all).
 */
export function overrideEligible(stage: OverrideStage, groups: Groups): string[] | null {
  if ((stage.overrides ?? 'approvers') === 'anyone') return null;
  const approvals = stageApprovals(stage);
  if (approvals.length === 0) return null;
  return [...new Set(approvals.flatMap((a) => eligibleApprovers(a, groups)))].sort();
}

/** Why `actor` may not override, or null when they may. */
export function overrideRefusal(eligible: string[] | null, actor: string, what: string): string | null {
  if (actor.trim() === '') return 'no actor given. Say who you are with --as <user>';
  if (eligible === null || eligible.includes(actor)) return null;
  return `${actor} may not ${what}: overriding needs the eligibility of the stage's approvers (${eligible.join(', ') || "nobody: check the worker's groups file"})`;
}

/**
 * Who may override in this stage, with the access block: the approvers of its approvals plus
 * the approvers the access block grants on it; null when anyone may (`overrides: anyone`, or a
 * stage without approvals — there is no gate to bypass, and `operate` decides).
 */
export function overrideApprovers(stage: OverrideStage & { name: string }, access: AccessSpec | null | undefined): ApproverEntry[] | null {
  if ((stage.overrides ?? 'approvers') === 'anyone') return null;
  const approvals = stageApprovals(stage);
  if (approvals.length === 0) return null;
  return gateApprovers(
    approvals.flatMap((a) => a.approvers),
    access,
    stage.name,
  );
}

/**
 * Why `actor` may not override (`what`: `resume past the Inconclusive analysis`, `skip the
 * remaining steps`) in this stage, or null. Needs the `operate` permission too, which the
 * caller checks with permissionRefusal; this is the gate's half: nobody but an approver
 * overrides a gate.
 */
export function overrideRefusalFor(
  actor: Actor,
  stage: OverrideStage & { name: string },
  access: AccessSpec | null | undefined,
  groupsOf: (actor: Actor) => readonly string[],
  what: string,
): string | null {
  const approvers = overrideApprovers(stage, access);
  if (approvers === null) return null;
  if (approverRefusal(actor, approvers, groupsOf, stage.name) === null) return null;
  const groups = groupsOf(actor);
  const theirs = groups.length > 0 ? `in ${groups.map((g) => `group:${g}`).join(', ')}` : 'in no group';
  return `${actorLabel(actor)} may not ${what}: only an approver of ${stage.name} may override (${approvers.map(formatEntry).join(', ')}; ${actor.name} is ${theirs})`;
}
