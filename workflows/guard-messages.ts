/**
 * The history guard of one GitOps repository (workflows/guard.ts): its id, input, status and
 * messages. Imported by the workflow, the activities (which start it with signalWithStart after
 * each push and query it before each write), the CLI and the server.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../src/identity/actor.js';
import type { DecisionChannel } from '../src/identity/decision.js';
import {
  GUARD_REMEMBER_SIGNAL,
  GUARD_STATUS_QUERY,
  GUARD_WORKFLOW_TYPE,
  guardWorkflowId,
  type GuardedRepository,
  type MissingCommit,
  type Rewrite,
  type TrackedBranch,
} from '../src/domain/guard.js';
import type { Ack } from './messages.js';

export { GUARD_REMEMBER_SIGNAL, GUARD_WORKFLOW_TYPE, guardWorkflowId };
export type { GuardedRepository, MissingCommit, Rewrite, TrackedBranch };

export interface GuardInput {
  repository: GuardedRepository;
  /** How often the history is checked (RAMP_GUARD_INTERVAL). @default 60000 */
  intervalMs?: number;
  /** Set on continue-as-new. */
  resume?: GuardStatus;
  /** Checks per run before continuing as new. @default 200 */
  checksPerRun?: number;
}

export const GuardPhase = {
  /** Not checked yet. */
  Starting: 'Starting',
  /** Every watched commit was reachable at the last check. */
  Ok: 'Ok',
  /** A watched commit is gone: writes are blocked until someone acknowledges. */
  Rewritten: 'Rewritten',
  /** The last check could not read the repository (it is tried again at the next interval). */
  CheckFailed: 'CheckFailed',
  /** Not a state of the workflow: no worker answered the status query (ramp guard lists it anyway, with why). */
  Unreachable: 'Unreachable',
} as const;
export type GuardPhase = (typeof GuardPhase)[keyof typeof GuardPhase];

export interface GuardEvent {
  at: string;
  kind: 'history-rewritten' | 'history-ack' | 'refused' | 'check-failed' | 'checked-again' | 'continued-as-new';
  message: string;
  actor?: string;
  identity?: Actor;
  /** history-ack: the reason given. */
  reason?: string;
  /** history-rewritten and history-ack: the commits that went missing. */
  missing?: MissingCommit[];
  /** history-ack: where it was taken. */
  channel?: DecisionChannel;
}

export interface GuardStatus {
  /** The repository's URL (without credentials) and branch. */
  url: string;
  branch: string;
  intervalMs: number;
  phase: GuardPhase;
  message: string;
  /** The rewrite found and not yet acknowledged: while set, ramp writes nothing to the repository. */
  rewritten: Rewrite | null;
  /** What is watched per branch: the last tips and ramp's recent pushes. */
  branches: TrackedBranch[];
  /** Pipelines whose promotions pushed here (for `ramp guard ack <pipeline>`). */
  pipelines: string[];
  /** Per pipeline, the latest promotion (or drift watch) that pushed here: the alert goes through its notification routes. */
  promotions: Record<string, string>;
  lastCheck: { at: string } | null;
  checks: number;
  /** The record, oldest first (the latest 200). */
  events: GuardEvent[];
}

/** A push ramp made: remember it until it is behind the tip (signalWithStart by the Git activities). */
export interface RememberArgs {
  branch: string;
  sha: string;
  /** The pipeline whose promotion pushed it. */
  pipeline: string | null;
  /** The promotion (or drift watch) that pushed it. */
  promotion?: string | null;
}

export interface AcknowledgeArgs {
  actor: string;
  /** Why the rewrite is fine or what was done about it (required). */
  reason: string;
  /** Signed by `ramp server` (action `history-ack`, promotionId = the guard's id); absent: local-unverified. */
  decision?: string;
}

export const guardStatusQuery = defineQuery<GuardStatus>(GUARD_STATUS_QUERY);
export const rememberSignal = defineSignal<[RememberArgs]>(GUARD_REMEMBER_SIGNAL);
/** An operator acknowledges the rewrite: the current tips become the baseline and writes resume. */
export const acknowledgeUpdate = defineUpdate<Ack, [AcknowledgeArgs]>('acknowledge');
