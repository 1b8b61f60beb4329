/**
 * The server's log: one JSON object per line. A request's line has its method, path (never
 * the query string), status, duration and the caller's subject; never a header's value. Every
 * line goes through the one redaction (src/providers/redact.ts) with the request's credential,
 * so a token that a caller put in a path or that an error echoed is masked too.
 */
import { redactSecrets } from '../src/providers/redact.js';

export interface ServerLogger {
  /** One event: written as a JSON line. */
  info(event: Record<string, unknown>): void;
  error(event: Record<string, unknown>): void;
}

/** JSON lines on stdout (info) and stderr (errors). */
export function jsonLogger(write: { stdout: (line: string) => void; stderr: (line: string) => void }): ServerLogger {
  const line = (level: string, event: Record<string, unknown>) => `${JSON.stringify({ at: new Date().toISOString(), level, ...event })}\n`;
  return {
    info: (event) => write.stdout(line('info', event)),
    error: (event) => write.stderr(line('error', event)),
  };
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The authenticated caller's subject, or null. */
  actor: string | null;
  /** The error code of a failed request. */
  error?: string;
}

/** The request's log event, with every form of `credential` (the Authorization header) masked. */
export function requestEvent(entry: RequestLogEntry, credential: string | undefined): Record<string, unknown> {
  const secrets = credential ? [credential] : [];
  const clean = (text: string) => redactSecrets(text, secrets);
  return {
    msg: 'request',
    method: entry.method,
    path: clean(entry.path),
    status: entry.status,
    ms: Math.round(entry.ms * 10) / 10,
    actor: entry.actor === null ? null : clean(entry.actor),
    ...(entry.error ? { error: entry.error } : {}),
  };
}

/** An error's message and stack for the log, credential masked. */
export function errorEvent(what: string, error: unknown, credential: string | undefined): Record<string, unknown> {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { msg: what, error: redactSecrets(text, credential ? [credential] : []) };
}
