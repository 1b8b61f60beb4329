/** Order statistics for benchmark samples (the machine is shared and noisy: medians, not means). */

export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

export const median = (samples: readonly number[]): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const round = (ms: number): number => Math.round(ms * 10) / 10;

/** A latency figure as the benches report it: count, p50, p95 and max, in ms to 0.1. */
export const latencySummary = (samples: number[]) => ({
  n: samples.length,
  msP50: round(quantile(samples, 0.5)),
  msP95: round(quantile(samples, 0.95)),
  msMax: round(Math.max(...samples)),
});
export type LatencySummary = ReturnType<typeof latencySummary>;

/** A bench flag that must be a whole number of at least 1 (parseArgs gives strings). */
export function positiveFlag(values: Record<string, unknown>, flag: string): number {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} ${String(values[flag])}: expected a whole number of at least 1`);
  return n;
}
