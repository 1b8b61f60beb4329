/**
 * Reads variables of the schema (variables.ts) from an environment, once, into a typed object.
 * Every problem is reported at once, each naming the variable, its value (never a secret's)
 * and what is expected.
 */
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { metaOf } from './variables.js';

type Shape = Record<string, z.ZodType>;
export type Environment = Readonly<Record<string, string | undefined>>;

/** A value longer than this is shown cut, with its length. */
const MAX_SHOWN = 120;

/**
 * The variables of `shape` from `env`, parsed, defaults applied. A variable that is unset,
 * empty or only whitespace takes its default. Throws a UsageError listing every invalid one.
 */
export function parseSettings<S extends Shape>(shape: S, env: Environment): z.output<z.ZodObject<S>> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    const text = env[name]?.trim();
    const result = schema.safeParse(text === '' ? undefined : text);
    if (result.success) values[name] = result.data;
    else problems.push(describeProblem(name, text ?? '', schema));
  }
  if (problems.length > 0) {
    const s = problems.length === 1 ? '' : 's';
    throw new UsageError(
      `invalid setting${s} in the environment:\n${problems.map((p) => `  ${p}`).join('\n')}\nFix or unset ${problems.length === 1 ? 'it' : 'them'}; docs/settings.md lists every variable (\`ramp worker --help\`: the worker's)`,
    );
  }
  return values as z.output<z.ZodObject<S>>;
}

/** `RAMP_LOG_LEVEL="verbose": expected one of TRACE, DEBUG, INFO, WARN, ERROR (the worker's log level)`. */
export function describeProblem(name: string, value: string, schema: z.ZodType): string {
  const meta = metaOf(schema);
  return `${name}=${shown(value, meta.secret === true)}: expected ${meta.expected} (${meta.description})`;
}

/** A value as messages show it: quoted and cut when long; a secret only by its length. */
export function shown(value: string, secret: boolean): string {
  if (secret) return `<redacted, ${value.length} characters>`;
  if (value.length <= MAX_SHOWN) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, MAX_SHOWN))}… (${value.length} characters)`;
}
