/**
 * The stage's approvals: a gate (`approval`, before the version is written, or an `approval`
 * step mid-canary) waits for its approvers, with reminders and a timeout; and who may override
 * a verdict or a gate (src/domain/override.ts). Approver groups are resolved through the
 * worker's groups file and kept in the status.
 */
import { formatApprovalRules } from '../src/domain/approval-rules.js';
import { formatEntry, gateApprovers, grantedApprovers } from '../src/domain/permissions.js';
import { condition, patched, proxyActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { ApprovalOutcome, eligibleApprovers, type ApprovalRecord, type Groups } from '../src/domain/approval.js';
import type { GateDecision, GateRef } from '../src/notify/events.js';
import { describeDecision } from '../src/notify/templates.js';
import { formatDuration } from '../src/domain/duration.js';
import { approverGroups, overrideEligible } from '../src/domain/override.js';
import { FailureReason, PauseReason, StagePhase } from '../src/domain/phases.js';
import type { ApprovalSpec } from '../src/schema/pipeline.js';
import { quick } from './activity-options.js';
import { VERIFIED_DECISIONS_PATCH } from './command-identity.js';
import type { StageStatus } from './messages.js';
import type { CurrentStageInput } from './stage-input.js';
import { StageStop, type StageRecord } from './stage-record.js';
import type { StageWebhooks } from './stage-webhooks.js';

const lookups = proxyActivities<RampActivities>(quick);

/** Gates notify their decision (approval-decided) and analyses their inconclusive verdicts: two more notify calls. */
export const NOTIFY_ROUTES_PATCH = 'notify-routes';

export class StageApprovals {
  constructor(
    private readonly record: StageRecord,
    private readonly hooks: StageWebhooks,
    /** At a safe point in a long wait (reminders): continue as new when history is long. */
    private readonly continueAsNewIfSuggested: () => Promise<void>,
  ) {}

  private get status(): StageStatus {
    return this.record.status;
  }

  private get input(): CurrentStageInput {
    return this.record.input;
  }

  private get requests() {
    return this.record.requests;
  }

  /** Who may override here (null: anyone); resolves approver groups not resolved yet. */
  async overriders(): Promise<string[] | null> {
    const missing = approverGroups(this.input.stage).filter((g) => !(g in (this.status.groups ?? {})));
    if (missing.length > 0 && patched('override-eligibility')) await this.resolveGroups(missing);
    return overrideEligible(this.input.stage, this.status.groups ?? {});
  }

  /** Resolves approver groups through the worker's groups file and keeps them in the status. */
  async resolveGroups(names: string[]): Promise<Groups> {
    const members = names.length > 0 ? await lookups.resolveGroups(names) : {};
    this.status.groups = { ...this.status.groups, ...members };
    return members;
  }

  /**
   * The commit an approval is bound to: before the write, the branch's newest commit (what the
   * version will be written on); at an approval step, the stage's last commit (what is being
   * judged). A signed decision must name it, so an approval cannot carry over to another state.
   */
  private async boundCommit(gate: string): Promise<string> {
    const last = this.status.commits.at(-1)?.sha;
    if (gate !== 'gate' && last !== undefined) return last;
    return lookups.branchHead(this.input.repository);
  }

  /** Waits for an approval; returns when approved, throws StageStop when rejected or timed out. */
  async gate(approval: ApprovalSpec, gate: string): Promise<void> {
    // After continue-as-new the gate's record is already here, still pending.
    let record = this.record.pendingApproval();
    if (record?.gate !== gate) {
      // With identities, the access block adds approvers to every gate of the stage.
      const identities = patched(VERIFIED_DECISIONS_PATCH);
      const granted = identities ? grantedApprovers(this.input.access ?? null, this.input.stage.name) : [];
      // Every group of the stage at once: the gate's, the approval steps' (overrides use them too), the granted ones
      // (a policy's gate adds its own: the same set for the stage's gates, whose groups are among approverGroups).
      const groups = [...approval.approvers, ...granted].filter((a) => a.kind === 'group').map((a) => a.name);
      const grantedGroups = granted.flatMap((a) => (a.kind === 'group' ? [a.name] : []));
      const members = await this.resolveGroups(
        groups.length > 0 ? [...new Set([...approverGroups(this.input.stage), ...grantedGroups, ...groups])].sort() : [],
      );
      const deadlineMs = approval.timeoutMs === null ? null : Date.now() + approval.timeoutMs;
      const bound = identities
        ? {
            approvers: gateApprovers(approval.approvers, this.input.access ?? null, this.input.stage.name).map(formatEntry),
            commit: await this.boundCommit(gate),
          }
        : {};
      record = {
        gate,
        approvals: [],
        rejection: null,
        refused: [],
        eligible: eligibleApprovers(approval, members, granted),
        minApprovals: approval.minApprovals,
        deadline: deadlineMs === null ? null : new Date(deadlineMs).toISOString(),
        outcome: ApprovalOutcome.Pending,
        ...bound,
      };
      this.status.approvals.push(record);
      this.record.facts.approvalRequested();
    }
    const rules = approval.require ? ` (${formatApprovalRules(approval.require)})` : '';
    const waiting = `waiting for ${approval.minApprovals} approval(s)${rules} from ${record.eligible.join(', ') || record.approvers?.join(', ') || '(nobody)'}`;
    if (gate === 'gate') this.record.setPhase(StagePhase.AwaitingApproval, waiting);
    else this.record.setPhase(StagePhase.Paused, waiting, PauseReason.AwaitingApproval);
    if (record.approvals.length === 0 && !this.status.events.some((e) => e.kind === 'approval-waiting' && e.message.startsWith(`${gate} approval`))) {
      this.record.event('approval-waiting', `${gate} approval: ${waiting}`);
      await this.hooks.notify('approval-waiting', `${this.input.stage.name} ${gate}: ${waiting}`, { gate: this.gateRef(record) });
    }
    const current = record;

    const settled = () => current.outcome !== ApprovalOutcome.Pending || this.requests.abort !== null;
    for (;;) {
      const deadline = current.deadline === null ? null : Date.parse(current.deadline);
      if (deadline === null) await condition(settled);
      else await condition(settled, Math.max(0, deadline - Date.now()));
      if (settled() || approval.onTimeout === 'reject') break;
      // onTimeout: remind — tell people again and keep waiting, one more timeout each round.
      this.record.event('approval-reminder', `${gate} approval still waiting after ${formatDuration(approval.timeoutMs ?? 0)}`);
      await this.hooks.notify('approval-reminder', `${this.input.stage.name} ${gate}: still ${waiting}`, { gate: this.gateRef(current) });
      current.deadline = new Date(Date.now() + (approval.timeoutMs ?? 0)).toISOString();
      await this.continueAsNewIfSuggested();
    }
    this.record.checkpointAbort();
    if (record.outcome === ApprovalOutcome.Pending) {
      record.outcome = ApprovalOutcome.TimedOut;
      this.record.facts.failureDetected();
      this.record.facts.approvalDecided(record);
      await this.notifyDecided(record);
      throw new StageStop(FailureReason.ApprovalTimedOut, `the ${gate} approval timed out after ${formatDuration(approval.timeoutMs ?? 0)}`);
    }
    if (record.outcome === ApprovalOutcome.Rejected) {
      const by = record.rejection!;
      this.record.facts.approvalDecided(record);
      await this.notifyDecided(record);
      throw new StageStop(FailureReason.Rejected, `rejected by ${by.actor}${by.comment ? `: ${by.comment}` : ''}`);
    }
    this.record.event('approval-granted', `${gate} approval granted by ${record.approvals.map((d) => d.actor).join(', ')}`);
    this.record.facts.approvalDecided(record);
    await this.notifyDecided(record);
  }

  /** What notifications say about a gate: its commit and attempt (links, buttons), its deadline, who may decide. */
  private gateRef(record: ApprovalRecord): GateRef {
    return { name: record.gate, attempt: this.input.attempt, commit: record.commit ?? null, deadline: record.deadline, eligible: record.eligible };
  }

  /** approval-decided: the notification workflow updates the gate's Slack messages and stops its reminders. */
  private async notifyDecided(record: ApprovalRecord): Promise<void> {
    if (!patched(NOTIFY_ROUTES_PATCH)) return;
    const last = record.outcome === ApprovalOutcome.Rejected ? record.rejection : record.approvals.at(-1);
    const decision: GateDecision = {
      outcome: record.outcome === ApprovalOutcome.Approved ? 'approved' : record.outcome === ApprovalOutcome.Rejected ? 'rejected' : 'timed-out',
      by: record.outcome === ApprovalOutcome.Rejected ? [record.rejection!.actor] : record.approvals.map((d) => d.actor),
      comment: last?.comment ?? '',
      ...(last?.channel ? { channel: last.channel } : {}),
    };
    await this.hooks.notify('approval-decided', `${this.input.stage.name} ${record.gate}: ${describeDecision(decision)}`, {
      gate: this.gateRef(record),
      decision,
    });
  }

  /** analysis-inconclusive: a person decides (resume overrides, abort rolls back). */
  async notifyInconclusive(message: string): Promise<void> {
    if (!patched(NOTIFY_ROUTES_PATCH)) return;
    await this.hooks.notify('analysis-inconclusive', message);
  }
}
