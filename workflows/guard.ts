/**
 * The history guard of one GitOps repository (docs/governance.md#history-guard): every interval it
 * checks that each commit it watches — the last-seen tips of the repository's branch and of the
 * audit trail's `ramp/audit`, and the commits ramp pushed recently — is still reachable. When
 * one is not (a force-push, a deleted branch), it records the rewrite, alerts, and blocks ramp's
 * writes to the repository (the Git activities query it) until an operator acknowledges with a
 * reason; the acknowledgement is recorded and the current tips become the new baseline.
 * Started by the Git activities' first push (signalWithStart); durable, continues as new.
 */
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import {
  acknowledgeBaseline,
  advanceTips,
  checkRequest,
  describeRewrite,
  initialBranches,
  missingCommits,
  publicUrl,
  rememberPush,
  ackRefusal,
  type HistoryCheckResult,
  type MissingCommit,
} from '../src/domain/guard.js';
import { DecisionAction, type Authentication } from '../src/identity/decision.js';
import { notification } from './activity-options.js';
import { authenticate, forbidden, identityRefusal } from './command-identity.js';
import {
  acknowledgeUpdate,
  GuardPhase,
  guardStatusQuery,
  rememberSignal,
  type AcknowledgeArgs,
  type GuardEvent,
  type GuardInput,
  type GuardStatus,
} from './guard-messages.js';
import type { Ack } from './messages.js';
import { actorFields, describeFailure } from './stage-record.js';

const git = proxyActivities<RampActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  // A failed check is recorded and tried again at the next interval, not retried for long here.
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});
const notifier = proxyActivities<RampActivities>(notification);

const CHECKS_PER_RUN = 200;
const MAX_EVENTS = 200;

interface Acknowledgement {
  args: AcknowledgeArgs;
  auth: Authentication;
  result: Ack | Error | null;
}

