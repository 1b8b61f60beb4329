/**
 * The organisation-wide freeze of one Temporal namespace (`ramp-freeze`; docs/governance.md#freeze):
 * started by the first declare, it holds who froze, when, why and until when, and the record of
 * every declare, lift, expiry and refusal. Declaring and lifting are Updates authenticated like a
 * stage's commands (a decision signed by `ramp server`, action `freeze`, bound to this workflow
 * and to `declare` or `lift`), with a reason, by members of RAMP_FREEZE_GROUPS (anyone when unset).
 * A timed freeze ends by itself. Durable: it continues as new.
 */
import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FreezeActivities } from '../activities/freeze.js';
import type { FreezeState } from '../src/domain/freeze.js';
import { activeFreeze, describeFreeze, freezePermissionRefusal } from '../src/domain/freeze-rules.js';
import { actorLabel, type Actor } from '../src/identity/actor.js';
import { DecisionAction, DecisionChannel } from '../src/identity/decision.js';
import { quick } from './activity-options.js';
import { AuditOutbox } from './audit-outbox.js';
import { authenticate, forbidden, identityRefusal } from './command-identity.js';
import {
  declareFreezeUpdate,
  freezeRecordQuery,
  freezeStateQuery,
  FreezeVerb,
  liftFreezeUpdate,
  type DeclareFreezeArgs,
  type FreezeAck,
  type FreezeEvent,
  type FreezeInput,
  type FreezeRecord,
  type LiftFreezeArgs,
} from './freeze-messages.js';
import { actorFields } from './stage-record.js';

const authority = proxyActivities<FreezeActivities>(quick);

/**
 * A refusal about the freeze's state, for the caller (409). An ApplicationFailure fails the Update
 * alone; any other error thrown from an Update handler would fail the workflow task.
 */
function refused(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'Refused');
}

const MAX_EVENTS = 200;
const MAX_DECISION_IDS = 200;
const DECISIONS_PER_RUN = 100;

