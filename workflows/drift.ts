/**
 * The drift watch of one environment: every `drift.interval` it compares the live objects with
 * Git's head (activities/drift.ts) and reports what differs — in its status, as an event, and
 * as a notification. Policy `revert` puts Git's state back at once; policy `alert` waits for an
 * operator to accept the drift (ramp commits the live values to Git) or reject it (ramp
 * restores Git's state). While a promotion holds the environment the watch pauses: the
 * promotion itself is changing it. Durable: it outlives workers and continues as new.
 */
import type { Actor } from '../src/identity/actor.js';
import { actorFields } from './stage-record.js';
import { AuditOutbox } from './audit-outbox.js';
import { DecisionChannel } from '../src/identity/decision.js';
import { authenticate, forbidden, identityRefusal } from './command-identity.js';
import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { describeDrift, type DriftReport } from '../src/domain/drift.js';
import { quick, notification } from './activity-options.js';
import {
  acceptDriftUpdate,
  DriftPhase,
  driftSpecSignal,
  driftStatusQuery,
  driftWorkflowId,
  rejectDriftUpdate,
  stopDriftSignal,
  type DriftDecisionArgs,
  type DriftEvent,
  type DriftInput,
  type DriftStatus,
  type DriftWatchSpec,
  type ObjectDrift,
} from './drift-messages.js';
import { stageWorkflowId, type Ack } from './messages.js';
import { observe } from './observe.js';

const cluster = proxyActivities<RampActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  // A failed check is reported and tried again at the next interval, not retried for long here.
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});
const writes = proxyActivities<RampActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['DriftNotWritable', 'GitConflict', 'HistoryRewritten', 'ManifestEdit', 'ManifestInvalid', 'SyncFailed'],
  },
});
const lookups = proxyActivities<RampActivities>(quick);
const notifier = proxyActivities<RampActivities>(notification);

/** Checks per run before continuing as new (history stays small). */
const CHECKS_PER_RUN = 200;
const MAX_EVENTS = 200;

interface Decision {
  kind: 'accept' | 'reject';
  args: DriftDecisionArgs;
  /** Who decided, as established. */
  identity: Actor;
  /** Where it was taken and the signed decision's id (for the audit trail). */
  taken: { channel?: DecisionChannel; decisionId?: string };
  result: Ack | Error | null;
}

