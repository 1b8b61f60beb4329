/**
 * Temporal's gRPC retry, made safe to close under.
 *
 * `@temporalio/client` retries a failed call (UNAVAILABLE and the like) from a `setTimeout`, and
 * `Connection.close()` does not clear that timer: a retry that fires after the close throws
 * "Channel has been shut down" inside the timer, an uncaught exception (seen at the shutdown of
 * `ramp server` while its live pages were reading; also vinceblank/agent-tempo#624). Every
 * `Connection` ramp opens uses it: the CLI's and the server's (connection.ts), the worker's client. This is the
 * SDK's own interceptor with its own defaults, which retries nothing once closing has begun, and
 * knows until when a retry already scheduled may still fire, so that `close()` waits for it.
 */
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

type Interceptor = ReturnType<typeof makeGrpcRetryInterceptor>;

export interface ClosableRetry {
  interceptor: Interceptor;
  /** Stops new retries; resolves once no retry scheduled before can still fire. Then close the connection. */
  quiesce(): Promise<void>;
}

export function closableRetry(): ClosableRetry {
  const defaults = defaultGrpcRetryOptions();
  let closing = false;
  /** The latest time a scheduled retry fires. */
  let pendingUntil = 0;
  const interceptor = makeGrpcRetryInterceptor({
    ...defaults,
    retryableDecider: (attempt, status) => !closing && defaults.retryableDecider(attempt, status),
    delayFunction: (attempt, status) => {
      const ms = defaults.delayFunction(attempt, status);
      pendingUntil = Math.max(pendingUntil, Date.now() + ms);
      return ms;
    },
  });
  return {
    interceptor,
    async quiesce() {
      closing = true;
      // The retry that fires then starts its call on the open channel; that call's outcome is final.
      const wait = pendingUntil - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 20));
    },
  };
}
