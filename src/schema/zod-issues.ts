/**
 * Turns zod's issues into ramp's: one message per problem, in the author's words, with the
 * field path of the offending node and a hint taken from the schema where zod gives none.
 */
import type { core } from 'zod';
import { DURATION_PATTERN } from '../domain/duration.js';
import { describeField, knownFields, schemasAt } from './json-schema.js';
import { error, type IssuePath, type SpecIssue } from './issue.js';
import { guessName, quote } from './messages.js';

type ZodIssue = core.$ZodIssue;

export function fromZodIssues(issues: readonly ZodIssue[], input: unknown): SpecIssue[] {
  return issues.flatMap((issue) => convert(issue, [], input));
}

function convert(issue: ZodIssue, base: IssuePath, input: unknown): SpecIssue[] {
  const path: IssuePath = [...base, ...(issue.path as (string | number)[])];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownField([...path, key]));
    case 'invalid_type': {
      const parent = valueAt(input, path.slice(0, -1));
      const last = path[path.length - 1];
      if (isObject(parent) && typeof last === 'string' && !(last in parent)) return [missingField(path)];
      const got = valueAt(input, path);
      if (typeof got === 'number' && schemasAt(path).some((schema) => schema.pattern === DURATION_PATTERN)) {
        return [error('invalid-type', path, `${got} has no unit. Write a duration such as "${got}s" or "${got}m"`)];
      }
      if (issue.message && !issue.message.startsWith('Invalid input')) return [error('invalid-type', path, issue.message)];
      return [error('invalid-type', path, `expected ${article(issue.expected)}, got ${describeValue(got)}`)];
    }
    case 'invalid_union':
      return unionIssues(issue, path, input);
    case 'invalid_value': {
      const got = valueAt(input, path);
      const allowed = issue.values.map((v) => JSON.stringify(v));
      if (allowed.length === 1 && issue.message && !issue.message.startsWith('Invalid input')) {
        return [error('invalid-value', path, `${issue.message}, not ${describeValue(got)}`)];
      }
      const guess = typeof got === 'string' ? guessName(got, issue.values.map(String)) : undefined;
      return [
        error(
          'invalid-value',
          path,
          `${describeValue(got)} is not allowed here. Use one of ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`,
        ),
      ];
    }
    case 'custom': {
      const code = (issue.params as { code?: unknown } | undefined)?.code;
      return [error(typeof code === 'string' ? code : 'invalid-value', path, issue.message)];
    }
    default:
      return [error(issue.code.replaceAll('_', '-'), path, issue.message)];
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  array: 'a list',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
};

/**
 * A union of single-key objects (`setWeight` | `pause` | `analysis`): the branch whose key is
 * present decides which issues matter. No branch: the author wrote an unknown variant.
 * Several: the author wrote more than one variant in one item.
 */
function unionIssues(issue: Extract<ZodIssue, { code: 'invalid_union' }>, path: IssuePath, input: unknown): SpecIssue[] {
  const value = valueAt(input, path);
  const branches = issue.errors.map((branch) => branch.flatMap((inner) => convert(inner, path, input)));
  const isMissingHere = (i: SpecIssue) => i.code === 'missing-field' && i.path.length === path.length + 1;
  const isUnknownHere = (i: SpecIssue) => i.code === 'unknown-field' && i.path.length === path.length + 1;
  // Each branch is a single-key object; its key is the one it misses, or the one it accepts.
  const branchKey = (branch: SpecIssue[]): string | undefined => {
    const missing = branch.find(isMissingHere);
    if (missing) return String(missing.path[path.length]);
    const unknown = new Set(branch.filter(isUnknownHere).map((i) => String(i.path[path.length])));
    return isObject(value) ? Object.keys(value).find((key) => !unknown.has(key)) : undefined;
  };
  const variants = [...new Set(branches.map(branchKey).filter((k): k is string => k !== undefined))];
  const matching = branches.filter((branch) => !branch.some(isMissingHere));

  // A union of types (`require`: a string or a list): the branch whose type the value has decides.
  const types = issue.errors.flatMap((branch) =>
    branch.flatMap((i) => (i.code === 'invalid_type' && i.path.length === 0 ? [TYPE_NAMES[i.expected] ?? i.expected] : [])),
  );
  if (!types.includes('an object')) {
    if (types.length === issue.errors.length) return [error('invalid-type', path, `expected ${[...new Set(types)].join(' or ')}, got ${describeValue(value)}`)];
    const typed = branches.filter((branch) => branch.length > 0 && branch.every((i) => i.path.length > path.length));
    if (!isObject(value) && typed.length === 1) return typed[0]!;
  }
  if (!isObject(value)) {
    const expected = variants.length > 0 ? `an object with one of ${variants.join(', ')}` : 'an object';
    return [error('invalid-type', path, `expected ${expected}, got ${describeValue(value)}`)];
  }
  const present = Object.keys(value).filter((key) => variants.includes(key));
  if (present.length <= 1 && matching.length === 1) return matching[0]!;
  if (present.length > 1) {
    return [
      error('ambiguous-variant', path, `names ${present.join(' and ')}, but an item names exactly one of ${variants.join(', ')}. Split it into separate items`),
    ];
  }
  const unknown = Object.keys(value).filter((key) => !variants.includes(key));
  if (unknown.length > 0) {
    return unknown.map((key) => {
      const guess = guessName(key, variants);
      return error('unknown-variant', [...path, key], `${quote(key)} is not one of ${variants.join(', ')}${guess ? `. Did you mean "${guess}"?` : ''}`, {
        atKey: true,
      });
    });
  }
  return [error('missing-variant', path, `is empty; write one of ${variants.join(', ')}`)];
}

function unknownField(path: IssuePath): SpecIssue {
  const key = String(path[path.length - 1]);
  const known = knownFields(path.slice(0, -1));
  const guess = guessName(key, known);
  const hint = guess ? `Did you mean "${guess}"?` : known.length > 0 ? `Known fields: ${known.join(', ')}` : 'Remove it';
  return error('unknown-field', path, `unknown field ${quote(key)}. ${hint}`, { atKey: true });
}

function missingField(path: IssuePath): SpecIssue {
  const key = String(path[path.length - 1]);
  const description = describeField(path);
  return error('missing-field', path, `missing required field "${key}"${description ? `. ${description}` : ''}`);
}

export function valueAt(root: unknown, path: IssuePath): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function article(type: string): string {
  const names: Record<string, string> = {
    array: 'a list',
    object: 'a mapping',
    int: 'a whole number',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
  };
  return names[type] ?? type;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'boolean' ? String(value) : typeof value;
}
