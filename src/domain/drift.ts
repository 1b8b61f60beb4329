/**
 * What drift is, as data: the live objects of an environment against the desired state in Git.
 * Produced by src/providers/kube/drift.ts; kept by the drift watch (workflows/drift.ts).
 */
import type { RepositorySpec, StageSpec } from '../schema/pipeline.js';

export interface FieldDrift {
  /** A YAML path into the object, e.g. `spec.replicas`, `spec.template.spec.containers[name=web].image`. */
  path: string;
  desired: unknown;
  /** undefined when the live object lacks the field. */
  live: unknown;
}

export interface ObjectDrift {
  /** `Deployment web-staging/web-stable` */
  object: string;
  ref: { apiVersion: string; kind: string; name: string; namespace?: string };
  /** The file that defines it, relative to the stage path, when known. */
  source: string | null;
  /** True when the object is not in the cluster at all. */
  missing: boolean;
  fields: FieldDrift[];
}

export interface DriftReport {
  /** Git's head, the desired state compared. */
  sha: string;
  /** Objects compared. */
  compared: number;
  drifts: ObjectDrift[];
}

/** `Deployment shop/web spec.replicas 5 (Git: 2)`: one drifted object, for events and notifications. */
export function describeDrift(drift: ObjectDrift): string {
  if (drift.missing) return `${drift.object} is missing`;
  return `${drift.object} ${drift.fields.map((f) => `${f.path} ${showValue(f.live)} (Git: ${showValue(f.desired)})`).join(', ')}`;
}

function showValue(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

/** What a drift watch compares: the stage as the pipeline defines it now. */
export interface DriftWatchSpec {
  pipeline: string;
  repository: RepositorySpec;
  stage: StageSpec;
}

/** `web/staging:drift` — one watch per environment. */
export function driftWorkflowId(pipeline: string, stage: string): string {
  return `${pipeline}/${stage}:drift`;
}

/** The watch's workflow type and the signal that hands it the latest spec (workflows/drift-messages.ts). */
export const DRIFT_WORKFLOW_TYPE = 'driftWorkflow';
export const DRIFT_SPEC_SIGNAL = 'driftSpec';
