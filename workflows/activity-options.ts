/** Named timeout and retry presets for the activities workflows call. */
import type { ActivityOptions } from '@temporalio/workflow';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../src/domain/failure-types.js';

/** Git writes: short, retried a few times; conflicts and bad manifests are not retried. */
export const gitWrite: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  // The Git activities heartbeat every second: a dead worker is noticed in seconds.
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
  },
};

/** Rollback: tries much longer, since giving up leaves the environment on a failed release. */
export const gitRollback: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 30,
    nonRetryableErrorTypes: [FailureType.GitConflict, FailureType.HistoryRewritten],
  },
};

/** Before a promotion touches anything: is the repository there? A few quick tries. */
export const preflight: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES] },
};

/** Reads and lookups. */
export const quick: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
};

/**
 * One measurement: the activity reports query problems as Error measurements instead of
 * failing, so retries here only cover a worker lost mid-query.
 */
export const measurement: ActivityOptions = {
  // Above any sensible query timeout (default 30 s); the provider enforces the metric's own.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
};

/** One webhook call; the activity retries the hook itself (its `retries`) and reports the answer as data. */
export const webhook: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
};

/** Notifications never hold a promotion up for long. */
export const notification: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
};
