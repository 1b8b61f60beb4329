/**
 * The `ramp` sink every worker that runs ramp's workflows registers (worker/start.ts, the test
 * harness's workers, bench/): workflows' `observe(fact)` (workflows/observe.ts) lands in
 * recordFact. Not called during replay, so a replayed history does not count its facts again.
 */
import type { InjectedSinks } from '@temporalio/worker';
import type { RampSinks } from '../../workflows/observe.js';
import { recordFact } from './record-fact.js';

export function rampSinks(): InjectedSinks<RampSinks> {
  return {
    ramp: {
      observe: { fn: (_info, fact) => recordFact(fact), callDuringReplay: false },
    },
  };
}
