/**
 * Every message of the promotion workflows: the workflows, the CLI and the tests import these
 * same objects. Operator commands are Updates with synchronous validators, so the caller learns
 * at once whether the command counted and, if not, why (the rejection's message).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalRecord, Groups } from '../src/domain/approval.js';
import type { OverrideRecord } from '../src/domain/override.js';
import type { AnalysisResult } from './analysis-messages.js';
import type { FileDiff, HistoryEntry } from '../src/domain/changes.js';
import type { FailureReason, PauseReason, PromotionPhase, StagePhase, StepStatus } from '../src/domain/phases.js';
import type { AccessSpec, PinnedPolicy, PipelineSpec, PolicyCheckpoint, PolicyEffect, StageSpec } from '../src/schema/pipeline.js';
import type { Actor } from '../src/identity/actor.js';
import type { WindowState } from '../src/domain/deploy-window.js';
import type { GateKind } from '../src/observability/facts.js';

// ---------------------------------------------------------------- inputs

/** Engine timings; real defaults, tests shrink them here (never by special cases). */
export interface PromotionSettings {
  /** How often a promotion waiting for an occupied environment checks again. @default 5000 */
  environmentPollMs: number;
  /** How long a failed promotion waits for `retry` before it gives up. @default 86400000 (1 day) */
  retryWindowMs: number;
}

export const DEFAULT_SETTINGS: PromotionSettings = { environmentPollMs: 5_000, retryWindowMs: 86_400_000 };

/** `promote` walks every stage; `rollback` re-promotes an earlier version to the named stages. */
export type PromotionKind = 'promote' | 'rollback';

export interface PromotionInput {
  /** Version of this input's shape, for replay-safe evolution. */
  apiVersion: 'ramp/v1';
  /** Pinned for the whole run: a promotion keeps the definition it started with. */
  pipeline: PipelineSpec;
  version: string;
  requestedBy: string;
  /**
   * The promote (or rollback) decision signed by `ramp server` (src/identity/decision.ts); the
   * worker verifies it and the record names the verified actor. Absent: `requestedBy` is
   * local-unverified (a direct Temporal call).
   */
  decision?: string;
  /** What is known of the release's source: four-eyes keeps its authors from approving it. */
  /** Why the promotion or rollback was asked for, when the caller said (the web page asks it of rollbacks). */
  reason?: string;
  release?: ReleaseSource;
  kind: PromotionKind;
  /** Stage names to run, in pipeline order; all when omitted. */
  stages?: string[];
  settings?: Partial<PromotionSettings>;
  /**
   * The policies this promotion pinned when it started (set by the workflow itself, carried
   * across continue-as-new); absent before policies were pinned.
   */
  pinnedPolicies?: PinnedPolicy[];
  /** Set when resuming after continue-as-new. */
  resume?: { status: PromotionStatus; stageIndex: number };
}

/** The release's source commit and its authors (emails or subjects), when the caller knows them. */
export interface ReleaseSource {
  commit?: string;
  authors?: string[];
  /** ISO-8601 time of the source commit (its author time): DORA's lead time starts here (docs/dora.md). */
  time?: string;
  /** The version this release fixes forward: that version counts as a change failure, recovered once this release is deployed (docs/dora.md). */
  fixes?: string;
}

export interface StageInput {
  promotionId: string;
  pipeline: string;
  repository: PipelineSpec['repository'];
  image: string;
  version: string;
  stage: StageSpec;
  /** The pipeline's analysis templates (absent in inputs pinned before analysis existed). */
  analysisTemplates?: PipelineSpec['analysisTemplates'];
  /** 1 for the first run of this stage in this promotion, 2 after one `retry`, ... */
  attempt: number;
  /**
   * `rollback`: back to a release that was live in this stage before — no approval gate, no
   * canary steps, straight to full promotion (stable = the version, canary weight 0), recorded
   * like any promotion. Absent in inputs pinned before it existed (see `fastTrack`).
   */
  kind?: PromotionKind;
  /** Who asked for the promotion or rollback (the `Ramp-Requested-By` of its commits). */
  requestedBy?: string;
  /** The same person as the promotion established them (verified or not): four-eyes keeps them from approving. */
  requester?: Actor;
  /** The release's source, when known: its authors may not approve it either. */
  release?: ReleaseSource;
  /** The pipeline's access block (null: the defaults; absent in inputs pinned before it existed). */
  access?: AccessSpec | null;
  /**
   * The policies pinned for this promotion (docs/governance.md): the pipeline's and the
   * organisation's (RAMP_POLICY_FILES), each with its content hash and source, as the promotion
   * loaded them when it started; absent or empty: none (no policy command at all).
   */
  policies?: PinnedPolicy[];
  /** The pipeline's stage names in order (policies read the stage's index and the last stage); absent before policies. */
  pipelineStages?: string[];
  /**
   * With `stage.soak`: when the version became stable (promoted, and live with a sync mode) in
   * `soak.after` in this promotion, ISO-8601; absent: the stage reads it from Git.
   */
  soakSince?: string;
  /** @deprecated The old name of `kind: 'rollback'`; read only by `upgradeStageInput`. */
  fastTrack?: boolean;
  /** Set when resuming after continue-as-new. */
  resume?: StageResume;
}

