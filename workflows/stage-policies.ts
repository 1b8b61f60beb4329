/**
 * Policies at a stage's checkpoints (docs/governance.md): before the stage starts, before each
 * commit, before full promotion, before a rollback. A deny stops the stage before anything is
 * written and names the policy; a warn is recorded; a require-approval adds a gate
 * (`policy:<name>`). Each decision is recorded with the policy's name and content hash, in the
 * status and as a `policy-decision` event. The policies are those the promotion pinned
 * (StageInput.policies); they are decided by an activity (CEL's time zones stay out of replay),
 * and only when some policy names the checkpoint: without one, no command at all.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import type { PolicyRequest } from '../activities/policies.js';
import { ApprovalOutcome } from '../src/domain/approval.js';
import type { StageChange } from '../src/domain/changes.js';
import { FailureReason } from '../src/domain/phases.js';
import type { PolicyDecision } from '../src/governance/policy-evaluate.js';
import { policyApproval, policyGateName } from '../src/governance/policy-gate.js';
import type { PolicyActor } from '../src/governance/policy-input.js';
import { unverifiedActor, type Actor } from '../src/identity/actor.js';
import type { PinnedPolicy, PolicyCheckpoint } from '../src/schema/pipeline.js';
import { preflight } from './activity-options.js';
import type { PolicyDecisionRecord } from './messages.js';
import type { StageApprovals } from './stage-approval.js';
import { now, StageStop, type StageRecord } from './stage-record.js';
import type { StageWindows } from './stage-windows.js';

const activities = proxyActivities<RampActivities>(preflight);

/** Stages decide their pinned policies (an evaluatePolicies activity per checkpoint that has policies). */
export const POLICIES_PATCH = 'policies';

/** What a checkpoint is about, besides the stage's record. */
export interface CheckpointContext {
  /** `commit`: the changes about to be written, and the step key of that commit. */
  changes?: StageChange[];
  step?: string;
}

export class StagePolicies {
  /**
   * Whether this run decides policies: asked once, when the stage starts (it is made in the first
   * activation), and only when it has pinned policies. Asked first at a later checkpoint — after a
   * gate an Update with a local activity opened — replay would resolve that local activity before
   * Temporal tells the workflow of the patch, and the run would no longer replay.
   */
  private readonly enabled: boolean;

  constructor(
    private readonly record: StageRecord,
    private readonly approvals: StageApprovals,
    private readonly windows: StageWindows,
  ) {
    this.enabled = record.input.policies.length > 0 && patched(POLICIES_PATCH);
  }

  /**
   * Evaluates the policies that name `checkpoint`. deny: throws StageStop(PolicyDenied, message
   * naming the policy); warn: recorded; require-approval: waits at a gate of the extra rule.
   * No policies: returns at once, with no command (old histories replay unchanged).
   */
  async check(checkpoint: Exclude<PolicyCheckpoint, 'rollback'>, context: CheckpointContext = {}): Promise<void> {
    const policies = this.policiesAt(checkpoint);
    if (policies.length === 0 || !this.enabled) return;
    // A stage that continued as new starts its flow again: stage-start was decided in the first run; only its gates are awaited.
    const earlier = checkpoint === 'stage-start' ? (this.record.status.policyDecisions ?? []).filter((d) => d.checkpoint === 'stage-start') : [];
    const decisions = earlier.length > 0 ? earlier : this.decided(checkpoint, await this.evaluate(checkpoint, policies, context), context.step);
    const denied = decisions.find((d) => d.matched && d.effect === 'deny');
    if (denied) throw new StageStop(FailureReason.PolicyDenied, denial(denied, this.what(checkpoint, context.step)));
    for (const decision of decisions) {
      if (!decision.matched || decision.effect !== 'require-approval') continue;
      const gate = policyGateName(decision.policy);
      // One approval per policy and attempt: a policy that matches at every commit asks once.
      if (this.record.status.approvals.some((a) => a.gate === gate && a.outcome === ApprovalOutcome.Approved)) continue;
      const approval = policyApproval(policies.find((p) => p.name === decision.policy) ?? { effect: 'warn' });
      if (approval) await this.approvals.gate(approval, gate);
    }
  }

