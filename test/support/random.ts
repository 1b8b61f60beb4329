/**
 * The seeded generator of the fuzz tests (generated hostile input): mulberry32, small, fast and
 * the same on every platform, so that a failing case is reproduced with its seed. The seed is
 * RAMP_FUZZ_SEED, else a fixed default: CI runs the same cases every time.
 */

/** RAMP_FUZZ_SEED, else the default. */
export const FUZZ_SEED = Number(process.env.RAMP_FUZZ_SEED ?? 20_261_130);

export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]!, chance: (p: number) => next() < p };
}

export type Random = ReturnType<typeof prng>;
