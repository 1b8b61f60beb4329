/**
 * Brent's root finder (R. P. Brent, "Algorithms for Minimization without Derivatives", 1973,
 * ch. 4): inverse quadratic interpolation or the secant step when they make progress, bisection
 * when they do not. The same algorithm as R's `uniroot` (zeroin.c) and Kayenta's BrentSolver.
 */

/** The root finder ran out of iterations (it cannot on a bracketed root with a sane tolerance). */
export class RootNotFoundError extends Error {
  override readonly name = 'RootNotFoundError';
}

export interface BrentOptions {
  /**
   * Absolute tolerance: the result is within `tolerance + 4·ε·|root|` of a sign change.
   * Kayenta and R use 1e-4 whatever the data's scale; the judge passes a tolerance relative
   * to it (mann-whitney.ts).
   */
  tolerance: number;
  /** @default 1000 */
  maxIterations?: number;
}

/**
 * A root of `f` in [a, b], given fa = f(a) and fb = f(b) of opposite signs (or one of them 0).
 * `f` need not be continuous: on a step function the result is the step's position.
 * @throws RootNotFoundError after `maxIterations` evaluations.
 */
export function brentRoot(f: (x: number) => number, a: number, b: number, fa: number, fb: number, options: BrentOptions): number {
  if (fa === 0) return a;
  if (fb === 0) return b;
  const maxIterations = options.maxIterations ?? 1000;
  let c = a;
  let fc = fa;
  for (let i = 0; i < maxIterations; i++) {
    const previousStep = b - a;
    // Keep b the best guess: |f(b)| ≤ |f(c)|, with the root between b and c.
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + options.tolerance / 2;
    let step = (c - b) / 2;
    if (Math.abs(step) <= tol || fb === 0) return b;

    if (Math.abs(previousStep) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // Interpolate: secant through a and b, or inverse quadratic through a, b and c.
      const cb = c - b;
      let p: number;
      let q: number;
      if (a === c) {
        const t1 = fb / fa;
        p = cb * t1;
        q = 1 - t1;
      } else {
        const qa = fa / fc;
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1));
        q = (qa - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      // Accept the interpolation only if it stays well inside the bracket and shrinks fast enough.
      if (p < 0.75 * cb * q - Math.abs(tol * q) / 2 && p < Math.abs((previousStep * q) / 2)) step = p / q;
    }
    if (Math.abs(step) < tol) step = step > 0 ? tol : -tol;

    a = b;
    fa = fb;
    b += step;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  throw new RootNotFoundError(`no root found in ${maxIterations} iterations`);
}
