/**
 * The Mann-Whitney test's own rules: values R prints, the properties a shift estimate must have,
 * the endpoint rule, σ = 0, and its input checks. (Agreement with SciPy on many data sets is in
 * judge-reference.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_TIED_REASON, brentRoot, mannWhitneyUTest, RootNotFoundError, type MannWhitneyResult } from '../../src/domain/judge/index.js';

function ok(x: number[], y: number[], level?: number): MannWhitneyResult {
  const outcome = mannWhitneyUTest(x, y, level);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
  return outcome.result;
}

const near = (a: number, b: number, tol = 1e-9): boolean => Math.abs(a - b) <= tol;

describe('mannWhitneyUTest', () => {
  test("R's documentation example: W = 58, p-value = 0.1329 (wilcox.test, exact = FALSE, correct = TRUE)", () => {
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const r = ok(x, y, 0.95);
    assert.equal(r.u, 58);
    assert.equal(r.pValue.toFixed(4), '0.1329');
  });

  test('no overlap with tiny samples: the interval is the whole range of differences (R returns muMin, muMax)', () => {
    const r = ok([1, 2, 3], [4, 5, 6]);
    assert.deepEqual(r.confidenceInterval, [-5, -1]);
    assert.equal(r.estimate, -3);
    assert.equal(r.u, 0);
  });

  test('swapping the samples negates the estimate and mirrors the interval, U becomes nx·ny − U', () => {
    const x = [12.1, 14.3, 11.8, 15.2, 13.9, 12.7, 16.4, 13.1];
    const y = [10.2, 11.9, 10.8, 12.5, 9.7, 11.1, 12.2];
    const a = ok(x, y);
    const b = ok(y, x);
    assert.ok(near(a.estimate, -b.estimate));
    assert.ok(near(a.confidenceInterval[0], -b.confidenceInterval[1]));
    assert.ok(near(a.confidenceInterval[1], -b.confidenceInterval[0]));
    assert.equal(a.u + b.u, x.length * y.length);
    assert.equal(a.pValue, b.pValue);
  });

  test('shifting the canary by c shifts the estimate and the interval by c', () => {
    const x = [3.1, 4.7, 2.2, 5.9, 4.4, 3.8, 5.1];
    const y = [2.9, 3.3, 4.1, 2.5, 3.7, 3.0];
    const a = ok(x, y);
    const b = ok(
      x.map((v) => v + 10),
      y,
    );
    assert.ok(near(b.estimate, a.estimate + 10));
    assert.ok(near(b.confidenceInterval[0], a.confidenceInterval[0] + 10));
    assert.ok(near(b.confidenceInterval[1], a.confidenceInterval[1] + 10));
  });

  test('order of the samples does not matter', () => {
    const x = [5, 3, 9, 1, 7, 8];
    const y = [2, 6, 4, 4, 1];
    assert.deepEqual(
      ok(x, y),
      ok(
        [...x].reverse(),
        [...y].sort((a, b) => b - a),
      ),
    );
  });

  test('the estimate lies inside the interval, and the interval widens with the confidence level', () => {
    const x = [10.5, 12.1, 11.3, 13.8, 12.9, 11.7, 14.2, 12.4, 13.1, 11.9];
    const y = [10.1, 11.4, 10.7, 12.2, 10.9, 11.8, 10.3, 11.1, 12.5, 10.6];
    const r98 = ok(x, y, 0.98);
    const r90 = ok(x, y, 0.9);
    assert.ok(r98.confidenceInterval[0] <= r98.estimate && r98.estimate <= r98.confidenceInterval[1]);
    assert.ok(r98.confidenceInterval[0] <= r90.confidenceInterval[0] && r90.confidenceInterval[1] <= r98.confidenceInterval[1]);
    assert.equal(r98.confidenceLevel, 0.98);
  });

  test('identical samples: U = nx·ny/2, p = 1, estimate 0, a symmetric interval', () => {
    const v = [4, 8, 15, 16, 23, 42];
    const r = ok(v, v);
    assert.equal(r.u, 18);
    assert.equal(r.pValue, 1);
    assert.equal(r.estimate, 0);
    assert.ok(near(r.confidenceInterval[0], -r.confidenceInterval[1]));
  });

  test('the bounds are pairwise differences, to 1e-12 of the data scale', () => {
    const x = [1.5, 2.25, 3.125, 4.0625, 5.5];
    const y = [0.5, 1.75, 2.0, 2.875];
    const diffs = x.flatMap((a) => y.map((b) => a - b));
    const r = ok(x, y, 0.8);
    for (const bound of r.confidenceInterval) {
      assert.ok(
        diffs.some((d) => Math.abs(d - bound) <= 1e-11),
        `${bound} is not a pairwise difference`,
      );
    }
  });

  const refused: [string, number[], number[], string | RegExp][] = [
    ['σ = 0: one value each, every observation tied at the shift', [5], [7], ALL_TIED_REASON],
    ['σ = 0: all values equal', [3, 3, 3], [3, 3], ALL_TIED_REASON],
    ['an empty sample', [], [1, 2], /at least one value/],
    ['a non-finite value', [1, Number.NaN], [1, 2], /not a finite number/],
    ['an infinite value', [1, 2], [Infinity, 2], /not a finite number/],
  ];
  for (const [name, x, y, reason] of refused) {
    test(`refused, not thrown: ${name}`, () => {
      const outcome = mannWhitneyUTest(x, y);
      assert.equal(outcome.ok, false);
      if (!outcome.ok) {
        if (typeof reason === 'string') assert.equal(outcome.reason, reason);
        else assert.match(outcome.reason, reason);
      }
    });
  }
  test('refused: a confidence level outside (0, 1)', () => assert.equal(mannWhitneyUTest([1, 2], [3, 4], 1).ok, false));
});

describe('brentRoot', () => {
  test('a smooth root to the tolerance', () => {
    const root = brentRoot((x) => x * x - 2, 0, 2, -2, 2, { tolerance: 1e-14 });
    assert.ok(Math.abs(root - Math.SQRT2) < 1e-13);
  });
  test('a step function: the position of the step', () => {
    const root = brentRoot((x) => (x < 0.3 ? 1 : -1), 0, 1, 1, -1, { tolerance: 1e-12 });
    assert.ok(Math.abs(root - 0.3) < 1e-11);
  });
  test('an endpoint that is a root is returned as is', () => {
    assert.equal(
      brentRoot((x) => x, 0, 1, 0, 1, { tolerance: 1e-9 }),
      0,
    );
    assert.equal(
      brentRoot((x) => x - 1, 0, 1, -1, 0, { tolerance: 1e-9 }),
      1,
    );
  });
  test('out of iterations: RootNotFoundError', () => {
    assert.throws(() => brentRoot((x) => (x < 0.3 ? 1 : -1), 0, 1, 1, -1, { tolerance: 1e-15, maxIterations: 3 }), RootNotFoundError);
  });
});
