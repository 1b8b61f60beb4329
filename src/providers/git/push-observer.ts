/**
 * Who hears about the push loop's retries (src/providers/git/push-retry.ts): the Git activity
 * that runs a write (activities/git.ts) listens for the duration of it, so that a retry is
 * counted against the activity's pipeline without the repository knowing about metrics.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface PushObserver {
  /** A push was stale (the branch moved): the work is brought up to date and pushed again. */
  retried(): void;
}

const listening = new AsyncLocalStorage<PushObserver>();

/** Runs `operation` with `observer` hearing about the push retries made inside it. */
export function observingPushes<T>(observer: PushObserver, operation: () => Promise<T>): Promise<T> {
  return listening.run(observer, operation);
}

/** The observer of the write in progress, if any. */
export function pushObserver(): PushObserver | undefined {
  return listening.getStore();
}
