/**
 * Every error `ramp server` answers with: `{ error, message, hint }` and the status that says
 * whose move it is. `apiErrorOf` is the one place where what went wrong (a bad request, a
 * credential, a workflow's refusal, Temporal or a worker not answering) becomes a status: from
 * the error's causes when Temporal's error is there, else from what RampTemporal said.
 */
import {
  ApplicationFailure,
  NamespaceNotFoundError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
} from '@temporalio/client';
import type { z } from 'zod';
import { UsageError, UserError } from '../src/errors.js';

/** The `error` field: a stable code per status. */
export const ErrorCode = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'refused',
  413: 'payload_too_large',
  429: 'rate_limited',
  500: 'internal',
  503: 'unavailable',
} as const;
export type ErrorStatus = keyof typeof ErrorCode;

/** The hint of an answer that has no hint of its own (the CLI leaves these out: they speak of the API). */
export const GENERIC_HINTS: Readonly<Record<ErrorStatus, string>> = {
  400: 'fix the request; /api/v1/openapi.json describes every route',
  401: 'send a valid bearer token (Authorization: Bearer <token>); `ramp login` gets one',
  403: 'ask whoever administers the pipeline for the permission, or leave the decision to someone who has it',
  404: 'check the id or name; GET /api/v1/promotions lists promotions',
  409: 'read the status again (GET /api/v1/promotions/{id}) and act on what it says now',
  413: 'send a smaller body',
  429: 'slow down; retry after the number of seconds in Retry-After',
  500: "this is a bug in ramp server; its log has the details (report it with the request's time)",
  503: "retry in a moment; the server's log says why Temporal or a worker did not answer",
};

export interface ErrorBody {
  error: string;
  message: string;
  hint: string;
}

/** An answer that is not a success, ready to send. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly hint: string;
  constructor(
    readonly status: ErrorStatus,
    message: string,
    options: { hint?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint ?? GENERIC_HINTS[status];
    this.headers = options.headers ?? {};
  }
  readonly headers: Record<string, string>;

  body(): ErrorBody {
    return { error: ErrorCode[this.status], message: this.message, hint: this.hint };
  }
}

/** A request that does not match its schema: every problem, by where it is, in one sentence. */
export function invalidRequest(where: 'body' | 'query' | 'path', issues: readonly z.core.$ZodIssue[]): ApiError {
  const described = issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join('.');
    const text = `${path === '' ? where : `${where}.${path}`}: ${issue.message}`;
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  });
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return new ApiError(400, `invalid request ${where}: ${described.join('; ')}${more}`);
}

/** What went wrong, as an ApiError; anything unrecognised is a 500 (a bug). */
export function apiErrorOf(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof Error && error.name === 'AuthenticationError') {
    const hint = (error as { hint?: unknown }).hint;
    return new ApiError(401, error.message, { ...(typeof hint === 'string' ? { hint } : {}), headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  if (error instanceof Error && error.name === 'IssuerUnavailableError') {
    // The OpenID Provider or its keys did not answer: not the caller's fault.
    return new ApiError(503, error.message, { hint: 'retry in a moment; the identity provider did not answer' });
  }
  if (error instanceof UsageError) return new ApiError(400, error.message);
  const status = statusFromCauses(error);
  if (status !== null) return new ApiError(status, publicMessage(status, error), { cause: error });
  if (error instanceof UserError) {
    const status = statusFromMessage(error.message);
    return new ApiError(status, publicMessage(status, error), { cause: error });
  }
  return new ApiError(500, 'ramp server failed on this request (a bug)', { cause: error });
}

/**
 * The status a chain of causes calls for (RampTemporal.explain keeps Temporal's error as the
 * cause of its UserError), or null when no cause says.
 */
export function statusFromCauses(error: unknown): ErrorStatus | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const current: Error = e;
    const is = (kind: abstract new (...args: never[]) => unknown): boolean => current instanceof kind;
    if (is(WorkflowUpdateFailedError)) return refusalStatus(current.cause);
    if (is(WorkflowExecutionAlreadyStartedError)) return 409;
    if (is(WorkflowUpdateRPCTimeoutOrCancelledError) || isGrpcDeadlineError(current)) return 503;
    if (is(NamespaceNotFoundError)) return 503;
    if (is(WorkflowNotFoundError)) return error instanceof UserError ? statusFromMessage(error.message, 404) : 404;
    if (isGrpcServiceError(current) && Number((current as { code?: unknown }).code) === GRPC_UNAVAILABLE) return 503;
  }
  return null;
}

/** A workflow's refusal: `Forbidden` (identity, permission) is 403, any other a state refusal, 409. */
function refusalStatus(failure: unknown): ErrorStatus {
  for (let e: unknown = failure; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type === 'Forbidden') return 403;
  }
  return 409;
}

/** How RampTemporal's and the CLI's own sentences map to statuses, first match wins. */
const MESSAGE_STATUSES: readonly [RegExp, ErrorStatus][] = [
  [/^cannot connect to Temporal\b/, 503],
  [/\bno worker (polls|answered)\b/, 503],
  [/^namespace \S+ does not exist\b/, 503],
  [/\b(has already finished|is no longer running|is already running|has no active stage|is at stage)\b/, 409],
  [/^no promotion\b|^no pipeline named\b|\bhas no stage\b|^nobody watches\b|\bdoes not watch for drift\b|^no stage of \S+ watches for drift\b/, 404],
];

/** The status for a UserError's sentence; `fallback` when none matches (a refusal, 409). */
export function statusFromMessage(message: string, fallback: ErrorStatus = 409): ErrorStatus {
  for (const [pattern, status] of MESSAGE_STATUSES) if (pattern.test(message)) return status;
  return fallback;
}

/**
 * The message a caller sees. Why Temporal cannot be reached (its address, TLS details) is for
 * the server's log, not for callers; everything else is the sentence as ramp wrote it.
 */
function publicMessage(status: ErrorStatus, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (status === 503 && /^cannot connect to Temporal\b/.test(message)) return 'ramp server cannot reach Temporal right now';
  return message;
}

/** grpc.status.UNAVAILABLE. */
const GRPC_UNAVAILABLE = 14;
