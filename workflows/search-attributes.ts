/**
 * What Temporal's visibility (`ramp list`, the Temporal UI, `temporal workflow list --query`)
 * knows about ramp's workflows without asking a worker: custom search attributes, upserted by
 * the workflows themselves whenever their phase changes (docs/temporal.md).
 *
 * Every server ramp runs on must have them registered: the dev server gets them as
 * `--search-attribute` flags (scripts/lib/dev-server.ts), and a worker checks (and, where the
 * server allows it, registers) them before it polls (worker/search-attributes.ts). An upsert of
 * an unregistered attribute would fail the workflow task, and the workflow would hang.
 */
import { defineSearchAttributeKey, type SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { ApprovalOutcome, type ApprovalRecord } from '../src/domain/approval.js';
import { PauseReason, PromotionPhase, StagePhase } from '../src/domain/phases.js';

/** `promotion`, `stage`, or `helper` (a short read such as `ramp history`): hide helpers with `RampKind != "helper"`. */
export const RampKind = defineSearchAttributeKey('RampKind', 'KEYWORD');
export const RampPipeline = defineSearchAttributeKey('RampPipeline', 'KEYWORD');
export const RampVersion = defineSearchAttributeKey('RampVersion', 'KEYWORD');
/** The stage a promotion is in (or the stage a stage workflow is). */
export const RampStage = defineSearchAttributeKey('RampStage', 'KEYWORD');
/** The promotion a stage workflow belongs to. */
export const RampPromotion = defineSearchAttributeKey('RampPromotion', 'KEYWORD');
/** The phase at a glance: a promotion's phase, or a stage's, with pauses named by what they wait for. */
export const RampPhase = defineSearchAttributeKey('RampPhase', 'KEYWORD');
/** Whom it waits for: approvers' names, `operator`, a webhook, or the promotion holding an environment. */
export const RampWaitingFor = defineSearchAttributeKey('RampWaitingFor', 'KEYWORD_LIST');

/** Every search attribute ramp's workflows set: what a server must have registered. */
export const SEARCH_ATTRIBUTE_KEYS = [RampKind, RampPipeline, RampVersion, RampStage, RampPromotion, RampPhase, RampWaitingFor] as const;

/** The patch that introduced the upserts: histories recorded before it replay without them. */
export const SEARCH_ATTRIBUTES_PATCH = 'ramp-search-attributes';

/** Who acts on a pause that no person is named for. */
export const OPERATOR = 'operator';

/** What `RampPhase` says of a stage: Paused is split by what the pause waits for. */
export function stageDisplayPhase(phase: StagePhase, pauseReason: PauseReason | null): string {
  if (phase !== StagePhase.Paused) return phase;
  switch (pauseReason) {
    case PauseReason.AwaitingApproval:
      return 'AwaitingApproval';
    case PauseReason.InconclusiveAnalysis:
      return 'Inconclusive';
    case PauseReason.AwaitingConfirmation:
      return 'AwaitingConfirmation';
    case PauseReason.DeployWindowClosed:
      return 'WindowClosed';
    case PauseReason.Soaking:
      return 'Soaking';
    default:
      return StagePhase.Paused;
  }
}

/**
 * Whom a stage waits for: the pending approval's approvers (as the gate opened; not updated per
 * partial approval), `operator` for a pause, `webhook` for a confirmation, `clock` for a closed
 * deploy window or a soak.
 */
export function stageWaitingFor(phase: StagePhase, pauseReason: PauseReason | null, approvals: readonly ApprovalRecord[]): string[] {
  const pending = approvals.at(-1);
  const approvalWait = phase === StagePhase.AwaitingApproval || (phase === StagePhase.Paused && pauseReason === PauseReason.AwaitingApproval);
  if (approvalWait && pending?.outcome === ApprovalOutcome.Pending) {
    const approved = new Set(pending.approvals.map((d) => d.actor));
    return pending.eligible.filter((user) => !approved.has(user));
  }
  if (phase !== StagePhase.Paused) return [];
  if (pauseReason === PauseReason.DeployWindowClosed || pauseReason === PauseReason.Soaking) return ['clock'];
  return pauseReason === PauseReason.AwaitingConfirmation ? ['webhook'] : [OPERATOR];
}

/** Whom a promotion waits for: the promotion holding the environment, or an operator to retry or abort. */
export function promotionWaitingFor(phase: PromotionPhase, heldBy: string | null): string[] {
  if (phase === PromotionPhase.WaitingForEnvironment) return [heldBy ?? 'another promotion'];
  if (phase === PromotionPhase.Failed) return [OPERATOR];
  return [];
}

/** The attributes a promotion workflow shows. */
export function promotionAttributes(s: {
  pipeline: string;
  version: string;
  phase: PromotionPhase;
  stage: string | null;
  heldBy: string | null;
}): SearchAttributeUpdatePair[] {
  const waiting = promotionWaitingFor(s.phase, s.heldBy);
  return [
    { key: RampKind, value: 'promotion' },
    { key: RampPipeline, value: s.pipeline },
    { key: RampVersion, value: s.version },
    { key: RampStage, value: s.stage },
    { key: RampPhase, value: s.phase },
    { key: RampWaitingFor, value: waiting.length > 0 ? waiting : null },
  ];
}

/** The attributes a stage workflow shows. */
export function stageAttributes(s: {
  promotionId: string;
  pipeline: string;
  version: string;
  stage: string;
  phase: StagePhase;
  pauseReason: PauseReason | null;
  approvals: readonly ApprovalRecord[];
}): SearchAttributeUpdatePair[] {
  const waiting = stageWaitingFor(s.phase, s.pauseReason, s.approvals);
  return [
    { key: RampKind, value: 'stage' },
    { key: RampPipeline, value: s.pipeline },
    { key: RampVersion, value: s.version },
    { key: RampStage, value: s.stage },
    { key: RampPromotion, value: s.promotionId },
    { key: RampPhase, value: stageDisplayPhase(s.phase, s.pauseReason) },
    { key: RampWaitingFor, value: waiting.length > 0 ? waiting : null },
  ];
}

/** The pairs whose value differs from `current` (null removes; removing an absent one is no change). */
export function changedAttributes(
  pairs: readonly SearchAttributeUpdatePair[],
  current: (pair: SearchAttributeUpdatePair) => unknown,
): SearchAttributeUpdatePair[] {
  return pairs.filter((pair) => {
    const now = current(pair);
    if (pair.value === null) return now !== undefined;
    return JSON.stringify(now) !== JSON.stringify(pair.value);
  });
}

/**
 * Upserts the pairs that changed, in one command, from workflow code. Runs with no effect in
 * histories recorded before the patch (they must replay unchanged).
 */
export function publishAttributes(pairs: readonly SearchAttributeUpdatePair[]): void {
  if (!patched(SEARCH_ATTRIBUTES_PATCH)) return;
  const attributes = workflowInfo().typedSearchAttributes;
  const changed = changedAttributes(pairs, (pair) => attributes.get(pair.key));
  if (changed.length > 0) upsertSearchAttributes(changed);
}
