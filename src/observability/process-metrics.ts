/**
 * What every ramp process exports about itself (docs/metrics.md): Node's default metrics
 * (process_*, nodejs_*: CPU, memory, event loop lag, GC) and ramp_build_info. Registered once per
 * process: a worker and a server in one process (ramp dev, tests) share the registry.
 */
import { collectDefaultMetrics } from 'prom-client';
import { labelValue } from './record-fact.js';
import { rampMetric, rampRegistry } from './registry.js';

/** A metric collectDefaultMetrics registers: present once they are. */
const DEFAULT_METRIC = 'process_cpu_user_seconds_total';

/** Registers the default metrics (once) and sets ramp_build_info{component,version,node} 1. */
export function installProcessMetrics(component: 'worker' | 'server', version: string): void {
  if (rampRegistry.getSingleMetric(DEFAULT_METRIC) === undefined) collectDefaultMetrics({ register: rampRegistry });
  rampMetric('ramp_build_info').set({ component, version: labelValue(version), node: process.version }, 1);
}
