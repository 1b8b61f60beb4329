// Harness smoke workflow: one activity, a query and an update with a validator. It exists so the
// test stack (dev server, worker, bundle) can be checked end to end; it is not part of a pipeline,
// and only test workers register it (workflows.ts here, test/support/test-worker.ts).
import { allHandlersFinished, condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { SmokeActivities, SmokeGreeting } from './activities.js';

const { smokeGreet } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '30 seconds' });

export interface SmokeState {
  greeting?: SmokeGreeting;
  releasedBy?: string;
}

export interface SmokeInput {
  name: string;
  /** Wait for the `smokeRelease` update before completing. */
  waitForRelease: boolean;
}

export const smokeStateQuery = defineQuery<SmokeState>('smokeState');
/** Completes the workflow; returns the greeting. Rejected (validator) without a non-empty name. */
export const smokeReleaseUpdate = defineUpdate<string, [releasedBy: string]>('smokeRelease');

export async function smokeWorkflow(input: SmokeInput): Promise<SmokeState> {
  const state: SmokeState = {};
  setHandler(smokeStateQuery, () => state);
  setHandler(
    smokeReleaseUpdate,
    async (releasedBy) => {
      await condition(() => state.greeting !== undefined);
      state.releasedBy = releasedBy;
      return state.greeting!.greeting;
    },
    {
      validator: (releasedBy: string) => {
        if (releasedBy.trim() === '') throw new Error('releasedBy must not be empty');
        if (state.releasedBy !== undefined) throw new Error(`already released by ${state.releasedBy}`);
      },
    },
  );
  state.greeting = await smokeGreet(input.name);
  if (input.waitForRelease) await condition(() => state.releasedBy !== undefined);
  await condition(allHandlersFinished);
  return state;
}