  /** The rollback checkpoint: why a policy refuses the rollback, or null (the default: rollbacks are never blocked). */
  async rollbackRefusal(): Promise<string | null> {
    const policies = this.policiesAt('rollback');
    if (policies.length === 0 || !this.enabled) return null;
    const decisions = this.decided('rollback', await this.evaluate('rollback', policies, {}));
    const denied = decisions.find((d) => d.matched && d.effect === 'deny');
    return denied ? denial(denied, this.what('rollback')) : null;
  }

  private policiesAt(checkpoint: PolicyCheckpoint): PinnedPolicy[] {
    return this.record.input.policies.filter((p) => p.at.includes(checkpoint));
  }

  private what(checkpoint: PolicyCheckpoint, step?: string): string {
    const { stage, version } = this.record.input;
    switch (checkpoint) {
      case 'stage-start':
        return `starting ${stage.name} with ${version}`;
      case 'commit':
        return `the commit ${step ?? ''} of ${version} to ${stage.name}`.replace('  ', ' ');
      case 'full-promotion':
        return `the full promotion of ${version} in ${stage.name}`;
      case 'rollback':
        return `the rollback of ${stage.name}`;
    }
  }

  private async evaluate(checkpoint: PolicyCheckpoint, policies: PinnedPolicy[], context: CheckpointContext): Promise<PolicyDecision[]> {
    const { input, status } = this.record;
    const stages = input.pipelineStages ?? [input.stage.name];
    const window = this.windows.state();
    const request: PolicyRequest = {
      policies,
      repository: input.repository,
      lastStage: stages.at(-1) ?? input.stage.name,
      input: {
        checkpoint,
        release: {
          pipeline: input.pipeline,
          version: input.version,
          image: input.image,
          authors: input.release?.authors ?? [],
          ...(input.release?.commit ? { sourceCommit: input.release.commit } : {}),
        },
        stage: {
          name: input.stage.name,
          path: input.stage.path,
          index: Math.max(0, stages.indexOf(input.stage.name)),
          kind: input.kind,
          attempt: input.attempt,
        },
        approvals: status.approvals.flatMap((record) =>
          record.approvals.map((d) => ({
            gate: record.gate,
            actor: policyActor(d.identity ?? unverifiedActor(d.actor)),
            channel: d.channel ?? 'cli',
            at: d.at,
          })),
        ),
        analysis: (status.analyses ?? []).map((a) => ({ name: a.label, phase: a.phase })),
        requester: policyActor(input.requester ?? unverifiedActor(input.requestedBy ?? 'unknown')),
        window: window
          ? {
              open: window.open,
              reason: window.reason,
              ...(window.nextOpen ? { nextOpen: window.nextOpen } : {}),
              ...(window.nextClose ? { nextClose: window.nextClose } : {}),
            }
          : { open: true, reason: 'no windows' },
      },
      ...(checkpoint === 'commit' && context.changes
        ? { commit: { stagePath: input.stage.path, image: input.image, version: input.version, changes: context.changes } }
        : {}),
    };
    return activities.evaluatePolicies(request);
  }

  /** Records every decision in the status, and each that applied as a `policy-decision` event. */
  private decided(checkpoint: PolicyCheckpoint, decisions: PolicyDecision[], step?: string): PolicyDecisionRecord[] {
    const records = decisions.map((d): PolicyDecisionRecord => ({
      policy: d.policy,
      hash: d.hash,
      source: d.source,
      checkpoint,
      ...(step !== undefined ? { step } : {}),
      effect: d.effect,
      matched: d.matched,
      message: d.message,
      at: now(),
    }));
    (this.record.status.policyDecisions ??= []).push(...records);
    for (const d of records) {
      if (d.matched) this.record.event('policy-decision', `policy ${d.policy} (${d.hash.slice(0, 12)}) ${verb(d.effect)} at ${checkpoint}: ${d.message}`);
    }
    return records;
  }
}

function verb(effect: PolicyDecision['effect']): string {
  return effect === 'deny' ? 'denies' : effect === 'warn' ? 'warns' : 'requires approval';
}

function denial(d: Pick<PolicyDecisionRecord, 'policy' | 'hash' | 'message'>, what: string): string {
  return `policy ${d.policy} (${d.hash.slice(0, 12)}) denies ${what}: ${d.message}`;
}

function policyActor(actor: Actor): PolicyActor {
  return { subject: actor.subject, name: actor.name, ...(actor.email ? { email: actor.email } : {}), groups: actor.groups, method: actor.method };
}