export async function freezeWorkflow(input: FreezeInput = {}): Promise<FreezeRecord> {
  const record: FreezeRecord = input.resume ?? { state: null, events: [] };
  const decisionIds: string[] = [...(input.decisionIds ?? [])];
  let decisionsThisRun = 0;
  const now = (): string => new Date(Date.now()).toISOString();
  const event = (kind: FreezeEvent['kind'], message: string, actor?: Actor | string): void => {
    record.events.push({ at: now(), kind, message, ...actorFields(actor) });
    if (record.events.length > MAX_EVENTS) record.events.splice(0, record.events.length - MAX_EVENTS);
  };
  const current = (): FreezeState | null => activeFreeze(record.state, Date.now());
  // Organisation-wide decisions: the audit trail decides where they live (no pipeline repository).
  const audit = new AuditOutbox(null);
  const base = () => ({ promotionId: workflowInfo().workflowId });

  setHandler(freezeStateQuery, current);
  setHandler(freezeRecordQuery, () => ({ state: current(), events: record.events }));

  /** The caller, established and allowed; a refusal is recorded, then thrown (403). Refusals do not count towards continuing as new. */
  async function caller(
    args: { actor: string; decision?: string; reason?: string },
    verb: FreezeVerb,
  ): Promise<{ actor: Actor; channel: DecisionChannel; decisionId?: string }> {
    const auth = await authenticate(args, DecisionAction.Freeze, true);
    let why = identityRefusal(auth, DecisionAction.Freeze, { promotionId: workflowInfo().workflowId, gate: verb }, decisionIds);
    if (why === null) {
      const { groups, members } = await authority.freezeAuthority();
      why = freezePermissionRefusal(auth.actor, groups, members, verb);
    }
    if (why !== null) {
      event('refused', `${verb} by ${actorLabel(auth.actor)} refused: ${why}`, auth.actor);
      audit.add({
        kind: 'refuse',
        message: `freeze ${verb} refused: ${why}`,
        actor: auth.actor,
        ...base(),
        gate: verb,
        ...(auth.verified ? { decisionId: auth.claims.decisionId, channel: auth.claims.channel ?? DecisionChannel.Cli } : {}),
        reason: args.reason ?? '',
      });
      throw forbidden(why);
    }
    decisionsThisRun++;
    if (auth.verified) {
      decisionIds.push(auth.claims.decisionId);
      if (decisionIds.length > MAX_DECISION_IDS) decisionIds.splice(0, decisionIds.length - MAX_DECISION_IDS);
    }
    if (!auth.verified) return { actor: auth.actor, channel: DecisionChannel.Cli };
    return { actor: auth.actor, channel: auth.claims.channel ?? DecisionChannel.Cli, decisionId: auth.claims.decisionId };
  }

  const reasonRefusal = (args: { actor?: string; reason?: string }): string | null =>
    !args.actor?.trim()
      ? 'say who you are (--as)'
      : !args.reason?.trim()
        ? 'give a reason (--reason): it is recorded and shown to everyone the freeze stops'
        : null;

  setHandler(
    declareFreezeUpdate,
    async (args: DeclareFreezeArgs): Promise<FreezeAck> => {
      const { actor, channel, decisionId } = await caller(args, FreezeVerb.Declare);
      const standing = current();
      if (standing !== null) throw refused(`a freeze is already in force (${describeFreeze(standing)}); lift it first to declare another`);
      const state: FreezeState = { declaredBy: actor, channel, declaredAt: now(), reason: args.reason.trim(), until: args.until ?? null };
      record.state = state;
      const message = `declared by ${actorLabel(actor)} (${channel}), ${state.until === null ? 'until lifted' : `until ${state.until}`}: ${state.reason}`;
      event('declared', message, actor);
      audit.add({
        kind: 'freeze',
        message: `freeze ${message}`,
        actor,
        channel,
        ...base(),
        gate: FreezeVerb.Declare,
        ...(decisionId ? { decisionId } : {}),
        reason: state.reason,
      });
      return { message: `frozen: ${describeFreeze(state)}`, state };
    },
    {
      validator: (args: DeclareFreezeArgs): void => {
        const refusal = reasonRefusal(args);
        if (refusal) throw refused(refusal);
        if (args.until !== undefined && args.until !== null) {
          const until = Date.parse(args.until);
          if (Number.isNaN(until)) throw refused(`until ${JSON.stringify(args.until)} is not an ISO-8601 time`);
          if (until <= Date.now()) throw refused(`until ${args.until} has already passed; give a later time`);
        }
        const standing = current();
        if (standing !== null) throw refused(`a freeze is already in force (${describeFreeze(standing)}); lift it first to declare another`);
      },
    },
  );

  setHandler(
    liftFreezeUpdate,
    async (args: LiftFreezeArgs): Promise<FreezeAck> => {
      const { actor, channel, decisionId } = await caller(args, FreezeVerb.Lift);
      const standing = current();
      if (standing === null) throw refused('nothing is frozen; there is no freeze to lift');
      record.state = null;
      const message = `lifted by ${actorLabel(actor)} (${channel}): ${args.reason.trim()} (it was ${describeFreeze(standing)})`;
      event('lifted', message, actor);
      audit.add({
        kind: 'freeze',
        message: `freeze ${message}`,
        actor,
        channel,
        ...base(),
        gate: FreezeVerb.Lift,
        ...(decisionId ? { decisionId } : {}),
        reason: args.reason.trim(),
      });
      return { message: `the freeze is lifted (it was declared by ${actorLabel(standing.declaredBy)} at ${standing.declaredAt})`, state: null };
    },
    {
      validator: (args: LiftFreezeArgs): void => {
        const refusal = reasonRefusal(args);
        if (refusal) throw refused(refusal);
        if (current() === null) throw refused('nothing is frozen; there is no freeze to lift');
      },
    },
  );

  for (;;) {
    const state = record.state;
    const tooLong = () => decisionsThisRun >= (input.decisionsPerRun ?? DECISIONS_PER_RUN) || workflowInfo().continueAsNewSuggested;
    if (state !== null && state.until !== null) {
      const left = Date.parse(state.until) - Date.now();
      const changed = left > 0 && (await condition(() => record.state !== state || tooLong(), left));
      if (!changed && record.state === state) {
        record.state = null;
        const message = `the freeze declared by ${actorLabel(state.declaredBy)} ended at ${state.until} as declared: ${state.reason}`;
        event('expired', message);
        audit.add({ kind: 'freeze', message, ...base(), gate: 'expired' });
      }
    } else {
      await condition(() => record.state !== state || tooLong());
    }
    if (tooLong()) {
      await condition(allHandlersFinished);
      await audit.drained();
      event('continued-as-new', `after ${decisionsThisRun} decisions`);
      await continueAsNew<typeof freezeWorkflow>({
        resume: record,
        decisionIds,
        ...(input.decisionsPerRun ? { decisionsPerRun: input.decisionsPerRun } : {}),
      });
    }
  }
}
