/**
 * Policies at a stage's checkpoints (docs/governance.md): before the stage starts, before each
 * commit, before full promotion, before a rollback. A deny stops the stage before anything is
 * written and names the policy; a warn is recorded; a require-approval adds a gate. Each
 * decision is recorded with the policy's name and content hash.
 * STUB written by the lead for issue 12; the policies helper owns and completes it.
 */
import type { StageChange } from '../src/domain/changes.js';
import type { PolicyCheckpoint } from '../src/schema/policies.js';
import type { StageApprovals } from './stage-approval.js';
import type { StageRecord } from './stage-record.js';
import type { StageWindows } from './stage-windows.js';

/** What a checkpoint is about, besides the stage's record. */
export interface CheckpointContext {
  /** `commit`: the changes about to be written, and the step key of that commit. */
  changes?: StageChange[];
  step?: string;
}

export class StagePolicies {
  constructor(
    private readonly record: StageRecord,
    private readonly approvals: StageApprovals,
    private readonly windows: StageWindows,
  ) {}

  /**
   * Evaluates the policies that name `checkpoint`. deny: throws StageStop(PolicyDenied, message
   * naming the policy); warn: recorded; require-approval: waits at a gate of the extra rule.
   * No policies: returns at once, with no command (old histories replay unchanged).
   */
  check(checkpoint: Exclude<PolicyCheckpoint, 'rollback'>, context: CheckpointContext = {}): Promise<void> {
    void [this.record, this.approvals, this.windows, checkpoint, context];
    return Promise.resolve();
  }

  /** The rollback checkpoint: why a policy refuses the rollback, or null (the default: rollbacks are never blocked). */
  rollbackRefusal(): Promise<string | null> {
    return Promise.resolve(null);
  }
}
