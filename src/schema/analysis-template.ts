/**
 * Analysis templates with Argo Rollouts' metric fields and defaults (DESIGN.md, "Analysis
 * semantics"): failureLimit 0, inconclusiveLimit 0, consecutiveErrorLimit 4, count 1.
 */
import { z } from 'zod';
import { Duration, Name } from './common.js';

const nonNegativeInt = (field: string) =>
  z.int({ error: `${field} is a whole number` }).min(0, { error: `${field} cannot be negative` });

const PrometheusProvider = z.strictObject({
  prometheus: z.strictObject({
    address: z
      .url({ protocol: /^https?$/, error: 'the Prometheus address is an http(s) URL, e.g. http://prometheus:9090' })
      .describe('Base URL of the Prometheus HTTP API.'),
    query: z.string().min(1).describe('PromQL, with {{args.name}} and {{ramp.*}} placeholders.'),
    timeout: Duration.prefault('30s').describe('Query timeout.'),
  }),
});

export const MetricProvider = z
  .union([PrometheusProvider])
  .transform(({ prometheus: { timeout, ...prometheus } }) => ({ kind: 'prometheus' as const, ...prometheus, timeoutMs: timeout }));

export const Metric = z
  .strictObject({
    name: Name,
    interval: Duration.optional().describe('Time between measurements; required when count > 1.'),
    initialDelay: Duration.prefault('0s').describe('Wait before the first measurement.'),
    count: z.int().min(1, { error: 'count is at least 1' }).default(1).describe('Number of measurements.'),
    successCondition: z.string().min(1).optional().describe('CEL over `result`; the measurement fails unless it holds.'),
    failureCondition: z.string().min(1).optional().describe('CEL over `result`; the measurement fails when it holds.'),
    failureLimit: nonNegativeInt('failureLimit').default(0).describe('Failed measurements tolerated.'),
    inconclusiveLimit: nonNegativeInt('inconclusiveLimit').default(0).describe('Inconclusive measurements tolerated.'),
    consecutiveErrorLimit: nonNegativeInt('consecutiveErrorLimit').default(4).describe('Consecutive errors tolerated.'),
    dryRun: z.boolean().default(false).describe('Measure and show, but never decide.'),
    provider: MetricProvider,
  })
  .transform(({ interval, initialDelay, ...metric }) => ({ ...metric, intervalMs: interval ?? null, initialDelayMs: initialDelay }));

export const TemplateArg = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { error: 'an arg name is a word: letters, digits, _ and -' }),
  value: z.string({ error: 'a default value is a string; quote numbers ("0.95")' }).optional().describe('Default value; without it, every analysis step using the template must pass the arg.'),
});

export const AnalysisTemplate = z.strictObject({
  name: Name,
  args: z.array(TemplateArg).default([]),
  metrics: z.array(Metric).min(1, { error: 'a template measures at least one metric' }),
});
