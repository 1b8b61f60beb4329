// A real Prometheus for tests (scripts/lib/prometheus.ts), killed with the test process even
// when it is interrupted.
import { startPrometheus as start, type PrometheusOptions, type TestPrometheus } from '../../scripts/lib/prometheus.js';
import { cleanupOnSignal, killOnExit } from './reaper.js';

export type { PrometheusOptions, Sample, TestPrometheus } from '../../scripts/lib/prometheus.js';

/** Starts Prometheus (bounded wait for /-/ready). Stop it with `stop()` in `after()`. */
export function startPrometheus(options: PrometheusOptions): Promise<TestPrometheus> {
  return start(options, (child, stop) => {
    killOnExit(child);
    return cleanupOnSignal(stop);
  });
}
