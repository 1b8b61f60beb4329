/** Field schemas shared across the pipeline spec. */
import { posix } from 'node:path';
import { z } from 'zod';
import { DURATION_PATTERN, MAX_DURATION_MS, formatDuration, parseDuration } from '../domain/duration.js';
import { NAME_MAX_LENGTH, NAME_PATTERN } from '../domain/names.js';
import { quote } from './messages.js';

/** A lower-case DNS-1123 label: pipeline, stage, template and metric names. */
export const Name = z
  .string()
  .max(NAME_MAX_LENGTH, { error: `names are at most ${NAME_MAX_LENGTH} characters`, abort: true })
  .regex(new RegExp(NAME_PATTERN), {
    error: (issue) =>
      `${quote(String(issue.input))} is not a valid name. Use lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. web-canary)`,
  });

const DURATION_HINT = 'Write a number with a unit: 500ms, 30s, 5m, 2h, 1d, or combine them largest first (1h30m)';

/** A duration string, normalised to milliseconds, from `min` ms to a year. */
function duration(min: 0 | 1) {
  return z
    .string()
    .regex(new RegExp(DURATION_PATTERN), {
      error: (issue) => {
        const result = parseDuration(String(issue.input));
        return result.ok ? `${quote(String(issue.input))} is not a duration. ${DURATION_HINT}` : result.error;
      },
    })
    .transform((text, ctx) => {
      const parsed = parseDuration(text);
      const problem = !parsed.ok
        ? parsed.error
        : parsed.ms < min
          ? `${quote(text)} is no time at all, and this needs a positive duration. ${DURATION_HINT}`
          : parsed.ms > MAX_DURATION_MS
            ? `${quote(text)} is longer than a pipeline may wait (${formatDuration(MAX_DURATION_MS)}). Write a shorter duration`
            : undefined;
      if (problem === undefined && parsed.ok) return parsed.ms;
      ctx.issues.push({ code: 'custom', message: problem ?? 'invalid duration', input: text, params: { code: 'invalid-duration' } });
      return z.NEVER;
    })
    .describe(`A ${min === 1 ? 'positive ' : ''}duration: 500ms, 30s, 5m, 2h, 1d, or combined largest first (1h30m); at most 365d.`);
}

/** A positive duration (a timeout, an interval, a pause), normalised to milliseconds. */
export const Duration = duration(1);

/** A duration that may be zero (a delay), normalised to milliseconds. */
export const Delay = duration(0);

/**
 * A path inside the GitOps repository, relative to its root or to the stage's path, normalised
 * (`./envs//preview/` is `envs/preview`) so that two spellings of one path compare equal.
 */
export const RelativePath = z
  .string()
  .min(1, { error: 'the path is empty' })
  .max(4096, { error: 'a path is at most 4096 characters', abort: true })
  .refine((path) => !path.includes('\\') && ![...path].some((c) => c < ' '), {
    error: (issue) => `${quote(String(issue.input))} holds a backslash or a control character. Write a relative path with '/' between its parts`,
    abort: true,
  })
  .refine((path) => !path.startsWith('/') && !/^[A-Za-z]:/.test(path) && !path.split('/').includes('..'), {
    error: (issue) => `${quote(String(issue.input))} must stay inside the repository. Write a relative path without '..'`,
    abort: true,
  })
  .transform((path) => posix.normalize(path).replace(/\/+$/, '') || '.');
