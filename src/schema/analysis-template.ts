/**
 * Analysis templates with Argo Rollouts' metric fields and defaults (DESIGN.md, "Analysis
 * semantics"): failureLimit 0, inconclusiveLimit 0, consecutiveErrorLimit 4, count 1.
 */
import { z } from 'zod';
import { Delay, Duration, Name } from './common.js';

const nonNegativeInt = (field: string) => z.int({ error: `${field} is a whole number` }).min(0, { error: `${field} cannot be negative` });

const PrometheusAddress = z
  .url({ protocol: /^https?$/, error: 'the Prometheus address is an http(s) URL, e.g. http://prometheus:9090' })
  .describe('Base URL of the Prometheus HTTP API.');

/** A request header whose value is a worker-side secret (`Authorization` → `Bearer ...`). */
const SecretHeader = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'a header name is letters, digits and -' }),
  secretRef: z.string().min(1).describe('Name of a secret on the worker holding the header value; never the value itself.'),
});

const PrometheusProvider = z.strictObject({
  prometheus: z.strictObject({
    address: PrometheusAddress,
    query: z.string().min(1).describe('PromQL, with {{args.name}} and {{ramp.*}} placeholders.'),
    timeout: Duration.prefault('30s').describe('Query timeout.'),
    headers: z.array(SecretHeader).default([]).describe('Headers sent with every query, values from worker-side secrets.'),
  }),
});

export const MetricProvider = z
  .union([PrometheusProvider])
  .transform(({ prometheus: { timeout, ...prometheus } }) => ({ kind: 'prometheus' as const, ...prometheus, timeoutMs: timeout }));

/** A range query for the judge: one side (baseline or canary) of a judged metric. */
const JudgeQuery = z
  .union([
    z.strictObject({
      prometheus: z.strictObject({
        address: PrometheusAddress,
        query: z.string().min(1).describe('PromQL; its first series is the sample, one value per step.'),
        headers: z.array(SecretHeader).default([]),
      }),
    }),
  ])
  .transform(({ prometheus }) => ({ kind: 'prometheus' as const, ...prometheus }));

const effectBound = (what: string) => z.number().positive().optional().describe(what);

/** One metric of a Kayenta-style judgement (docs/judge.md has the rules and defaults). */
export const JudgeMetric = z
  .strictObject({
    name: Name,
    groups: z.array(z.string().min(1)).default([]).describe('Scoring groups; see judge.groupWeights.'),
    direction: z.enum(['increase', 'decrease', 'either']).default('either').describe('Which change is bad: a higher, a lower, or either canary value.'),
    nanStrategy: z.enum(['remove', 'replace']).default('remove').describe('remove NaN samples, or replace them with 0.'),
    outliers: z
      .strictObject({
        strategy: z.enum(['remove', 'none']).default('none'),
        factor: z.number().positive().default(3).describe('IQR fence factor.'),
      })
      .prefault({}),
    critical: z.boolean().default(false).describe('A critical metric that does not pass fails the whole judgement.'),
    mustHaveData: z.boolean().default(false).describe('Missing data fails this metric instead of leaving it out.'),
    effectSize: z
      .strictObject({
        measure: z.enum(['meanRatio', 'cles']).default('meanRatio'),
        allowedIncrease: effectBound('High only when the effect is at least this (default 1.0; 0.5 for cles).'),
        allowedDecrease: effectBound('Low only when the effect is at most this (default 1.0; 0.5 for cles).'),
        criticalIncrease: effectBound('Critical when High with an effect at least this.'),
        criticalDecrease: effectBound('Critical when Low with an effect at most this.'),
      })
      .prefault({}),
    baseline: JudgeQuery.describe('The baseline (or stable) samples.'),
    canary: JudgeQuery.describe('The canary samples.'),
  })
  .transform(({ effectSize, ...metric }) => ({
    ...metric,
    effectSize: {
      measure: effectSize.measure,
      allowedIncrease: effectSize.allowedIncrease ?? null,
      allowedDecrease: effectSize.allowedDecrease ?? null,
      criticalIncrease: effectSize.criticalIncrease ?? null,
      criticalDecrease: effectSize.criticalDecrease ?? null,
    },
  }));

