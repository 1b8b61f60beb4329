/**
 * The one push loop of the GitOps repository: push; when others pushed meanwhile (the remote
 * says the push is stale), bring the new work up to date with theirs and try again, a bounded
 * number of times with a short random pause. Stage commits rebase (gitops-repository.ts);
 * appends to another branch (side-branch.ts) rebuild their commit on the new tip.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { RepositoryUnavailableError } from './errors.js';
import { pushObserver } from './push-observer.js';

export interface PushRetry {
  attempts: number;
  /** For the message when every attempt was stale: `the commit "…"`. */
  what: string;
  displayUrl: string;
  branch: string;
  /** Pushes; rejects with git's error. */
  push: (attempt: number) => Promise<void>;
  /** After a stale push: fetch and redo the work on top of the remote's. */
  refresh: (attempt: number) => Promise<void>;
  /** Any other push failure, as the error to throw. */
  unavailable: (err: unknown) => Error;
}

export async function pushRetrying(p: PushRetry): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await p.push(attempt);
      return;
    } catch (err) {
      if (!isStalePush(err)) throw p.unavailable(err);
      if (attempt >= p.attempts) {
        throw new RepositoryUnavailableError(
          `cannot push ${p.what} to ${p.displayUrl} (branch ${p.branch}): the branch moved on each of ${attempt} attempts. ` +
            'Others push to it very often; the push will be tried again',
        );
      }
      pushObserver()?.retried();
      await p.refresh(attempt);
      await delay(25 * attempt + Math.floor(Math.random() * 75));
    }
  }
}

export function isStalePush(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  // Another push created or moved the branch meanwhile ("cannot lock ref …: reference already exists", "… is at X but expected Y").
  return /\[rejected\].*\((fetch first|non-fast-forward)\)|\[remote rejected\].*(cannot lock ref|incorrect old value)|cannot lock ref '[^']*': (reference already exists|is at [0-9a-f]+ but expected [0-9a-f]+)/.test(
    text,
  );
}
