/**
 * The analysis vocabulary, Argo Rollouts' names (anchors.md §2.2): the phase of one
 * measurement, and the phase of a metric or of a whole analysis run.
 */

/** What one measurement came to (`evaluateMeasurement`). */
export const MeasurementPhase = {
  /** The conditions say the value is good (or there are no conditions). */
  Successful: 'Successful',
  /** The conditions say the value is bad. */
  Failed: 'Failed',
  /** Both conditions are set and neither holds: a human should look. */
  Inconclusive: 'Inconclusive',
  /** No value to judge: the provider failed, or a condition could not be evaluated on the value. */
  Error: 'Error',
} as const;
export type MeasurementPhase = (typeof MeasurementPhase)[keyof typeof MeasurementPhase];

/** Where a metric (`assessMetric`) or a whole analysis run (`assessRun`) is. */
export const AnalysisPhase = {
  /** Not measured yet (waiting for its initial delay). */
  Pending: 'Pending',
  /** Measuring; no limit decided it yet. */
  Running: 'Running',
  Successful: 'Successful',
  /** Too many inconclusive measurements: pause for a human decision. */
  Inconclusive: 'Inconclusive',
  /** Too many consecutive errors: abort (missing data never promotes). */
  Error: 'Error',
  /** Too many failed measurements: abort. */
  Failed: 'Failed',
} as const;
export type AnalysisPhase = (typeof AnalysisPhase)[keyof typeof AnalysisPhase];

/** Best to worst, as Argo Rollouts orders them (`analysisStatusOrder`). */
export const ANALYSIS_PHASE_ORDER: readonly AnalysisPhase[] = [
  AnalysisPhase.Successful,
  AnalysisPhase.Running,
  AnalysisPhase.Pending,
  AnalysisPhase.Inconclusive,
  AnalysisPhase.Error,
  AnalysisPhase.Failed,
];

/** The worse of two phases: `Successful < Running < Pending < Inconclusive < Error < Failed`. */
export function worstPhase(a: AnalysisPhase, b: AnalysisPhase): AnalysisPhase {
  return ANALYSIS_PHASE_ORDER.indexOf(b) > ANALYSIS_PHASE_ORDER.indexOf(a) ? b : a;
}

/** A metric or run in one of these phases is done: no more measurements. */
export function isCompleted(phase: AnalysisPhase): boolean {
  return phase !== AnalysisPhase.Pending && phase !== AnalysisPhase.Running;
}
