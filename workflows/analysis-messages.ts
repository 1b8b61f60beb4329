/**
 * The analysis workflow's input, result and messages: the stage (its parent), the CLI and the
 * tests import these same objects.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { MetricCounters, RunSummary } from '../src/domain/analysis/assess.js';
import type { Measurement } from '../src/domain/analysis/measurement.js';
import type { AnalysisPhase } from '../src/domain/analysis/phases.js';
import type { JudgeSpec, MetricSpec } from '../src/schema/pipeline.js';

export interface AnalysisInput {
  /** What the run is for, for people: `step 2: analysis success-rate`. */
  label: string;
  /** The metrics of the referenced templates. */
  metrics: MetricSpec[];
  /** Their judges (canary vs baseline), each judged `count` times, `interval` apart. */
  judges?: { name: string; judge: JudgeSpec }[];
  /** Values for `{{args.*}}` and `{{ramp.*}}` in queries. */
  args: Record<string, string>;
}

export interface MetricRecord {
  name: string;
  dryRun: boolean;
  phase: AnalysisPhase;
  message: string | null;
  counters: MetricCounters;
  /** The latest measurements, oldest first. */
  measurements: Measurement[];
}

export interface AnalysisResult {
  label: string;
  phase: AnalysisPhase;
  /** Why, when not Successful: the metric that decided and its limit. */
  message: string | null;
  metrics: MetricRecord[];
  runSummary: RunSummary;
  dryRunSummary: RunSummary;
  startedAt: string;
  finishedAt: string | null;
}

/** Ends a background analysis: metrics that violated no limit count as Successful. */
export const terminateAnalysisSignal = defineSignal<[reason: string]>('terminateAnalysis');
/** The run so far: every metric's phase, counters and latest measurements. */
export const analysisStatusQuery = defineQuery<AnalysisResult>('analysisStatus');
