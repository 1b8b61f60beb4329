/** The vocabulary of a promotion's state, as const-object enums with same-named union types. */

/** Where one stage (environment) of a promotion is. */
export const StagePhase = {
  /** Waiting for the stage's approval gate. */
  AwaitingApproval: 'AwaitingApproval',
  /** Writing the version and walking the canary steps. */
  Progressing: 'Progressing',
  /** Stopped until `resume` (see PauseReason). */
  Paused: 'Paused',
  /** Writing the full promotion (stable = new version, canary weight 0). */
  Promoting: 'Promoting',
  /** Done: the new version is stable here. */
  Promoted: 'Promoted',
  /** Reverting this stage's commits. */
  RollingBack: 'RollingBack',
  /** Done: the stage failed and Git is back where it was. */
  RolledBack: 'RolledBack',
  /** Done: the stage failed and was not (fully) rolled back; a human must look. */
  Failed: 'Failed',
} as const;
export type StagePhase = (typeof StagePhase)[keyof typeof StagePhase];

export const TERMINAL_STAGE_PHASES: readonly StagePhase[] = [StagePhase.Promoted, StagePhase.RolledBack, StagePhase.Failed];

/** Why a stage is paused (Argo Rollouts' names where they exist). */
export const PauseReason = {
  /** A `pause` step: timed, or until resumed. */
  CanaryPauseStep: 'CanaryPauseStep',
  /** An operator asked (`ramp pause`). */
  UserPaused: 'UserPaused',
  /** An approval step is waiting for approvers. */
  AwaitingApproval: 'AwaitingApproval',
  /** An analysis was inconclusive: a human decides (`resume` continues, `abort` rolls back). */
  InconclusiveAnalysis: 'InconclusiveAnalysis',
  /** A confirm-* webhook has not answered 2xx yet; it is asked again every interval. */
  AwaitingConfirmation: 'AwaitingConfirmation',
  /**
   * The branch no longer holds the commits this stage recorded (a force-push): ramp wrote
   * nothing. `resume` checks again and continues once the branch is restored; `abort` gives up.
   */
  HistoryRewritten: 'HistoryRewritten',
  /**
   * Outside the stage's deploy window, in a deny window, or in an organisation-wide freeze: the
   * stage waits and goes on by itself when the window opens (or with a recorded override).
   */
  DeployWindowClosed: 'DeployWindowClosed',
  /** The version has not yet been stable long enough in an earlier stage (soak time); waits it out. */
  Soaking: 'Soaking',
} as const;
export type PauseReason = (typeof PauseReason)[keyof typeof PauseReason];

export const StepStatus = {
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Skipped: 'Skipped',
  /** Not passed: a person overrode its verdict (resume past an Inconclusive analysis). */
  Overridden: 'Overridden',
  Failed: 'Failed',
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

/** Where a whole promotion is. */
export const PromotionPhase = {
  /** A stage is running (or about to). */
  Running: 'Running',
  /** The next stage's environment is held by another promotion; this one waits its turn. */
  WaitingForEnvironment: 'WaitingForEnvironment',
  /** A stage failed; `retry` re-runs it, `abort` gives up. */
  Failed: 'Failed',
  /** Done: every stage promoted. */
  Succeeded: 'Succeeded',
  /** Done: a stage failed or was aborted, and the promotion gave up. */
  Aborted: 'Aborted',
} as const;
export type PromotionPhase = (typeof PromotionPhase)[keyof typeof PromotionPhase];

/** Why a stage stopped short of Promoted. */
export const FailureReason = {
  Aborted: 'Aborted',
  Rejected: 'Rejected',
  ApprovalTimedOut: 'ApprovalTimedOut',
  StepFailed: 'StepFailed',
  /** An analysis failed or errored: the release is bad, or cannot be measured. */
  AnalysisFailed: 'AnalysisFailed',
  /** A pre-rollout or rollout webhook did not answer 2xx, or a rollback webhook did. */
  WebhookFailed: 'WebhookFailed',
  /** The commit did not become live and healthy in the cluster: a failed sync, a workload that did not roll out by the deadline, or traffic weights that did not go live. */
  NotHealthy: 'NotHealthy',
  /** The commits the stage recorded are no longer on the branch (a force-push); ramp wrote nothing and cannot revert them. */
  HistoryRewritten: 'HistoryRewritten',
  /** A rollback asked for a version that was never live in the stage: that is a promotion, with its gates. */
  RollbackRefused: 'RollbackRefused',
  /** A policy denied it (docs/governance.md); the message names the policy. */
  PolicyDenied: 'PolicyDenied',
  /** The deploy window closed mid-canary and the stage says `onClose: abort`. */
  WindowClosed: 'WindowClosed',
  /** The stage's `soak` names an earlier stage the version was never stable in. */
  NotSoaked: 'NotSoaked',
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];