const score = (what: string, fallback: number) =>
  z.number().min(0, { error: 'a score threshold is from 0 to 100' }).max(100, { error: 'a score threshold is from 0 to 100' }).default(fallback).describe(what);

/** Canary vs baseline, judged statistically over Prometheus range data (Kayenta's NetflixACAJudge). */
export const Judge = z
  .strictObject({
    interval: Duration.optional().describe('Time between judgements; required when count > 1.'),
    count: z
      .int()
      .min(1, { error: 'count is at least 1' })
      .default(1)
      .describe('Number of judgements; every one must score at least marginal, the last at least pass.'),
    lookback: Duration.describe('How far back each judgement reads (a sliding window).'),
    step: Duration.prefault('15s').describe('Query resolution: one sample per step.'),
    thresholds: z
      .strictObject({
        pass: score('Score to pass.', 95),
        marginal: score('Score below which the judgement fails; between marginal and pass a human decides.', 75),
      })
      .prefault({}),
    groupWeights: z
      .record(z.string().min(1), z.number().min(0))
      .default({})
      .describe('Weight of each group in the score (unweighted groups share the rest of 100).'),
    metrics: z.array(JudgeMetric).min(1, { error: 'a judge compares at least one metric' }),
  })
  .transform(({ interval, lookback, step, ...judge }) => ({ ...judge, intervalMs: interval ?? null, lookbackMs: lookback, stepMs: step }));

export const Metric = z
  .strictObject({
    name: Name,
    interval: Duration.optional().describe('Time between measurements; required when count > 1.'),
    initialDelay: Delay.prefault('0s').describe('Wait before the first measurement.'),
    count: z.int().min(1, { error: 'count is at least 1' }).default(1).describe('Number of measurements.'),
    successCondition: z.string().min(1).optional().describe('CEL over `result`; the measurement fails unless it holds.'),
    failureCondition: z.string().min(1).optional().describe('CEL over `result`; the measurement fails when it holds.'),
    failureLimit: z
      .int({ error: 'failureLimit is a whole number' })
      .min(-1, { error: 'failureLimit is at least -1 (which disables it)' })
      .default(0)
      .describe('Failed measurements tolerated; -1 never fails on failures.'),
    inconclusiveLimit: nonNegativeInt('inconclusiveLimit').default(0).describe('Inconclusive measurements tolerated.'),
    consecutiveErrorLimit: nonNegativeInt('consecutiveErrorLimit').default(4).describe('Consecutive errors tolerated.'),
    consecutiveSuccessLimit: nonNegativeInt('consecutiveSuccessLimit')
      .default(0)
      .describe(
        'Successful as soon as this many measurements in a row succeed; 0: off. When count is reached first: Failed, or Inconclusive when failureLimit also applies.',
      ),
    dryRun: z.boolean().default(false).describe('Measure and show, but never decide.'),
    provider: MetricProvider,
  })
  .transform(({ interval, initialDelay, ...metric }) => ({ ...metric, intervalMs: interval ?? null, initialDelayMs: initialDelay }));

export const TemplateArg = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { error: 'an arg name is a word: letters, digits, _ and -' }),
  value: z
    .string({ error: 'a default value is a string; quote numbers ("0.95")' })
    .optional()
    .describe('Default value; without it, every analysis step using the template must pass the arg.'),
});

export const AnalysisTemplate = z
  .strictObject({
    name: Name,
    args: z.array(TemplateArg).default([]),
    metrics: z.array(Metric).default([]).describe('Threshold metrics (Argo Rollouts semantics).'),
    judge: Judge.optional().describe('A statistical canary-vs-baseline judgement (Kayenta semantics).'),
  })
  .transform(({ judge, ...template }) => ({ ...template, judge: judge ?? null }));
