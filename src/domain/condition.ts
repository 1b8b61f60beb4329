/**
 * Success and failure conditions of analysis metrics, written in CEL over `result`
 * (`result[0] >= 0.95`, `size(result) == 0 || result[0] < 0.01`). CEL is not Turing complete
 * and never touches the host, so conditions are safe to evaluate anywhere, workflows included.
 */
import { Environment } from '@marcbachmann/cel-js';

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

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
