/**
 * The drift watch of one environment (workflows/drift.ts): its id, input, status, and the
 * operator's messages. Imported by the workflow, the activities and the CLI.
 */
import type { Actor } from '../src/identity/actor.js';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { DRIFT_SPEC_SIGNAL, DRIFT_WORKFLOW_TYPE, driftWorkflowId, type DriftWatchSpec, type ObjectDrift } from '../src/domain/drift.js';
import type { Ack } from './messages.js';

export { DRIFT_WORKFLOW_TYPE, driftWorkflowId };
export type { DriftWatchSpec, ObjectDrift };

export interface DriftInput extends DriftWatchSpec {
  /** Set on continue-as-new. */
  resume?: DriftStatus;
  /** Checks per run before continuing as new. @default 200 */
  checksPerRun?: number;
}

export const DriftPhase = {
  /** The cluster is as Git says (as of the last check). */
  InSync: 'InSync',
  /** The last check found drift; it waits for accept or reject (policy alert). */
  Drifted: 'Drifted',
  /** A promotion is changing the environment; checks resume after it. */
  Paused: 'Paused',
  /** The last check could not compare (cluster or repository unreachable, manifests invalid). */
  CheckFailed: 'CheckFailed',
  /** Not checked yet. */
  Starting: 'Starting',
} as const;
export type DriftPhase = (typeof DriftPhase)[keyof typeof DriftPhase];

export interface DriftEvent {
  at: string;
  kind:
    | 'drift-detected'
    | 'drift-reverted'
    | 'drift-accepted'
    | 'drift-rejected'
    | 'drift-resolved'
    | 'check-failed'
    | 'paused'
    | 'resumed'
    | 'refused'
    | 'spec-changed'
    | 'continued-as-new'
    /** The audit trail could not be written (docs/governance.md#audit-trail). */
    | 'audit-write-failed';
  message: string;
  /** The actor's display name. */
  actor?: string;
  /** Who, as established (absent in records from before identities). */
  identity?: Actor;
}

export interface DriftStatus {
  pipeline: string;
  stage: string;
  policy: 'alert' | 'revert';
  intervalMs: number;
  phase: DriftPhase;
  message: string;
  /** The last comparison: when, Git's commit, how many objects. */
  lastCheck: { at: string; sha: string; compared: number } | null;
  /** What differs now (empty when in sync). */
  drifts: ObjectDrift[];
  checks: number;
  /** The record, oldest first (the latest 200). */
  events: DriftEvent[];
}

export interface DriftDecisionArgs {
  actor: string;
  reason?: string;
  /** Signed by `ramp server` (src/identity/decision.ts, action `drift`, promotionId = the watch's id); absent: local-unverified. */
  decision?: string;
}

export const driftStatusQuery = defineQuery<DriftStatus>('driftStatus');
/** Write the live values to Git as a commit: the cluster was right. */
export const acceptDriftUpdate = defineUpdate<Ack, [DriftDecisionArgs]>('acceptDrift');
/** Put Git's state back into the cluster: the change was wrong. */
export const rejectDriftUpdate = defineUpdate<Ack, [DriftDecisionArgs]>('rejectDrift');
/** The pipeline changed (a new promotion started the watch again): compare with this stage spec. */
export const driftSpecSignal = defineSignal<[DriftWatchSpec]>(DRIFT_SPEC_SIGNAL);
/** Stop watching. */
export const stopDriftSignal = defineSignal<[{ actor: string }]>('stopDrift');