/** Operator requests a stage has accepted but not yet acted on. */
export interface StageRequests {
  abort: { actor: string; reason: string } | null;
  pause: { actor: string; reason: string } | null;
  skip: { actor: string } | null;
  /** The ids of the signed decisions this stage has taken (each counts once). */
  decisionIds?: string[];
  /** Increases with every accepted `resume`. */
  resumes: number;
  /** The person whose command the next commit carries out (resume, skip, override), once. */
  decidedBy?: string | null;
  /** A window override: lets the stage through the closed period it was given in (until `until`; null: while it lasts). */
  windowOverride?: WindowOverrideRecord | null;
}

/** Who let a stage through a closed deploy window or a freeze, why, and for how long. */
export interface WindowOverrideRecord {
  actor: string;
  identity?: Actor;
  reason: string;
  at: string;
  /** ISO-8601: the end of the closed period it overrides (the window's next opening); null: no known end (a freeze). */
  until: string | null;
  /** What was closed: the window state's reason. */
  closed: string;
  /** Where the decision was taken, and the signed decision's id. */
  channel?: string;
  decisionId?: string;
}

/** What a stage carries across continue-as-new: everything else follows from it. */
export interface StageResume {
  status: StageStatus;
  requests: StageRequests;
}

// ---------------------------------------------------------------- status

export interface StageEvent {
  /** ISO-8601 (workflow time). */
  at: string;
  kind: string;
  /** The actor's display name. */
  actor?: string;
  /** Who, as established (verified or not); absent in records from before identities. */
  identity?: Actor;
  message: string;
}

