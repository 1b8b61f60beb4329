/**
 * The canary judge's cost: `judge()` on one metric with 1,000 baseline and 1,000 canary samples
 * (log-normal latencies, the canary 2 % slower, outlier removal on), timed over 30 runs after 3
 * warm-up runs; the median, since the machine is shared. `npm run bench` calls benchJudge();
 * `tsx bench/judge.ts` prints it on its own.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { judge, OutlierStrategy, type JudgeConfig, type MetricSamples } from '../src/domain/judge/index.js';
import { median } from './stats.js';

export interface JudgeBench {
  /** Median wall time of one judge() call, ms. */
  msMedian: number;
  msMin: number;
  msMax: number;
  runs: number;
  samplesPerSide: number;
}

/** Deterministic log-normal samples (an LCG and Box-Muller): the same input on every run. */
function latencies(n: number, median: number, sigma: number, seed: number): number[] {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  return Array.from({ length: n }, () => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())));
}

export function benchJudge(options: { runs?: number; samplesPerSide?: number } = {}): JudgeBench {
  const runs = options.runs ?? 30;
  const n = options.samplesPerSide ?? 1000;
  const config: JudgeConfig = { metrics: [{ name: 'latency', direction: 'increase', outliers: { strategy: OutlierStrategy.Remove } }] };
  const samples: Record<string, MetricSamples> = {
    latency: { baseline: latencies(n, 120, 0.3, 1), canary: latencies(n, 120 * 1.02, 0.3, 2) },
  };
  for (let i = 0; i < 3; i++) judge(config, samples);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    judge(config, samples);
    times.push(performance.now() - start);
  }
  const ms = (x: number): number => Math.round(x * 100) / 100;
  return { msMedian: ms(median(times)), msMin: ms(Math.min(...times)), msMax: ms(Math.max(...times)), runs, samplesPerSide: n };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(benchJudge()));
}
