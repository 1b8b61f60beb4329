/**
 * A judge (canary vs baseline, src/domain/judge) is measured like a metric: one judgement per
 * interval, `count` of them, under Argo's limits at their strictest — a judgement below marginal
 * fails the run, and the last must reach pass. Pure: the analysis workflow schedules and assesses
 * a judge with these, exactly as a metric.
 */
import type { JudgeSpec } from '../../schema/pipeline.js';
import type { MetricLimits } from './assess.js';

/** What the analysis workflow needs of a measured thing: its limits, its schedule, whether it decides. */
export interface Schedule extends MetricLimits {
  name: string;
  initialDelayMs: number;
  dryRun: boolean;
}

/** The schedule and limits of a judge: the first judgement after one interval (or the lookback). */
export function judgeSchedule(name: string, judge: Pick<JudgeSpec, 'count' | 'intervalMs' | 'lookbackMs'>): Schedule {
  return {
    name: `judge:${name}`,
    count: judge.count,
    intervalMs: judge.intervalMs,
    initialDelayMs: judge.intervalMs ?? judge.lookbackMs,
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    dryRun: false,
  };
}
