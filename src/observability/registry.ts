/**
 * The one prom-client registry of a ramp process (worker or server), with every metric of the
 * catalog (src/observability/catalog.ts) made once. `/metrics` on the worker and the server
 * serves it (docs/metrics.md). Activities and the fact recorder look metrics up by name here.
 */
import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import { METRICS, type MetricName } from './catalog.js';

export const rampRegistry = new Registry();

const made = new Map<string, Metric>();
for (const definition of METRICS) {
  const common = { name: definition.name, help: definition.help, labelNames: [...definition.labels], registers: [rampRegistry] };
  const metric =
    definition.type === 'counter'
      ? new Counter(common)
      : definition.type === 'gauge'
        ? new Gauge(common)
        : new Histogram({ ...common, buckets: [...(('buckets' in definition ? definition.buckets : undefined) ?? [])] });
  made.set(definition.name, metric);
}

type Kind<N extends MetricName> = Extract<(typeof METRICS)[number], { name: N }>['type'];
type MetricOf<N extends MetricName> = Kind<N> extends 'counter' ? Counter : Kind<N> extends 'gauge' ? Gauge : Histogram;

/** The catalog's metric `name` in this process's registry. */
export function rampMetric<N extends MetricName>(name: N): MetricOf<N> {
  return made.get(name) as MetricOf<N>;
}
