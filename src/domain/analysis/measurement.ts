/** One measurement of one metric, as the measure activity returns it and a workflow keeps it. */
import type { MeasurementPhase } from './phases.js';

/**
 * What a metric provider measured: a number for a scalar, one number per series for an
 * instant vector (in the order the provider returned them; `[]` when nothing matched).
 */
export type MeasuredValue = number | number[];

export interface Measurement {
  phase: MeasurementPhase;
  /**
   * The measured value, or null when the provider failed. Temporal carries it as JSON, where
   * NaN and ±Inf become null: the phase was decided on the real value before that.
   */
  value: MeasuredValue | null;
  /** Why the phase is Error (a provider or evaluation error), else null. */
  error: string | null;
  /** Why the phase is what it is, for people: the condition and the value, or the error. */
  message: string | null;
  /** ISO 8601, when the query was sent; also the query's evaluation time. */
  startedAt: string;
  /** ISO 8601, when the answer was judged. */
  finishedAt: string;
  /** The query as sent, placeholders resolved. */
  query: string;
}
