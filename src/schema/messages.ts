/**
 * Keeps findings readable whatever the input: quoted input is shortened, and so is a message
 * as a whole, so one million-character value never becomes a million-character message.
 */
import { closest } from '../domain/names.js';
import { Limits } from './limits.js';

/** A JSON-quoted excerpt of `text`, at most `max` characters of it, saying how long it was. */
export function quote(text: string, max: number = Limits.quotedInput): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length.toLocaleString('en')} characters)`;
}

const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

/**
 * Shortens every double-quoted run longer than the quoted-input limit, then the message itself
 * (keeping its start and its end, which says what to do).
 */
export function boundMessage(message: string): string {
  let out =
    message.length > Limits.quotedInput + 2
      ? message.replace(QUOTED, (run: string, inner: string) =>
          inner.length > Limits.quotedInput ? `${run.slice(0, Limits.quotedInput + 1)}…" (${inner.length.toLocaleString('en')} characters)` : run,
        )
      : message;
  if (out.length > Limits.messageLength) {
    const tail = Math.floor(Limits.messageLength / 3);
    out = `${out.slice(0, Limits.messageLength - tail - 3)} … ${out.slice(out.length - tail)}`;
  }
  return out;
}

/** A "did you mean" for names of a plausible length (the edit distance is quadratic in it). */
export function guessName(word: string, candidates: readonly string[]): string | undefined {
  return word.length <= 64 ? closest(word, candidates) : undefined;
}
