/**
 * Workflows report what happened to the worker's metrics through the `ramp` sink
 * (docs/metrics.md): `observe(fact)` is a no-op command-wise (nothing in the history), is not
 * called during replay, and never fails the workflow. The worker records the fact
 * (src/observability/record-fact.ts, wired in worker/start.ts).
 */
import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { DeliveryFact } from '../src/observability/facts.js';

export interface RampSinks extends Sinks {
  ramp: {
    observe(fact: DeliveryFact): void;
  };
}

const { ramp } = proxySinks<RampSinks>();

/** Reports a fact to the worker's metrics. */
export function observe(fact: DeliveryFact): void {
  ramp.observe(fact);
}
