/** Table tests for the judge's transforms: NaN strategies, type-7 percentiles, IQR outlier fences, spreading. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyNanStrategy,
  describe as describeValues,
  NanStrategy,
  normalQuantile,
  outlierFences,
  percentile,
  preprocess,
  removeOutliers,
  spreadSingleValue,
} from '../../src/domain/judge/index.js';

describe('NaN strategy', () => {
  const rows: [string, (number | null)[], NanStrategy, number[], number][] = [
    ['remove drops NaN', [1, Number.NaN, 2, Number.NaN], NanStrategy.Remove, [1, 2], 2],
    ['remove drops null (a NaN after JSON)', [null, 3, null], NanStrategy.Remove, [3], 2],
    ['remove of nothing but NaN leaves nothing', [Number.NaN, null], NanStrategy.Remove, [], 2],
    ['replace sets NaN and null to 0, in place', [1, Number.NaN, null, 4], NanStrategy.Replace, [1, 0, 0, 4], 2],
    ['no NaN: unchanged', [5, -1, 0], NanStrategy.Remove, [5, -1, 0], 0],
    ['empty stays empty', [], NanStrategy.Replace, [], 0],
  ];
  for (const [name, input, strategy, values, nans] of rows) {
    test(name, () => assert.deepEqual(applyNanStrategy(input, strategy), { values, nans }));
  }
});

describe('percentile: type 7 (linear interpolation, h = (n − 1)·p/100)', () => {
  const rows: [number[], number, number][] = [
    [[1, 2, 3, 4], 25, 1.75],
    [[1, 2, 3, 4], 50, 2.5],
    [[1, 2, 3, 4], 75, 3.25],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 100, 4],
    [[10, 20], 1, 10.1],
    [[10, 20], 99, 19.9],
    [[7], 1, 7],
    [[7], 99, 7],
    [Array.from({ length: 101 }, (_, i) => i), 1, 1],
    [Array.from({ length: 100 }, (_, i) => i + 1), 1, 1.99],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99.01],
  ];
  for (const [values, p, expected] of rows) {
    test(`P${p} of [${values.length > 6 ? `${values.length} values` : values.join(', ')}] = ${expected}`, () => {
      assert.ok(Math.abs(percentile(values, p) - expected) < 1e-12, `${percentile(values, p)}`);
    });
  }
  test('empty is NaN', () => assert.ok(Number.isNaN(percentile([], 50))));
});

describe('IQR outlier fences: lower = min(P1, Q1 − f·IQR), upper = max(P99, Q3 + f·IQR)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // Q1 25.75, Q3 75.25, IQR 49.5
  const rows: [string, number[], number, { lower: number; upper: number }][] = [
    ['the IQR fences when they are wider', hundred, 3, { lower: 25.75 - 3 * 49.5, upper: 75.25 + 3 * 49.5 }],
    ['factor 1.5', hundred, 1.5, { lower: 25.75 - 1.5 * 49.5, upper: 75.25 + 1.5 * 49.5 }],
    // With IQR 0 the percentiles decide: P1 and P99 of [0 ×98, −50, 50].
    ['P1 and P99 when the IQR is 0', [...Array<number>(98).fill(0), -50, 50], 3, { lower: -50 + 0.99 * 50, upper: 50 - 0.99 * 50 }],
    ['a single value: the value itself', [4], 3, { lower: 4, upper: 4 }],
  ];
  for (const [name, values, factor, expected] of rows) {
    test(name, () => {
      const fences = outlierFences(values, factor);
      assert.ok(Math.abs(fences.lower - expected.lower) < 1e-9, `lower ${fences.lower} vs ${expected.lower}`);
      assert.ok(Math.abs(fences.upper - expected.upper) < 1e-9, `upper ${fences.upper} vs ${expected.upper}`);
    });
  }

  const removal: [string, number[], number, number[]][] = [
    ['far values go, the rest keep their order', [5, 1000, 3, 4, 6, 5, 4, -900, 5, 3], 3, [5, 3, 4, 6, 5, 4, 5, 3]],
    ['with IQR 0, a value past P99 goes', [0, 0, 0, 0, 1], 3, [0, 0, 0, 0]],
    ['values on a fence stay (fences 0 and 100 are the min and max)', Array.from({ length: 101 }, (_, i) => i), 0.5, Array.from({ length: 101 }, (_, i) => i)],
    ['values between P1 and P99 always stay, however small the factor', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.01, [2, 3, 4, 5, 6, 7, 8, 9]],
    ['empty', [], 3, []],
  ];
  for (const [name, values, factor, kept] of removal) {
    test(`removeOutliers: ${name}`, () => assert.deepEqual(removeOutliers(values, factor), { values: kept, outliers: values.length - kept.length }));
  }

  test('P1/P99 make the detector less sensitive than plain Tukey fences', () => {
    // 200 values, IQR fences at factor 0.1 would cut both tails; the percentile fences keep all but the extremes.
    const values = Array.from({ length: 200 }, (_, i) => i);
    const { values: kept, outliers } = removeOutliers(values, 0.1);
    assert.equal(outliers, 4); // 0, 1 below P1 = 1.99; 198, 199 above P99 = 197.01
    assert.deepEqual([kept[0], kept.at(-1)], [2, 197]);
  });
});

describe('preprocess: NaN strategy first, then outliers', () => {
  test('replace, then the replaced zeros may be outliers', () => {
    const values = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100, Number.NaN];
    assert.deepEqual(preprocess(values, { nanStrategy: NanStrategy.Replace, removeOutliers: true, outlierFactor: 3 }), {
      values: [100, 101, 99, 100, 102, 98, 100, 101, 99, 100],
      nans: 1,
      outliers: 1,
    });
  });
  test('outliers off: counts 0', () => {
    assert.deepEqual(preprocess([1, 1e9, null], { nanStrategy: NanStrategy.Remove, removeOutliers: false, outlierFactor: 3 }), {
      values: [1, 1e9],
      nans: 1,
      outliers: 0,
    });
  });
});

describe('descriptive statistics', () => {
  test('sample standard deviation (n − 1)', () => {
    assert.deepEqual(describeValues([2, 4, 4, 4, 5, 5, 7, 9]), { count: 8, min: 2, max: 9, mean: 5, std: Math.sqrt(32 / 7) });
  });
  test('one value: std 0', () => assert.deepEqual(describeValues([3]), { count: 1, min: 3, max: 3, mean: 3, std: 0 }));
  test('empty: nulls, not NaN or 0', () => assert.deepEqual(describeValues([]), { count: 0, min: null, max: null, mean: null, std: null }));
});

describe("spreadSingleValue: the deterministic stand-in for Kayenta's Gaussian noise", () => {
  test('value·1e-5·Φ⁻¹((i + ½)/n) added to the i-th value', () => {
    const spread = spreadSingleValue([10, 10, 10, 10]);
    assert.deepEqual(
      spread,
      [0, 1, 2, 3].map((i) => 10 + 10 * 1e-5 * normalQuantile((i + 0.5) / 4)),
    );
    assert.equal(new Set(spread).size, 4);
    assert.ok(Math.abs(spread.reduce((a, b) => a + b, 0) / 4 - 10) < 1e-12, 'mean kept');
  });
  test('deterministic: the same input, the same output', () => assert.deepEqual(spreadSingleValue([7, 7, 7]), spreadSingleValue([7, 7, 7])));
  test('a single value gets no noise (Φ⁻¹(½) = 0); zero stays zero', () => {
    assert.deepEqual(spreadSingleValue([5]), [5]);
    assert.deepEqual(spreadSingleValue([0, 0, 0]), [0, 0, 0]);
  });
  test('negative values spread too (σ = value·1e-5 changes sign, which only mirrors the noise)', () => {
    assert.equal(new Set(spreadSingleValue([-3, -3, -3])).size, 3);
  });
});
