/**
 * Long activities heartbeat every second while they run, so that a worker that dies mid-way is
 * noticed within the heartbeat timeout (not the whole start-to-close timeout), and so that a
 * cancellation reaches them. Errors are turned into ApplicationFailures by `toFailure`.
 */
import { Context } from '@temporalio/activity';

export const HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * Runs `operation` heartbeating; `report(details)` sets what each heartbeat carries (e.g. what
 * a wait is waiting for). A rejection is passed through `toFailure`.
 */
export async function heartbeating<T>(operation: (report: (details: string) => void) => Promise<T>, toFailure: (err: unknown) => unknown): Promise<T> {
  const context = Context.current();
  let details: string | undefined;
  const beat = setInterval(() => context.heartbeat(details), HEARTBEAT_INTERVAL_MS);
  try {
    return await operation((d) => (details = d));
  } catch (err) {
    throw toFailure(err);
  } finally {
    clearInterval(beat);
  }
}