export interface StepRecord {
  index: number;
  label: string;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface CommitRecord {
  sha: string;
  step: string;
  at: string;
  /** The lines the commit changed (bounded): what the release page shows. Absent in records from before. */
  diff?: FileDiff[];
}

export interface StageStatus {
  promotionId: string;
  pipeline: string;
  stage: string;
  version: string;
  attempt: number;
  phase: StagePhase;
  pauseReason: PauseReason | null;
  /** Absolute end of a timed pause, ISO-8601. */
  pauseUntil: string | null;
  /** What is happening, in a sentence. */
  message: string;
  strategy: 'direct' | 'canary';
  /** Index into `steps` of the step in progress (steps.length once all are done). */
  currentStep: number;
  steps: StepRecord[];
  /** The canary's share of traffic as last written to Git. */
  canaryWeight: number;
  commits: CommitRecord[];
  reverts: { sha: string; reverted: string; at: string }[];
  approvals: ApprovalRecord[];
  /** Every analysis run of the stage, with its latest measurements per metric. */
  analyses?: AnalysisResult[];
  /** Verdicts and gates a person overrode (resume past Inconclusive, skip), oldest first. */
  overrides?: OverrideRecord[];
  /** Members of the stage's approver groups, as the worker resolved them (for approvals and overrides). */
  groups?: Groups;
  /** The record: every decision, refused command and failure, oldest first. */
  events: StageEvent[];
  failure: { reason: FailureReason; message: string } | null;
  /**
   * When the failure that ended the stage was first known — an analysis' failed verdict, an
   * abort request, a rejection, else the failure itself — ISO-8601: a rollback's reaction time
   * and DORA's recovery start here (`Ramp-Detected-At` on the reverts; docs/metrics.md).
   */
  failureDetectedAt?: string | null;
  /** When the stage's full-promotion commit (`promote` or `update`) landed, ISO-8601: a DORA deployment (docs/dora.md). */
  fullyPromotedAt?: string | null;
  /** The gate the stage waits at now and since when, ISO-8601 (ramp_gate_wait_seconds; kept across continue-as-new). */
  gateWait?: { gate: GateKind; since: string } | null;
  /** With a sync mode: the last commit seen live and healthy in the cluster. */
  live?: LiveRecord | null;
  /** The latest answer about the stage's deploy windows (docs/governance.md#deploy-windows); absent before windows existed. */
  window?: WindowState | null;
  /** With `soak`: where the version soaks, since when and until when (ISO-8601). */
  soak?: { after: string; since: string; until: string } | null;
  /** Window overrides given to this stage, oldest first. */
  windowOverrides?: WindowOverrideRecord[];
  /** Every policy decision of this stage, oldest first (absent: no policy was evaluated). */
  policyDecisions?: PolicyDecisionRecord[];
}

/** One policy's decision at one checkpoint, as the stage recorded it (docs/governance.md). */
export interface PolicyDecisionRecord {
  policy: string;
  /** The pinned content hash (sha256 of the policy's canonical JSON), hex. */
  hash: string;
  /** `pipeline`, or the organisation policy file it came from. */
  source: string;
  checkpoint: PolicyCheckpoint;
  /** The commit's step key, at the commit checkpoint. */
  step?: string;
  effect: PolicyEffect;
  /** Whether the condition held (the effect applied); false: allowed. */
  matched: boolean;
  message: string;
  at: string;
}

export interface LiveRecord {
  sha: string;
  /** ISO-8601, when it was found live and healthy. */
  at: string;
  /** e.g. `applied 5 objects; Deployment web-staging/web-stable: 2 of 2 replicas available`. */
  message: string;
}

export interface StageSummary {
  name: string;
  workflowId: string;
  attempt: number;
  phase: StagePhase | 'Pending' | 'Skipped';
  /** The final status of the last attempt, once it finished. */
  result: StageStatus | null;
}

export interface PromotionStatus {
  promotionId: string;
  pipeline: string;
  version: string;
  kind: PromotionKind;
  requestedBy: string;
  /** Who asked, as established (absent in records from before identities). */
  requester?: Actor;
  phase: PromotionPhase;
  message: string;
  /** The stage running now (send stage commands to its workflow), if any. */
  activeStage: { name: string; workflowId: string } | null;
  /** Set while waiting for an environment held by another promotion. */
  waitingFor: { stage: string; heldBy: string | null } | null;
  stages: StageSummary[];
  startedAt: string;
  finishedAt: string | null;
  events: StageEvent[];
}

// ---------------------------------------------------------------- messages

/** Who is sending a command; stage commands also name the promotion they mean. */
export interface OperatorArgs {
  promotionId: string;
  /** The display name; with `decision`, the signed actor's name. */
  actor: string;
  /**
   * The decision signed by `ramp server` (src/identity/decision.ts): the worker verifies it and
   * the workflow checks it is about this promotion, stage, attempt, gate and commit. Absent: a
   * direct Temporal call, recorded as local-unverified.
   */
  decision?: string;
}

export interface Ack {
  /** What the workflow did, in a sentence. */
  message: string;
}

export const stageStatusQuery = defineQuery<StageStatus>('stageStatus');
export const promotionStatusQuery = defineQuery<PromotionStatus>('promotionStatus');

/** Approve the approval the stage is waiting for. */
export const approveUpdate = defineUpdate<Ack, [OperatorArgs & { comment?: string }]>('approve');
/** Reject it: the stage fails and rolls back. */
export const rejectUpdate = defineUpdate<Ack, [OperatorArgs & { reason: string }]>('reject');
/** Continue past an indefinite pause, a timed pause, or an operator's pause. */
export const resumeUpdate = defineUpdate<Ack, [OperatorArgs]>('resume');
/** Stop advancing after the current step, until `resume`. */
export const pauseUpdate = defineUpdate<Ack, [OperatorArgs & { reason?: string }]>('pause');
/** Skip the remaining canary steps and promote fully (Argo's `promote --full`). */
export const skipUpdate = defineUpdate<Ack, [OperatorArgs & { reason?: string }]>('skip');
/** Stop the stage and roll it back (also on the promotion, which forwards it). */
export const abortUpdate = defineUpdate<Ack, [OperatorArgs & { reason: string }]>('abort');
/** The same, fire-and-forget, for alerts. */
export const abortSignal = defineSignal<[OperatorArgs & { reason: string }]>('abort');
/** Let the stage through a closed deploy window or a freeze (reason required; the override permission). */
export const windowOverrideUpdate = defineUpdate<Ack, [OperatorArgs & { reason: string }]>('windowOverride');
/** Re-run the stage that failed (on the promotion). */
export const retryUpdate = defineUpdate<Ack, [OperatorArgs]>('retry');

export type { HistoryEntry };

// ---------------------------------------------------------------- identities

/** `web@1.4.2` for a promotion, `web@1.3.0:rollback:production` for a rollback. */
export function promotionWorkflowId(pipeline: string, version: string, kind: PromotionKind = 'promote', stages: string[] = []): string {
  return kind === 'promote' ? `${pipeline}@${version}` : `${pipeline}@${version}:rollback:${stages.join(',')}`;
}

/** One workflow id per environment: at most one promotion runs in it at a time. */
export function stageWorkflowId(pipeline: string, stage: string): string {
  return `${pipeline}/${stage}`;
}
