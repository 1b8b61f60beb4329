/**
 * Every metric provider, keyed by the provider kind it handles. Adding a kind to the schema
 * without a provider here is a type error.
 */
import type { MetricProvider, MetricProviderSpec } from './metric-provider.js';
import { createPrometheusProvider, type PrometheusDeps, type PrometheusProvider } from './prometheus.js';

export type MetricProviders = { [K in MetricProviderSpec['kind']]: MetricProvider<Extract<MetricProviderSpec, { kind: K }>> } & {
  /** Also answers the judge's range queries. */
  prometheus: PrometheusProvider;
};

export type MetricProviderDeps = PrometheusDeps;

/** The providers of a worker, over its HTTP client and secret resolver. */
export function createMetricProviders(deps: MetricProviderDeps = {}): MetricProviders {
  return { prometheus: createPrometheusProvider(deps) };
}

export function metricProviderFor<P extends MetricProviderSpec>(spec: P, providers: MetricProviders): MetricProvider<P> | undefined {
  return (providers as Partial<Record<string, MetricProvider<P>>>)[spec.kind];
}
