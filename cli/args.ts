/** Positional arguments, checked: every named one present, nothing extra. */
import { UsageError } from '../src/errors.js';

export function positionals<const Names extends readonly string[]>(given: string[], names: Names): { [K in keyof Names]: string } {
  if (given.length < names.length)
    throw new UsageError(
      `missing ${names
        .slice(given.length)
        .map((n) => `<${n}>`)
        .join(' ')}`,
    );
  if (given.length > names.length) {
    throw new UsageError(
      `unexpected argument${given.length - names.length > 1 ? 's' : ''} ${given.slice(names.length).map(shown).join(' ')}${promotionIdHint(given, names)}`,
    );
  }
  const blank = names.findIndex((_, i) => given[i]!.trim() === '');
  if (blank >= 0)
    throw new UsageError(`<${names[blank]}> is empty${names[blank] === 'promotion-id' ? ': give a promotion id such as web@1.4.2 (see ramp list)' : ''}`);
  return given as unknown as { [K in keyof Names]: string };
}

/** An argument as typed: quoted when it is blank or has spaces. */
const shown = (arg: string) => (arg === '' || /\s/.test(arg) ? JSON.stringify(arg) : arg);

/** `ramp status web 1.5.0` → `; did you mean web@1.5.0?` (a promotion id is pipeline@version). */
function promotionIdHint(given: readonly string[], names: readonly string[]): string {
  const at = names.indexOf('promotion-id');
  if (at < 0 || given.length !== names.length + 1) return '';
  const [pipeline, version] = [given[at]!, given[at + 1]!];
  if (pipeline.includes('@') || pipeline.trim() === '' || version.trim() === '' || version.startsWith('-')) return '';
  return `; did you mean ${pipeline}@${version}?`;
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

/**
 * Every string flag given is non-blank (`--stage ""` is a mistake, not "no stage"); `--comment`
 * and the like may be empty.
 */
export function noBlankFlags(values: Readonly<Record<string, unknown>>, mayBeEmpty: readonly string[] = ['comment']): void {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && value.trim() === '' && !mayBeEmpty.includes(name)) throw new UsageError(`--${name} is empty`);
  }
}
