// Test-only workflow: reports the given facts through the `ramp` sink (workflows/observe.ts), so
// a test can check the wiring from a workflow to a real worker's /metrics (test/e2e/metrics.test.ts)
// without depending on which facts ramp's own workflows report.
import type { DeliveryFact } from '../../../src/observability/facts.js';
import { observe } from '../../../workflows/observe.js';

/** Reports every fact, in order; returns how many. */
export function observeWorkflow(facts: DeliveryFact[]): Promise<number> {
  for (const fact of facts) observe(fact);
  return Promise.resolve(facts.length);
}