export async function guardWorkflow(input: GuardInput): Promise<GuardStatus> {
  const repository = input.repository;
  const status: GuardStatus = input.resume ?? {
    url: publicUrl(repository.url),
    branch: repository.branch,
    intervalMs: input.intervalMs ?? 60_000,
    phase: GuardPhase.Starting,
    message: 'not checked yet',
    rewritten: null,
    branches: initialBranches(repository),
    pipelines: [],
    promotions: {},
    lastCheck: null,
    checks: 0,
    events: [],
  };
  if (input.intervalMs !== undefined) status.intervalMs = input.intervalMs;
  const now = (): string => new Date(Date.now()).toISOString();
  const event = (e: Omit<GuardEvent, 'at'>): void => {
    status.events.push({ at: now(), ...e });
    if (status.events.length > MAX_EVENTS) status.events.splice(0, status.events.length - MAX_EVENTS);
  };
  const acks: Acknowledgement[] = [];
  const decisionIds: string[] = [];
  let checksThisRun = 0;

  setHandler(guardStatusQuery, () => status);
  setHandler(rememberSignal, ({ branch, sha, pipeline, promotion }) => {
    status.branches = rememberPush(status.branches, branch, sha);
    if (pipeline && !status.pipelines.includes(pipeline)) status.pipelines.push(pipeline);
    if (pipeline && promotion) status.promotions[pipeline] = promotion;
  });
  setHandler(acknowledgeUpdate, async (args): Promise<Ack> => {
    const auth = await authenticate(args, DecisionAction.HistoryAck, true);
    const refused = (why: string, identity = true): never => {
      event({
        kind: 'refused',
        message: `acknowledgement by ${auth.actor.name || '(nobody)'} refused: ${why}`,
        ...actorFields(identity ? auth.actor : args.actor),
      });
      throw identity ? forbidden(why) : refusedFailure(why);
    };
    const state = ackRefusal(args, status.rewritten);
    if (state !== null) refused(state, false);
    // A signed acknowledgement is bound to the guard and to the rewrite it was given for (its first missing commit).
    const why = identityRefusal(
      auth,
      DecisionAction.HistoryAck,
      { promotionId: workflowInfo().workflowId, commit: status.rewritten!.missing[0]!.sha },
      decisionIds,
    );
    if (why !== null) refused(why);
    if (auth.verified) decisionIds.push(auth.claims.decisionId);
    const ack: Acknowledgement = { args, auth, result: null };
    acks.push(ack);
    await condition(() => ack.result !== null);
    if (ack.result instanceof Error) throw ack.result;
    return ack.result!;
  });

  const sentence = (missing: MissingCommit[]): string => describeRewrite({ branch: missing[0]!.branch, missing, detectedAt: now() }, repository.url);

  async function check(): Promise<HistoryCheckResult | null> {
    status.checks++;
    checksThisRun++;
    let result: HistoryCheckResult;
    try {
      result = await git.checkHistory(checkRequest(repository, status.branches));
    } catch (error) {
      const why = `cannot check the history of ${status.url}: ${describeFailure(error)}`;
      if (status.phase !== GuardPhase.CheckFailed || status.message !== why) event({ kind: 'check-failed', message: why });
      if (status.rewritten === null) {
        status.phase = GuardPhase.CheckFailed;
        status.message = why;
      }
      return null;
    }
    status.lastCheck = { at: now() };
    const missing = missingCommits(status.branches, result);
    if (missing.length > 0) {
      const known = new Set((status.rewritten?.missing ?? []).map((m) => `${m.branch} ${m.sha}`));
      const fresh = missing.filter((m) => !known.has(`${m.branch} ${m.sha}`));
      if (status.rewritten === null) status.rewritten = { branch: missing[0]!.branch, missing, detectedAt: now() };
      else status.rewritten.missing.push(...fresh);
      status.phase = GuardPhase.Rewritten;
      status.message = `${describeRewrite(status.rewritten, repository.url)}; ramp writes nothing here until someone acknowledges (ramp guard ack <pipeline> --reason "…")`;
      if (fresh.length > 0) {
        event({ kind: 'history-rewritten', message: sentence(fresh), missing: fresh });
        await alert(sentence(fresh));
      }
    } else if (status.rewritten === null) {
      status.branches = advanceTips(status.branches, result);
      status.phase = GuardPhase.Ok;
      status.message = `every watched commit is reachable (${result.tips.map((t) => `${t.branch} at ${t.tip ? t.tip.slice(0, 12) : '(absent)'}`).join(', ')})`;
    } else {
      // Restored meanwhile: still blocked until someone looks and says so.
      status.message = `${describeRewrite(status.rewritten, repository.url)}; the commits are reachable again now, but writes stay blocked until someone acknowledges`;
    }
    return result;
  }

  /**
   * The alert, once per pipeline that pushed here, through the routes of its latest promotion (or
   * drift watch) that did (event `history-rewritten`); without one, the worker-wide route only.
   */
  async function alert(what: string): Promise<void> {
    const targets =
      status.pipelines.length > 0
        ? status.pipelines.map((p) => ({ pipeline: p, promotionId: status.promotions[p] ?? workflowInfo().workflowId }))
        : [{ pipeline: '', promotionId: workflowInfo().workflowId }];
    for (const { pipeline, promotionId } of targets) {
      await notifier
        .notify({
          kind: 'history-rewritten',
          promotionId,
          pipeline,
          stage: null,
          version: '',
          message: `${what}. ramp writes nothing to it until someone acknowledges: ramp guard ack ${pipeline || '<pipeline>'} --reason "…"`,
        })
        .catch(() => undefined);
    }
  }

  async function carryOut(ack: Acknowledgement): Promise<void> {
    const rewrite = status.rewritten;
    if (rewrite === null) {
      ack.result = refusedFailure('nothing to acknowledge: another acknowledgement came first');
      return;
    }
    let current: HistoryCheckResult;
    try {
      current = await git.checkHistory(checkRequest(repository, status.branches));
    } catch (error) {
      event({ kind: 'refused', message: `acknowledgement by ${ack.auth.actor.name} failed: ${describeFailure(error)}`, ...actorFields(ack.auth.actor) });
      ack.result = refusedFailure(`the acknowledgement was not recorded: cannot read ${status.url} now (${describeFailure(error)}); try again`);
      return;
    }
    status.branches = acknowledgeBaseline(status.branches, current.tips, rewrite.missing);
    status.rewritten = null;
    status.phase = GuardPhase.Ok;
    const tips = current.tips.map((t) => `${t.branch} at ${t.tip ? t.tip.slice(0, 12) : '(absent)'}`).join(', ');
    status.message = `acknowledged by ${ack.auth.actor.name}: ${ack.args.reason}; watching from ${tips}`;
    event({
      kind: 'history-ack',
      message: `${ack.auth.actor.name} acknowledged the rewrite of ${status.url} (${rewrite.missing.map((m) => m.sha.slice(0, 12)).join(', ')}): ${ack.args.reason}; writes resume from ${tips}`,
      ...actorFields(ack.auth.actor),
      reason: ack.args.reason,
      missing: rewrite.missing,
      ...(ack.auth.verified && ack.auth.claims.channel ? { channel: ack.auth.claims.channel } : {}),
    });
    ack.result = { message: `acknowledged: ramp writes to ${status.url} again (from ${tips})` };
  }

  for (;;) {
    await check();
    await condition(() => acks.length > 0, status.intervalMs);
    while (acks.length > 0) {
      await carryOut(acks[0]!);
      acks.shift();
    }
    if (checksThisRun >= (input.checksPerRun ?? CHECKS_PER_RUN) || workflowInfo().continueAsNewSuggested) {
      await condition(() => allHandlersFinished() || acks.length > 0);
      if (acks.length > 0) continue;
      event({ kind: 'continued-as-new', message: `after ${checksThisRun} checks` });
      await continueAsNew<typeof guardWorkflow>({
        repository,
        intervalMs: status.intervalMs,
        resume: status,
        ...(input.checksPerRun ? { checksPerRun: input.checksPerRun } : {}),
      });
    }
  }
}

/** A refusal for the caller (a plain Error thrown by an update handler would fail the workflow task instead). */
function refusedFailure(why: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(why, 'Refused');
}
