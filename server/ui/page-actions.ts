/**
 * Which actions a release page offers its viewer, and — for each the viewer may not take — why
 * not, in the words of the rules the workflows decide with (src/domain/permissions.ts,
 * gate-decision.ts, override.ts). One pure function for the release page, its fragment and the
 * home page's "waiting for me"; the server and the workflow still check every request.
 */
import { approverRefusal, groupsOf, permissionRefusal, Permission } from '../../src/domain/permissions.js';
import { gateDecisionRefusal, type GateContext } from '../../src/domain/gate-decision.js';
import { POLICY_GATE_PREFIX } from '../../src/governance/policy-gate.js';
import { overrideRefusalFor } from '../../src/domain/override.js';
import { PauseReason, PromotionPhase, StagePhase } from '../../src/domain/phases.js';
import { readActor, type Actor } from '../../src/identity/actor.js';
import type { ApproverEntry, StageSpec } from '../../src/schema/pipeline.js';
import { approverEntry } from '../../src/schema/approval.js';
import type { ApprovalRecord } from '../../src/domain/approval.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import type { PinnedRelease } from './pinned.js';

export const PageActionName = {
  Approve: 'approve',
  Reject: 'reject',
  Pause: 'pause',
  Resume: 'resume',
  Skip: 'skip',
  WindowOverride: 'window-override',
  Abort: 'abort',
  Retry: 'retry',
  Rollback: 'rollback',
} as const;
export type PageActionName = (typeof PageActionName)[keyof typeof PageActionName];

/** The text an action sends: `comment` or `reason`, required or not (as the API's request schema says). */
export interface ActionText {
  name: 'comment' | 'reason';
  required: boolean;
  label: string;
}

export interface PageAction {
  name: PageActionName;
  /** The button's words: `Approve`, `Roll production back to 1.4.2`. */
  label: string;
  /** The API route the form posts to (docs/api/README.md). */
  path: string;
  /** The stage it acts on (null: the whole promotion). */
  stage: string | null;
  text: ActionText | null;
  /** Other fields of the request body (a rollback's pipeline, version and stage). */
  fields: Record<string, string>;
  /** Why the viewer may not, as a sentence; null when they may. */
  refusal: string | null;
}

/** What the server's own authorizer said (service-token scopes; a rollback against the server's pipeline file), already asked. */
export interface ServerVerdicts {
  /** For `operate` on the promotion's pipeline: null when it does not refuse. */
  operate: string | null;
  /** For `rollback`, per stage name; a stage missing here is not offered. */
  rollback: Readonly<Record<string, string | null>>;
}

export interface ActionInput {
  snapshot: { promotion: PromotionStatus; activeStage: StageStatus | null };
  viewer: Actor;
  /** What the promotion pinned (pinned.ts); null when unreadable: the record's approvers decide alone. */
  pinned: PinnedRelease | null;
  server: ServerVerdicts;
}

const COMMENT: ActionText = { name: 'comment', required: false, label: 'Comment (optional)' };
const REASON = (label: string): ActionText => ({ name: 'reason', required: true, label });

/** The actions the page shows, in the order it shows them (each with its refusal, if any). */
export function pageActions(input: ActionInput): PageAction[] {
  const { promotion } = input.snapshot;
  const id = encodeURIComponent(promotion.promotionId);
  const actions: PageAction[] = [];
  const operate = (stage: string | null) => operateRefusal(input, stage);

  if (promotion.finishedAt !== null) {
    // Put this version back where it was promoted (the workflow checks it was live there before).
    for (const summary of promotion.stages) {
      const verdict = input.server.rollback[summary.name];
      if (summary.phase !== StagePhase.Promoted || verdict === undefined || promotion.kind !== 'promote') continue;
      actions.push({
        name: PageActionName.Rollback,
        label: `Roll ${summary.name} back to ${promotion.version}`,
        path: '/api/v1/rollbacks',
        stage: summary.name,
        text: REASON('Why roll back (required)'),
        fields: { pipeline: promotion.pipeline, version: promotion.version, stages: summary.name },
        refusal: verdict,
      });
    }
    return actions;
  }

  if (promotion.phase === PromotionPhase.Failed) {
    // As the workflow asks it: operate on the first stage not promoted (the failed one).
    const stage = promotion.stages.find((s) => s.phase !== StagePhase.Promoted)?.name ?? null;
    actions.push({
      name: PageActionName.Retry,
      label: 'Retry',
      path: `/api/v1/promotions/${id}/retry`,
      stage,
      text: null,
      fields: {},
      refusal: operate(stage),
    });
  }

  const s = input.snapshot.activeStage;
  const active = s && s.promotionId === promotion.promotionId && promotion.activeStage?.name === s.stage ? s : null;
  if (active) {
    const at = `/api/v1/promotions/${id}/stages/${encodeURIComponent(active.stage)}`;
    const stageSpec = input.pinned?.pipeline.stages.find((spec) => spec.name === active.stage) ?? null;
    const gate = pendingGate(active);
    if (gate) {
      for (const action of [PageActionName.Approve, PageActionName.Reject] as const) {
        actions.push({
          name: action,
          label: action === 'approve' ? 'Approve' : 'Reject',
          path: `${at}/${action}`,
          stage: active.stage,
          text: action === 'approve' ? COMMENT : REASON('Why reject (required)'),
          fields: {},
          refusal: decisionRefusal(input, active, stageSpec, gate, action),
        });
      }
    }
    // A closed deploy window and a soak wait for the clock: resume cannot end them (the workflow refuses it).
    const clockWait = active.pauseReason === PauseReason.DeployWindowClosed || active.pauseReason === PauseReason.Soaking;
    const paused = active.phase === StagePhase.Paused && active.pauseReason !== PauseReason.AwaitingApproval && !clockWait;
    if (active.phase === StagePhase.Paused && active.pauseReason === PauseReason.DeployWindowClosed) {
      actions.push({
        name: PageActionName.WindowOverride,
        label: 'Override the closed deploy window',
        path: `${at}/window-override`,
        stage: active.stage,
        text: REASON('Why go through the closed window (required)'),
        fields: {},
        refusal: windowOverrideRefusal(input, active.stage),
      });
    }
    if (paused) {
      const inconclusive = active.pauseReason === PauseReason.InconclusiveAnalysis;
      const override = inconclusive ? overrideRefusal(input, active, stageSpec, 'resume past an inconclusive analysis') : null;
      actions.push({
        name: PageActionName.Resume,
        label: inconclusive ? 'Continue past the inconclusive analysis' : 'Resume',
        path: `${at}/resume`,
        stage: active.stage,
        text: null,
        fields: {},
        refusal: operate(active.stage) ?? override,
      });
    }
    if (active.phase === StagePhase.Progressing && active.strategy === 'canary' && active.currentStep < active.steps.length) {
      actions.push({
        name: PageActionName.Pause,
        label: 'Pause after this step',
        path: `${at}/pause`,
        stage: active.stage,
        text: { name: 'reason', required: false, label: 'Reason (optional)' },
        fields: {},
        refusal: operate(active.stage),
      });
    }
    const stepsLeft = active.strategy === 'canary' && active.currentStep < active.steps.length;
    if (stepsLeft && !gate && (active.phase === StagePhase.Progressing || paused)) {
      actions.push({
        name: PageActionName.Skip,
        label: 'Skip the remaining steps and promote fully',
        path: `${at}/skip`,
        stage: active.stage,
        text: REASON('Why skip the remaining steps (required)'),
        fields: {},
        refusal: operate(active.stage) ?? overrideRefusal(input, active, stageSpec, 'skip the remaining canary steps'),
      });
    }
  }

  if (promotion.finishedAt === null) {
    const stage = promotion.stages.find((x) => x.phase !== StagePhase.Promoted)?.name ?? null;
    actions.push({
      name: PageActionName.Abort,
      label: 'Abort and roll back',
      path: `/api/v1/promotions/${id}/abort`,
      stage,
      text: REASON('Why abort (required)'),
      fields: {},
      refusal: operate(stage),
    });
  }
  return actions;
}

