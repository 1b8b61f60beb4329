/**
 * The activities the promotion workflows call, as one interface. Workflows import it as a
 * type only; the worker's `createActivities()` must satisfy it.
 */
import type { Groups } from '../src/domain/approval.js';
import type { Authentication } from '../src/identity/decision.js';
import type { AuthenticateRequest } from './identity.js';
import type { Measurement } from '../src/domain/analysis/measurement.js';
import type { MetricSpec, WebhookSpec } from '../src/schema/pipeline.js';
import type { WebhookAnswer, WebhookPayload } from './webhooks.js';
import type { JudgeRequest, Judgement } from './judge.js';
import type { SyncRequest, SyncResult } from './kube.js';
import type { AcceptRequest, DriftRequest } from './drift.js';
import type { DriftReport, DriftWatchSpec, ObjectDrift } from '../src/domain/drift.js';
import type { GateDecision, GateRef, NotifyEvent } from '../src/notify/events.js';
import type { HistoryCheckRequest, HistoryCheckResult } from '../src/domain/guard.js';
import type { WindowState } from '../src/domain/deploy-window.js';
import type { WindowRequest } from './windows.js';
import type { AppendAuditRequest, AppendAuditResult, AuditReadRequest, AuditReadResult, AuditVerification } from './audit.js';
import type { PolicyDecision } from '../src/governance/policy-evaluate.js';
import type { PinnedPolicy, PolicySpec } from '../src/schema/pipeline.js';
import type { PolicyRequest } from './policies.js';
import type { DeliveryQuery } from './dora.js';
import type { DoraReport } from '../src/dora/report.js';
import type { CommitRequest, CommitResult, FieldHistoryQuery, HistoryEntry, HistoryQuery, RevertRequest, RevertResult } from '../src/domain/changes.js';

/**
 * Something worth telling people (docs/notifications.md): approvals waiting and decided, stages
 * done or rolled back, drift. The pipeline's routes say who hears of which.
 */
export interface Notification {
  kind:
    | 'approval-waiting'
    | 'approval-reminder'
    | 'approval-decided'
    | 'analysis-inconclusive'
    | 'stage-promoted'
    | 'stage-rolled-back'
    | 'history-rewritten'
    | 'promotion-finished'
    | 'drift-detected'
    | 'drift-reverted';
  promotionId: string;
  pipeline: string;
  stage: string | null;
  version: string;
  message: string;
  /** The dedupe key (default: this activity call's own id, which its retries keep). */
  key?: string;
  /** The gate an approval event is about (its commit and attempt: for links and buttons). */
  gate?: GateRef;
  /** How the gate was decided (approval-decided). */
  decision?: GateDecision;
  /** Further events it counts as for routing (a rolled-back canary is also canary-aborted). */
  also?: NotifyEvent[];
}

/**
 * Force-push detection for the Git writes. `expect`: the commits this promotion recorded on the
 * branch so far (full shas). Before it writes anything, the activity fetches and checks that each
 * is still on `origin/<branch>`; if one is not, it writes nothing and fails with the
 * non-retryable ApplicationFailure of type `HistoryRewritten` (FailureType.HistoryRewritten),
 * details `[{ commit, missing }]`: the first missing sha and all of them.
 */
export interface ExpectedOnBranch {
  expect?: string[];
}

export interface RampActivities {
  /** Writes one stage commit (idempotent by its trailers) and pushes it; refuses when `expect`ed commits left the branch. */
  commitStageChange(request: CommitRequest & ExpectedOnBranch): Promise<CommitResult>;
  /** Reverts ramp's own commits newest-first (idempotent) and pushes; refuses when `expect`ed commits left the branch. */
  revertStageCommits(request: RevertRequest & ExpectedOnBranch): Promise<RevertResult>;
  /** ramp's commits read back from `git log`. */
  readHistory(query: HistoryQuery): Promise<HistoryEntry[]>;
  /** A stage's DORA report over a period, from ramp's commits on the branch (docs/dora.md). */
  readDelivery(query: DeliveryQuery): Promise<DoraReport>;
  /** The distinct values one YAML field had on the branch, newest first. */
  readFieldHistory(query: FieldHistoryQuery): Promise<string[]>;
  /** Who sent a command: the verified actor of a signed decision, or an unverified name (a local activity). */
  authenticateCommand(request: AuthenticateRequest): Promise<Authentication>;
  /** The newest commit of the repository's branch (what an approval gate is bound to). */
  branchHead(repository: CommitRequest['repository']): Promise<string>;
  /** Members of the named approver groups, from the worker's groups file. */
  resolveGroups(names: string[]): Promise<Groups>;
  /** The promotion id holding an environment's workflow, or null when it is free. */
  environmentHolder(stageWorkflowId: string): Promise<string | null>;
  /** Measures one metric and judges the value (never throws for query problems: an Error measurement). */
  measureMetric(request: { metric: MetricSpec; args: Record<string, string> }): Promise<Measurement>;
  /** Calls one webhook of a stage (signed when it names a secret); the answer is data. */
  callWebhook(request: { hook: WebhookSpec; payload: WebhookPayload }): Promise<WebhookAnswer>;
  /** One canary-vs-baseline judgement over Prometheus range data; the value is the score. */
  judgeCanary(request: JudgeRequest): Promise<Judgement>;
  /** Makes a stage's commit live in its cluster (apply, or the GitOps agent) and waits until it is healthy. */
  syncStage(request: SyncRequest): Promise<SyncResult>;
  /** Compares Git's head with the live objects of a stage (drift). */
  detectDrift(request: DriftRequest): Promise<DriftReport>;
  /** Applies Git's state (at `sha`) of drifted objects; returns the objects applied. */
  restoreDrift(request: DriftRequest & { sha: string; drifts: ObjectDrift[] }): Promise<string[]>;
  /** Commits the live values of drifted fields to Git; idempotent by `step`. */
  acceptDrift(request: AcceptRequest): Promise<{ sha: string | null; files: string[] }>;
  /** Starts an environment's drift watch, or gives the running one the latest spec. Returns its workflow id. */
  watchDrift(spec: DriftWatchSpec): Promise<string>;
  /** The history guard's check: each branch's tip, and which watched commits are no longer reachable (workflows/guard.ts). */
  checkHistory(request: HistoryCheckRequest): Promise<HistoryCheckResult>;
  /** Whether a stage may write now (its deploy windows, the organisation's, a freeze), why, and when that changes. */
  deployWindow(request: WindowRequest): Promise<WindowState>;
  /** Hands the event to the release's notification workflow; the callers treat a failure as best effort. */
  notify(notification: Notification): Promise<void>;
  /** Appends decisions to the audit trail (branch ramp/audit), chained and idempotent by id (docs/governance.md#audit-trail). */
  appendAudit(request: AppendAuditRequest): Promise<AppendAuditResult>;
  /** The audit trail's records, oldest first. */
  readAudit(request: AuditReadRequest): Promise<AuditReadResult>;
  /** Whether the audit trail is intact (chain, hashes, append-only history). */
  verifyAudit(repository: AuditReadRequest['repository']): Promise<AuditVerification>;
  /** Pins a promotion's policies: the pipeline's and the organisation's (RAMP_POLICY_FILES), with content hash and source. */
  loadPolicies(request: { pipeline: string; policies: PolicySpec[] }): Promise<PinnedPolicy[]>;
  /** Decides the request's policies at a checkpoint (docs/governance.md). */
  evaluatePolicies(request: PolicyRequest): Promise<PolicyDecision[]>;
}
