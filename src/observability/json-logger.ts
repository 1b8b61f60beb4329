/**
 * The worker's structured logs (docs/worker.md#logs): Temporal's Logger writing one JSON object a
 * line, `{"at","level","msg","promotion","pipeline","stage","step",…meta}`, the context derived by
 * logContext (src/observability/log-context.ts) on every line that concerns a promotion or a
 * stage. Every line goes through the one redaction (src/providers/redact.ts): URL userinfo and
 * every form of the worker's secrets are masked, wherever in the line they are.
 *
 * `RAMP_LOG_FORMAT=text` keeps the SDK's DefaultLogger (`ramp dev` always does).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { redactorFor } from '../providers/redact.js';
import type { SecretSource } from '../providers/secrets.js';
import { logContext } from './log-context.js';

export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Keys of the line itself: metadata with these names (other than the context itself) is kept under `meta.<name>`. */
const OWN_KEYS = new Set(['at', 'level', 'msg', 'promotion', 'pipeline', 'stage', 'step']);

/** The SDK's activity task token: a long capability (it completes the activity), of no use in a log. */
const LEFT_OUT = new Set(['taskToken']);

/** One log entry as its JSON line (no newline), unredacted. */
export function jsonLine(entry: LogEntry): string {
  const meta = entry.meta ?? {};
  const line: Record<string, unknown> = {
    at: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    msg: entry.message,
    ...logContext(meta),
  };
  const clashes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (LEFT_OUT.has(key)) continue;
    if (!OWN_KEYS.has(key)) line[key] = value;
    // `promotion`, `stage`, `step` given by the caller are the context already.
    else if (line[key] !== (typeof value === 'number' ? String(value) : value)) clashes[key] = value;
  }
  if (Object.keys(clashes).length > 0) line.meta = clashes;
  return safeStringify(line);
}

export interface JsonLoggerOptions {
  /** Where lines go, newline included. @default process.stderr (as DefaultLogger) */
  write?: (line: string) => void;
  /** The one redaction, applied to every whole line. @default URL userinfo only */
  redact?: (text: string) => string;
}

/** A Temporal Logger writing JSON lines at `level` and above. */
export function jsonLogger(level: LogLevel, options: JsonLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const redact = options.redact ?? redactorFor([]);
  return new DefaultLogger(level, (entry) => write(`${redact(jsonLine(entry))}\n`));
}

/** The worker's logger for RAMP_LOG_FORMAT and RAMP_LOG_LEVEL, redacting the worker's secrets. */
export function workerLogger(settings: { logFormat: LogFormat; logLevel: LogLevel; secrets: SecretSource }): Logger {
  if (settings.logFormat === 'text') return new DefaultLogger(settings.logLevel);
  return jsonLogger(settings.logLevel, { redact: redactorFor(knownSecretValues(settings.secrets)) });
}

/**
 * The values of the secrets the worker has at start: RAMP_SECRET_* and the files of
 * RAMP_SECRETS_DIR (read once; a secret added later is masked by the providers' own redaction).
 */
export function knownSecretValues(source: SecretSource): string[] {
  const values = Object.entries(source.env)
    .filter(([name]) => name.startsWith('RAMP_SECRET_'))
    .map(([, value]) => value?.trim() ?? '');
  const dir = source.secretsDir ?? source.env.RAMP_SECRETS_DIR;
  if (dir) {
    try {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (name.startsWith('.') || !statSync(file).isFile() || statSync(file).size > 65_536) continue;
        values.push(readFileSync(file, 'utf8').trim());
      }
    } catch {
      // No directory (yet): nothing to mask from it.
    }
  }
  return values.filter((v) => v !== '');
}

/** JSON.stringify for log metadata: errors with their message and stack, bigints as text, an object met again (a cycle) as [repeated]. */
function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return { name: v.name, message: v.message, ...(v.stack ? { stack: v.stack } : {}) };
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[repeated]';
      seen.add(v);
    }
    return v;
  });
}

export type { LogMetadata };
