/**
 * Success and failure conditions of analysis metrics, written in CEL over `result`
 * (`result[0] >= 0.95`, `size(result) == 0 || result[0] < 0.01`). CEL is not Turing complete
 * and never touches the host, so conditions are safe to evaluate anywhere, workflows included.
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';

const conditionEnv = new Environment()
  .registerVariable('result', 'dyn', { description: 'The measured value: a number for a scalar, a list of numbers for a vector.' })
  .registerFunction('isNaN(dyn): bool', (value: unknown) => typeof value === 'number' && Number.isNaN(value))
  .registerFunction('isInf(dyn): bool', (value: unknown) => value === Infinity || value === -Infinity);

export type ConditionCheck = { ok: true } | { ok: false; error: string };

/** Checks that a condition parses and type-checks, without evaluating it. */
export function checkCondition(expression: string): ConditionCheck {
  try {
    const check = conditionEnv.check(expression);
    if (check.valid) {
      if (check.type !== 'bool' && check.type !== 'dyn') {
        return { ok: false, error: `the condition evaluates to ${check.type}, not bool` };
      }
      return { ok: true };
    }
    return { ok: false, error: firstLine(check.error?.message ?? 'invalid expression') };
  } catch (error) {
    return { ok: false, error: firstLine(error instanceof Error ? error.message : String(error)) };
  }
}

export type ConditionEvaluation = { ok: true; value: boolean } | { ok: false; error: string };

/**
 * Evaluates a condition with `result` bound to a measured value: a number for a scalar, a list
 * of numbers for a vector. Never throws: a parse error, an evaluation error (`result[0]` on an
 * empty list: index out of bounds) and a result that is not a bool come back as `error`.
 */
export function evaluateCondition(expression: string, result: number | readonly number[]): ConditionEvaluation {
  let value: unknown;
  try {
    value = compiled(expression)({ result }) as unknown;
  } catch (error) {
    return { ok: false, error: firstLine(error instanceof Error ? error.message : String(error)) };
  }
  if (typeof value !== 'boolean') return { ok: false, error: `the condition evaluates to ${describeValue(value)}, not a bool` };
  return { ok: true, value };
}

const programs = new Map<string, ParseResult>();
const MAX_PROGRAMS = 256;

/** Parsing is the expensive part; a pipeline has few conditions, each evaluated many times. */
function compiled(expression: string): ParseResult {
  let program = programs.get(expression);
  if (program === undefined) {
    program = conditionEnv.parse(expression);
    if (programs.size >= MAX_PROGRAMS) programs.clear();
    programs.set(expression, program);
  }
  return program;
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return `a double (${value})`;
  if (typeof value === 'bigint') return `an int (${value})`;
  if (typeof value === 'string') return `a string (${JSON.stringify(value)})`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