/** The approval the stage waits for now, if any (the newest pending one: what the server binds a decision to). */
export function pendingGate(stage: StageStatus): ApprovalRecord | null {
  const waiting = stage.phase === StagePhase.AwaitingApproval || (stage.phase === StagePhase.Paused && stage.pauseReason === PauseReason.AwaitingApproval);
  return waiting ? (stage.approvals.filter((a) => a.outcome === 'Pending').at(-1) ?? null) : null;
}

/** Whether the viewer may approve the gate the promotion waits for now (the home page's "waiting for me"). */
export function canApproveNow(input: ActionInput): boolean {
  return pageActions(input).some((a) => a.name === PageActionName.Approve && a.refusal === null);
}

function operateRefusal(input: ActionInput, stage: string | null): string | null {
  if (input.server.operate !== null) return input.server.operate;
  if (!input.pinned) return null;
  return permissionRefusal({
    permission: Permission.Operate,
    pipeline: input.pinned.pipeline.name,
    access: input.pinned.pipeline.access ?? null,
    actor: input.viewer,
    groups: input.snapshot.activeStage?.groups ?? {},
    stage,
  });
}

/** The `override` permission (docs/governance.md#deploy-windows): open without an access block; administer implies it. */
function windowOverrideRefusal(input: ActionInput, stage: string): string | null {
  if (!input.pinned) return null;
  return permissionRefusal({
    permission: Permission.Override,
    pipeline: input.pinned.pipeline.name,
    access: input.pinned.pipeline.access ?? null,
    actor: input.viewer,
    groups: input.snapshot.activeStage?.groups ?? {},
    stage,
  });
}

function gateContext(input: ActionInput, stage: StageStatus, spec: StageSpec): GateContext {
  const { promotion } = input.snapshot;
  return {
    pipeline: promotion.pipeline,
    stage: spec,
    access: input.pinned?.pipeline.access ?? null,
    groups: stage.groups ?? {},
    release: { starter: readActor(promotion.requester ?? promotion.requestedBy), authors: input.pinned?.release?.authors ?? [] },
  };
}

function decisionRefusal(input: ActionInput, stage: StageStatus, spec: StageSpec | null, gate: ApprovalRecord, action: 'approve' | 'reject'): string | null {
  // A policy's gate (policy:<name>) is not in the stage's spec: its record names its approvers.
  if (spec && !gate.gate.startsWith(POLICY_GATE_PREFIX)) return gateDecisionRefusal(gate, input.viewer, action, gateContext(input, stage, spec));
  // Without the pinned spec: the gate's approvers as the record wrote them (already with the granted ones).
  const entries: ApproverEntry[] = (gate.approvers ?? gate.eligible).map(approverEntry);
  return approverRefusal(input.viewer, entries, groupsOf(stage.groups ?? {}), `the ${gate.gate} approval of ${stage.stage}`);
}

function overrideRefusal(input: ActionInput, stage: StageStatus, spec: StageSpec | null, what: string): string | null {
  if (!spec) return null;
  return overrideRefusalFor(input.viewer, spec, input.pinned?.pipeline.access ?? null, groupsOf(stage.groups ?? {}), what);
}
