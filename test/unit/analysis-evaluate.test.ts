/** evaluateMeasurement and evaluateCondition: Argo Rollouts' truth table, row by row, in CEL. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateMeasurement, formatValue, type MeasurementConditions } from '../../src/domain/analysis/evaluate.js';
import type { MeasuredValue } from '../../src/domain/analysis/measurement.js';
import { MeasurementPhase } from '../../src/domain/analysis/phases.js';
import { checkCondition, evaluateCondition } from '../../src/domain/condition.js';

const HOLDS = 'result > 0.5';
const FAILS = 'result > 100.0';

describe('evaluateMeasurement: the truth table', () => {
  const rows: [string, MeasurementConditions, MeasurementPhase][] = [
    ['no conditions → Successful', {}, 'Successful'],
    ['only success, it holds → Successful', { successCondition: HOLDS }, 'Successful'],
    ['only success, it does not hold → Failed', { successCondition: FAILS }, 'Failed'],
    ['only failure, it holds → Failed', { failureCondition: HOLDS }, 'Failed'],
    ['only failure, it does not hold → Successful', { failureCondition: FAILS }, 'Successful'],
    ['both, failure holds → Failed', { successCondition: FAILS, failureCondition: HOLDS }, 'Failed'],
    ['both, both hold → Failed (failure wins)', { successCondition: HOLDS, failureCondition: HOLDS }, 'Failed'],
    ['both, only success holds → Successful', { successCondition: HOLDS, failureCondition: FAILS }, 'Successful'],
    ['both, neither holds → Inconclusive', { successCondition: FAILS, failureCondition: FAILS }, 'Inconclusive'],
  ];
  for (const [name, conditions, phase] of rows) {
    test(name, () => {
      const evaluation = evaluateMeasurement(conditions, 0.97);
      assert.equal(evaluation.phase, phase);
      assert.equal(evaluation.error, null);
    });
  }

  test('messages name the condition and the value', () => {
    assert.equal(evaluateMeasurement({}, 1).message, null);
    assert.equal(
      evaluateMeasurement({ successCondition: 'result[0] >= 0.95' }, [0.9, 0.99]).message,
      'successCondition `result[0] >= 0.95` does not hold for result = [0.9, 0.99]',
    );
    assert.equal(evaluateMeasurement({ failureCondition: HOLDS }, 0.97).message, 'failureCondition `result > 0.5` holds for result = 0.97');
    assert.match(
      evaluateMeasurement({ successCondition: FAILS, failureCondition: FAILS }, 0.97).message!,
      /^neither successCondition .* nor failureCondition .* holds for result = 0.97$/,
    );
  });
});

describe('evaluateMeasurement: errors are Error, never a pass or a fail', () => {
  const rows: [string, MeasurementConditions, MeasuredValue | { error: string }, RegExp][] = [
    ['a provider error, without conditions', {}, { error: 'connection refused' }, /^connection refused$/],
    ['a provider error, with conditions', { successCondition: HOLDS, failureCondition: FAILS }, { error: 'timeout' }, /^timeout$/],
    [
      'an empty vector with result[0] (success)',
      { successCondition: 'result[0] >= 0.95' },
      [],
      /successCondition `result\[0\] >= 0.95` could not be evaluated for result = \[\]: .*index out of bounds.*size\(result\) == 0/,
    ],
    ['an empty vector with result[0] (failure)', { failureCondition: 'result[0] > 0.01' }, [], /failureCondition .* could not be evaluated .*empty vector/],
    ['an empty vector with result[0], both set', { successCondition: 'result[0] < 0.01', failureCondition: 'result[0] >= 0.01' }, [], /successCondition/],
    [
      'an error in failureCondition while success holds',
      { successCondition: 'result[0] > 0.5', failureCondition: 'result[1] > 1.0' },
      [0.97],
      /failureCondition .*index out of bounds/,
    ],
    ['a non-boolean condition', { successCondition: 'result' }, 0.97, /evaluates to a double \(0.97\), not a bool/],
    ['a list where a number was expected', { successCondition: 'result > 0.5' }, [0.97], /no such overload/],
    ['a number indexed like a list', { successCondition: 'result[0] > 0.5' }, 0.97, /could not be evaluated for result = 0.97/],
    ['an unknown variable', { successCondition: 'value > 0.5' }, 0.97, /Unknown variable: value/],
    ['a syntax error', { failureCondition: 'result >' }, 0.97, /could not be evaluated/],
  ];
  for (const [name, conditions, measured, message] of rows) {
    test(name, () => {
      const evaluation = evaluateMeasurement(conditions, measured);
      assert.equal(evaluation.phase, MeasurementPhase.Error);
      assert.match(evaluation.error ?? '', message);
      assert.equal(evaluation.message, evaluation.error);
    });
  }
});

describe('evaluateMeasurement: vectors, guards, NaN and Inf', () => {
  const rows: [string, MeasurementConditions, MeasuredValue, MeasurementPhase][] = [
    ['a guard makes an empty vector pass (the user chose so)', { successCondition: 'size(result) == 0 || result[0] < 0.01' }, [], 'Successful'],
    ['the same guard judges a non-empty vector', { successCondition: 'size(result) == 0 || result[0] < 0.01' }, [0.5], 'Failed'],
    ['a guard that fails on no data', { successCondition: 'size(result) > 0 && result[0] < 0.01' }, [], 'Failed'],
    ['every series of a vector', { successCondition: 'result.all(x, x < 0.01)' }, [0.001, 0.02], 'Failed'],
    ['the first series only', { successCondition: 'result[0] < 0.01' }, [0.001, 0.02], 'Successful'],
    ['NaN compares false', { successCondition: 'result < 1.0' }, NaN, 'Failed'],
    ['isNaN() sees NaN', { failureCondition: 'isNaN(result)' }, NaN, 'Failed'],
    ['isNaN() in a vector', { failureCondition: 'result.exists(x, isNaN(x))' }, [1, NaN], 'Failed'],
    ['+Inf is greater than any number', { failureCondition: 'result > 1000.0' }, Infinity, 'Failed'],
    ['isInf() sees -Inf', { failureCondition: 'isInf(result)' }, -Infinity, 'Failed'],
    ['an integer literal compares with a value', { successCondition: 'result >= 1' }, 3, 'Successful'],
  ];
  for (const [name, conditions, measured, phase] of rows) {
    test(name, () => assert.equal(evaluateMeasurement(conditions, measured).phase, phase));
  }
});

describe('evaluateCondition', () => {
  test('a bool, or an error, never a throw', () => {
    assert.deepEqual(evaluateCondition('result[0] >= 0.95', [0.97]), { ok: true, value: true });
    assert.deepEqual(evaluateCondition('result >= 0.95', 0.9), { ok: true, value: false });
    const empty = evaluateCondition('result[0] >= 0.95', []);
    assert.equal(empty.ok, false);
    assert.deepEqual(evaluateCondition('size(result)', [1, 2]), { ok: false, error: 'the condition evaluates to an int (2), not a bool' });
    assert.deepEqual(evaluateCondition('"x"', 1), { ok: false, error: 'the condition evaluates to a string ("x"), not a bool' });
    assert.equal(evaluateCondition('((', 1).ok, false);
  });

  test('the same expression evaluates the same on every call (programs are cached)', () => {
    for (const value of [0.1, 0.99, 0.1]) {
      assert.deepEqual(evaluateCondition('result > 0.5', value), { ok: true, value: value > 0.5 });
    }
  });

  test('checkCondition is unchanged: it checks without evaluating', () => {
    assert.deepEqual(checkCondition('result[0] >= 0.95'), { ok: true });
    assert.equal(checkCondition('result >').ok, false);
  });
});

test('formatValue', () => {
  assert.equal(formatValue(null), 'none');
  assert.equal(formatValue(0.5), '0.5');
  assert.equal(formatValue([]), '[]');
  assert.equal(formatValue([1, NaN, Infinity, -Infinity]), '[1, NaN, +Inf, -Inf]');
});
