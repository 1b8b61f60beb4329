/**
 * One measured value → a measurement phase, by the metric's success and failure conditions:
 * Argo Rollouts' `EvaluateResult` truth table (anchors.md §2.2), with CEL for the conditions.
 *
 * | successCondition | failureCondition | phase                                                        |
 * |------------------|------------------|--------------------------------------------------------------|
 * | —                | —                | Successful                                                   |
 * | set              | —                | Successful if it holds, else Failed                          |
 * | —                | set              | Failed if it holds, else Successful                          |
 * | set              | set              | Failed if failure holds, Successful if success holds, else Inconclusive |
 * | provider or evaluation error        || Error                                                        |
 */
import { evaluateCondition } from '../condition.js';
import type { MeasuredValue } from './measurement.js';
import { MeasurementPhase } from './phases.js';

/** The parts of a metric that judge one value. */
export interface MeasurementConditions {
  successCondition?: string | undefined;
  failureCondition?: string | undefined;
}

export interface MeasurementEvaluation {
  phase: MeasurementPhase;
  /** The condition and the value, or the error; null for a plain success without conditions. */
  message: string | null;
  /** Set when the phase is Error: what went wrong. */
  error: string | null;
}

/**
 * Judges one measured value (or a provider's error) by the metric's conditions. Deterministic,
 * never throws: a condition that cannot be evaluated on the value (`result[0]` on an empty
 * vector, a type mismatch, a non-bool) is an Error, never a pass or a fail.
 */
export function evaluateMeasurement(metric: MeasurementConditions, measured: MeasuredValue | { error: string }): MeasurementEvaluation {
  if (typeof measured === 'object' && !Array.isArray(measured)) return errored(measured.error);
  const { successCondition, failureCondition } = metric;
  const shown = formatValue(measured);

  // Argo evaluates both conditions that are set, and an error in either is an Error.
  let success = false;
  let failure = false;
  if (successCondition !== undefined) {
    const evaluation = evaluateCondition(successCondition, measured);
    if (!evaluation.ok) return errored(conditionError('successCondition', successCondition, evaluation.error, measured));
    success = evaluation.value;
  }
  if (failureCondition !== undefined) {
    const evaluation = evaluateCondition(failureCondition, measured);
    if (!evaluation.ok) return errored(conditionError('failureCondition', failureCondition, evaluation.error, measured));
    failure = evaluation.value;
  }

  if (successCondition === undefined && failureCondition === undefined) {
    return { phase: MeasurementPhase.Successful, message: null, error: null };
  }
  if (failureCondition === undefined) {
    return success
      ? judged(MeasurementPhase.Successful, `successCondition \`${successCondition}\` holds for result = ${shown}`)
      : judged(MeasurementPhase.Failed, `successCondition \`${successCondition}\` does not hold for result = ${shown}`);
  }
  if (successCondition === undefined) {
    return failure
      ? judged(MeasurementPhase.Failed, `failureCondition \`${failureCondition}\` holds for result = ${shown}`)
      : judged(MeasurementPhase.Successful, `failureCondition \`${failureCondition}\` does not hold for result = ${shown}`);
  }
  if (failure) return judged(MeasurementPhase.Failed, `failureCondition \`${failureCondition}\` holds for result = ${shown}`);
  if (success) return judged(MeasurementPhase.Successful, `successCondition \`${successCondition}\` holds for result = ${shown}`);
  return judged(
    MeasurementPhase.Inconclusive,
    `neither successCondition \`${successCondition}\` nor failureCondition \`${failureCondition}\` holds for result = ${shown}`,
  );
}

/**
 * A value as people read it: `0.97`, `[0.97, NaN]`, `+Inf`, `[]`, `none`; with `significant`,
 * non-integers rounded to that many significant digits (`0.297`, `1234.568`) for a screen.
 */
export function formatValue(value: MeasuredValue | null, significant?: number): string {
  const number = (n: number): string => formatNumber(n, significant);
  if (value === null) return 'none';
  if (Array.isArray(value)) return `[${value.map(number).join(', ')}]`;
  return number(value);
}

function formatNumber(n: number, significant: number | undefined): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (significant === undefined || Number.isInteger(n) || Number.isNaN(n)) return String(n);
  return String(Math.abs(n) >= 1 ? Number(n.toFixed(significant)) : Number(n.toPrecision(significant)));
}

function judged(phase: MeasurementPhase, message: string): MeasurementEvaluation {
  return { phase, message, error: null };
}

function errored(error: string): MeasurementEvaluation {
  return { phase: MeasurementPhase.Error, message: error, error };
}

function conditionError(which: string, expression: string, error: string, measured: MeasuredValue): string {
  const hint =
    Array.isArray(measured) && measured.length === 0
      ? '. The query returned no series (an empty vector); guard with `size(result) == 0 || ...` if that is acceptable'
      : '';
  return `${which} \`${expression}\` could not be evaluated for result = ${formatValue(measured)}: ${error}${hint}`;
}
