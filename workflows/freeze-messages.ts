/**
 * The organisation-wide freeze (workflows/freeze.ts): its id, input, record, and the messages
 * that declare, lift and read it. Imported by the workflow, the activities, the CLI and the server.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { FreezeState } from '../src/domain/freeze.js';
import { FREEZE_STATE_QUERY, freezeWorkflowId } from '../src/domain/freeze-rules.js';
import type { Actor } from '../src/identity/actor.js';

export type { FreezeState };
export { freezeWorkflowId };
export const FREEZE_WORKFLOW_TYPE = 'freezeWorkflow';
/** What a signed freeze decision names as its `gate`: declare or lift (a declare's decision never lifts). */
export const FreezeVerb = { Declare: 'declare', Lift: 'lift' } as const;
export type FreezeVerb = (typeof FreezeVerb)[keyof typeof FreezeVerb];

export interface FreezeEvent {
  at: string;
  kind: 'declared' | 'lifted' | 'expired' | 'refused' | 'continued-as-new';
  message: string;
  /** The actor's display name. */
  actor?: string;
  /** Who, as established. */
  identity?: Actor;
}

/** The freeze now (null: none) and what happened, oldest first (the latest 200). */
export interface FreezeRecord {
  state: FreezeState | null;
  events: FreezeEvent[];
}

export interface FreezeInput {
  /** Set on continue-as-new. */
  resume?: FreezeRecord;
  /** Signed decisions already used (the latest 200), set on continue-as-new. */
  decisionIds?: string[];
  /** Decisions per run before continuing as new. @default 100 */
  decisionsPerRun?: number;
}

export interface DeclareFreezeArgs {
  /** The name the caller gave (a direct Temporal call), or the verified actor's name (through the server). */
  actor: string;
  /** Signed by `ramp server` (action `freeze`, promotionId `ramp-freeze`, gate `declare`); absent: local-unverified. */
  decision?: string;
  /** Why; required. */
  reason: string;
  /** ISO-8601: when it ends by itself; absent or null: until lifted. */
  until?: string | null;
}

export interface LiftFreezeArgs {
  actor: string;
  /** Signed by `ramp server` (gate `lift`). */
  decision?: string;
  reason: string;
}

/** What a declare or lift did, in a sentence, and the freeze after it. */
export interface FreezeAck {
  message: string;
  state: FreezeState | null;
}

/** The freeze in force (null: none), as of the workflow's last task. */
export const freezeStateQuery = defineQuery<FreezeState | null>(FREEZE_STATE_QUERY);
/** The freeze and its events. */
export const freezeRecordQuery = defineQuery<FreezeRecord>('freezeRecord');
export const declareFreezeUpdate = defineUpdate<FreezeAck, [DeclareFreezeArgs]>('declareFreeze');
export const liftFreezeUpdate = defineUpdate<FreezeAck, [LiftFreezeArgs]>('liftFreeze');
