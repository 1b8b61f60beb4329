/** Field schemas shared across the pipeline spec. */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../domain/duration.js';
import { NAME_MAX_LENGTH, NAME_PATTERN } from '../domain/names.js';

/** A lower-case DNS-1123 label: pipeline, stage, template and metric names. */
export const Name = z
  .string()
  .max(NAME_MAX_LENGTH, { error: `names are at most ${NAME_MAX_LENGTH} characters` })
  .regex(new RegExp(NAME_PATTERN), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a valid name. Use lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. web-canary)`,
  });

/** A duration string, normalised to milliseconds. */
export const Duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), {
    error: (issue) => {
      const result = parseDuration(String(issue.input));
      return result.ok ? 'invalid duration' : result.error;
    },
  })
  .transform((text) => {
    const parsed = parseDuration(text);
    return parsed.ok ? parsed.ms : 0;
  })
  .describe('A duration: 500ms, 30s, 5m, 2h, 1d, or combined largest first (1h30m).');

/** A path inside the GitOps repository, relative to its root or to the stage's path. */
export const RelativePath = z
  .string()
  .min(1, { error: 'the path is empty' })
  .refine((path) => !path.startsWith('/') && !path.split('/').includes('..'), {
    error: (issue) => `${JSON.stringify(issue.input)} must stay inside the repository. Write a relative path without '..'`,
  });
