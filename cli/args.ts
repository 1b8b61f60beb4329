/** Positional arguments, checked: every named one present, nothing extra. */
import { UsageError } from '../src/errors.js';

export function positionals<const Names extends readonly string[]>(given: string[], names: Names): { [K in keyof Names]: string } {
  if (given.length < names.length) throw new UsageError(`missing ${names.slice(given.length).map((n) => `<${n}>`).join(' ')}`);
  if (given.length > names.length) throw new UsageError(`unexpected argument${given.length - names.length > 1 ? 's' : ''} ${given.slice(names.length).join(' ')}`);
  return given as unknown as { [K in keyof Names]: string };
}

/** A flag that must be given and not blank. */
export function required(value: string | undefined, flag: string, why: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required: ${why}`);
  return value;
}

/** A positive integer flag. */
export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}