/** Signed drift decisions name the commit of the check that found the drift (issue 10's binding, completed). */
const DRIFT_DECISION_COMMIT_PATCH = 'drift-decision-commit';
export async function driftWorkflow(input: DriftInput): Promise<DriftStatus> {
  let spec: DriftWatchSpec = { pipeline: input.pipeline, repository: input.repository, stage: input.stage };
  const status: DriftStatus = input.resume ?? {
    pipeline: input.pipeline,
    stage: input.stage.name,
    policy: input.stage.drift?.policy ?? 'alert',
    intervalMs: input.stage.drift?.intervalMs ?? 60_000,
    phase: DriftPhase.Starting,
    message: 'starting',
    lastCheck: null,
    drifts: [],
    checks: 0,
    events: [],
  };
  const now = (): string => new Date(Date.now()).toISOString();
  const event = (kind: DriftEvent['kind'], message: string, actor?: Actor | string): void => {
    status.events.push({ at: now(), kind, message, ...actorFields(actor) });
    if (status.events.length > MAX_EVENTS) status.events.splice(0, status.events.length - MAX_EVENTS);
  };
  /** Decisions go to the audit trail (docs/governance.md#audit-trail); validators' refusals do not (a validator writes nothing). */
  const audit = new AuditOutbox(input.repository);
  audit.onFailure = (message) => event('audit-write-failed', message);
  const decided = (
    kind: DriftEvent['kind'],
    message: string,
    actor: Actor | string,
    context: { channel?: DecisionChannel; decisionId?: string; reason?: string } = {},
  ): void => {
    event(kind, message, actor);
    audit.add({
      kind: kind === 'refused' ? 'drift-refused' : kind === 'paused' ? 'drift-watch-stopped' : kind,
      message,
      actor,
      promotionId: workflowInfo().workflowId,
      pipeline: input.pipeline,
      stage: input.stage.name,
      ...(status.lastCheck ? { commit: status.lastCheck.sha } : {}),
      ...context,
    });
  };
  const decisions: Decision[] = [];
  /** Signed decisions taken in this run (Temporal's update ids cover the same across runs). */
  const decisionIds: string[] = [];
  let wake = false;
  const stop: { by: string | null } = { by: null };
  let checksThisRun = 0;

  setHandler(driftStatusQuery, () => status);
  setHandler(driftSpecSignal, (next) => {
    if (JSON.stringify(next.stage) !== JSON.stringify(spec.stage)) event('spec-changed', 'the pipeline changed; comparing with the new stage spec');
    spec = next;
    status.policy = next.stage.drift?.policy ?? status.policy;
    status.intervalMs = next.stage.drift?.intervalMs ?? status.intervalMs;
    wake = true;
  });
  setHandler(stopDriftSignal, ({ actor }) => {
    stop.by = actor;
  });
  const decide =
    (kind: Decision['kind']) =>
    async (args: DriftDecisionArgs): Promise<Ack> => {
      const auth = await authenticate(args, 'drift', true);
      // A signed decision is bound to the Git commit the drift was found against: a decision taken
      // on an earlier check's report does not apply to a newer one.
      const commit = patched(DRIFT_DECISION_COMMIT_PATCH) ? { commit: status.lastCheck?.sha ?? null } : {};
      const why = identityRefusal(
        auth,
        'drift',
        { promotionId: workflowInfo().workflowId, pipeline: input.pipeline, stage: input.stage.name, ...commit },
        decisionIds,
      );
      const taken = auth.verified ? { channel: auth.claims.channel ?? DecisionChannel.Cli, decisionId: auth.claims.decisionId } : {};
      if (why !== null) {
        decided('refused', `${kind} by ${auth.actor.name} refused: ${why}`, auth.actor, taken);
        throw forbidden(why);
      }
      if (auth.verified) decisionIds.push(auth.claims.decisionId);
      const decision: Decision = { kind, args: { ...args, actor: auth.actor.name }, identity: auth.actor, taken, result: null };
      decisions.push(decision);
      await condition(() => decision.result !== null);
      if (decision.result instanceof Error) throw decision.result;
      return decision.result!;
    };
  const validate =
    (kind: Decision['kind']) =>
    (args: DriftDecisionArgs): void => {
      const refusal = !args.actor
        ? 'say who you are (--as)'
        : stop.by !== null
          ? `the drift watch is stopping (stopped by ${stop.by})`
          : status.phase === DriftPhase.Paused
            ? `a promotion is changing ${status.stage} (${status.message}); decide after it`
            : status.drifts.length === 0
              ? `there is no drift to ${kind} in ${status.stage}: the last check${status.lastCheck ? ` (${status.lastCheck.at})` : ''} found the cluster as Git says`
              : decisions.length > 0
                ? 'another decision is being carried out; try again in a moment'
                : null;
      if (refusal) {
        event('refused', `${kind} by ${args.actor || '(nobody)'} refused: ${refusal}`, args.actor);
        throw new Error(refusal);
      }
    };
  setHandler(acceptDriftUpdate, decide('accept'), { validator: validate('accept') });
  setHandler(rejectDriftUpdate, decide('reject'), { validator: validate('reject') });

  const request = () => ({ repository: spec.repository, stage: spec.stage });
  const signature = (drifts: ObjectDrift[]) => JSON.stringify(drifts.map((d) => [d.object, d.missing, d.fields]));
  const summary = (drifts: ObjectDrift[]) => drifts.map(describeDrift).join('; ');

  async function check(): Promise<DriftReport | null> {
    status.checks++;
    checksThisRun++;
    const holder = await lookups.environmentHolder(stageWorkflowId(spec.pipeline, spec.stage.name));
    if (holder !== null) {
      if (status.phase !== DriftPhase.Paused) event('paused', `promotion ${holder} is changing ${spec.stage.name}; not comparing until it ends`);
      status.phase = DriftPhase.Paused;
      status.message = `promotion ${holder} holds the environment`;
      return null;
    }
    if (status.phase === DriftPhase.Paused) event('resumed', 'the environment is free again; comparing');
    let report: DriftReport;
    try {
      report = await cluster.detectDrift(request());
    } catch (error) {
      const why = messageOf(error);
      if (status.phase !== DriftPhase.CheckFailed || status.message !== why) event('check-failed', why);
      status.phase = DriftPhase.CheckFailed;
      status.message = why;
      return null;
    }
    const before = signature(status.drifts);
    const hadDrift = status.drifts.length > 0;
    status.lastCheck = { at: now(), sha: report.sha, compared: report.compared };
    status.drifts = report.drifts;
    if (report.drifts.length === 0) {
      if (hadDrift) event('drift-resolved', 'the cluster is as Git says again');
      status.phase = DriftPhase.InSync;
      status.message = `${report.compared} object(s) as Git ${report.sha.slice(0, 12)} says`;
      return report;
    }
    status.phase = DriftPhase.Drifted;
    status.message = `drift: ${summary(report.drifts)}`;
    if (signature(report.drifts) !== before) {
      event('drift-detected', summary(report.drifts));
      observe({ kind: 'drift-detected', pipeline: spec.pipeline, stage: spec.stage.name });
      await tell(
        'drift-detected',
        `${spec.stage.name} drifted from Git: ${summary(report.drifts)}${status.policy === 'revert' ? ' (reverting)' : ' (ramp drift accept|reject)'}`,
      );
    }
    return report;
  }

  async function restore(report: DriftReport, why: string, decision?: Decision): Promise<string[]> {
    const applied = await writes.restoreDrift({ ...request(), sha: report.sha, drifts: report.drifts });
    const message = `${why}; re-applied Git ${report.sha.slice(0, 12)} to ${applied.join(', ')}`;
    if (decision)
      decided('drift-rejected', message, decision.identity, { ...decision.taken, ...(decision.args.reason ? { reason: decision.args.reason } : {}) });
    else event('drift-reverted', message);
    return applied;
  }

  async function carryOut(decision: Decision): Promise<void> {
    const { actor, reason } = decision.args;
    const drifts = status.drifts;
    const sha = status.lastCheck?.sha;
    try {
      if (drifts.length === 0 || !sha) throw new Error('the drift is gone already; nothing to do');
      if (decision.kind === 'reject') {
        const applied = await restore({ sha, compared: 0, drifts }, `rejected by ${actor}${reason ? `: ${reason}` : ''}`, decision);
        decision.result = { message: `restored Git's state of ${applied.join(', ')}` };
      } else {
        const accepted = status.events.filter((e) => e.kind === 'drift-accepted').length + 1;
        const commit = await writes.acceptDrift({
          ...request(),
          pipeline: spec.pipeline,
          sha,
          drifts,
          actor,
          reason: reason ?? '',
          step: `accept-${status.checks}-${accepted}`,
        });
        const what = commit.sha ? `committed ${commit.sha.slice(0, 12)} (${commit.files.join(', ')})` : 'Git already said so; nothing to commit';
        decided('drift-accepted', `accepted by ${actor}${reason ? `: ${reason}` : ''}: ${summary(drifts)}; ${what}`, decision.identity, {
          ...decision.taken,
          ...(reason ? { reason } : {}),
        });
        decision.result = { message: `wrote the live values to Git: ${what}` };
      }
    } catch (error) {
      // An ApplicationFailure fails the Update for its caller; any other error thrown from an
      // Update handler would fail the workflow task and leave the watch stuck.
      decided('refused', `${decision.kind} by ${actor} failed: ${messageOf(error)}`, decision.identity, decision.taken);
      decision.result = ApplicationFailure.nonRetryable(`${decision.kind} failed: ${messageOf(error)}`, 'Refused');
    }
  }

  async function tell(kind: 'drift-detected' | 'drift-reverted', message: string): Promise<void> {
    await notifier
      .notify({ kind, promotionId: driftWorkflowId(spec.pipeline, spec.stage.name), pipeline: spec.pipeline, stage: spec.stage.name, version: '', message })
      .catch(() => undefined);
  }

  for (;;) {
    const report = await check();
    if (report && report.drifts.length > 0 && status.policy === 'revert') {
      try {
        await restore(report, `policy revert: ${summary(report.drifts)}`);
        await tell('drift-reverted', `${spec.stage.name}: reverted drift (${summary(report.drifts)})`);
        continue; // compare again at once: did it take?
      } catch (error) {
        event('check-failed', `could not revert the drift: ${messageOf(error)}`);
      }
    }
    wake = false;
    await condition(() => decisions.length > 0 || wake || stop.by !== null, status.intervalMs);
    while (decisions.length > 0) {
      await carryOut(decisions[0]!);
      decisions.shift();
      await check();
    }
    if (stop.by !== null) {
      decided('paused', `stopped by ${stop.by}`, stop.by);
      for (const late of decisions.splice(0)) late.result = new Error('the drift watch was stopped; nothing was done');
      await condition(allHandlersFinished);
      await audit.drained();
      return status;
    }
    if (checksThisRun >= (input.checksPerRun ?? CHECKS_PER_RUN) || workflowInfo().continueAsNewSuggested) {
      // A decision's handler waits for this loop to carry it out: carry it out first.
      await condition(() => allHandlersFinished() || decisions.length > 0);
      if (decisions.length > 0) continue;
      await audit.drained();
      event('continued-as-new', `after ${checksThisRun} checks`);
      await continueAsNew<typeof driftWorkflow>({ ...spec, resume: status, ...(input.checksPerRun ? { checksPerRun: input.checksPerRun } : {}) });
    }
  }
}

function messageOf(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(error);
}
