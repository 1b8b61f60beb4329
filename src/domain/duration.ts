/**
 * Durations as pipeline authors write them: `500ms`, `30s`, `5m`, `2h`, `1d`, or compound
 * `1h30m`. Pure and deterministic, so both the schema and workflows may use it.
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** One or more `<integer><unit>` parts, largest unit first (`1h30m`, not `30m1h`); never empty. */
export const DURATION_PATTERN = '^(?=\\d)(\\d+d)?(\\d+h)?(\\d+m(?!s))?(\\d+s)?(\\d+ms)?$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /(\d+)(ms|s|m|h|d)/g;

/** The longest duration a pipeline may give: a year, longer than any gate, timeout or interval needs. */
export const MAX_DURATION_MS = 365 * UNIT_MS.d;

/** Input quoted in an error, at most 40 characters of it. */
function quote(text: string): string {
  return text.length <= 40 ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 40))}… (${text.length} characters)`;
}

export type DurationParse = { ok: true; ms: number } | { ok: false; error: string };

/** Parses a duration string into milliseconds. */
export function parseDuration(text: string): DurationParse {
  const trimmed = text.trim();
  if (trimmed === '' || !DURATION_RE.test(trimmed)) {
    return {
      ok: false,
      error: `${quote(text)} is not a duration. Write a number with a unit: 500ms, 30s, 5m, 2h, 1d, or combine them largest first (1h30m)`,
    };
  }
  let ms = 0;
  for (const match of trimmed.matchAll(PART_RE)) {
    ms += Number(match[1]) * UNIT_MS[match[2] as Unit];
  }
  if (!Number.isSafeInteger(ms)) return { ok: false, error: `${quote(text)} is too long a duration. Write at most ${formatDuration(MAX_DURATION_MS)}` };
  return { ok: true, ms };
}

/** Formats milliseconds compactly, largest units first: 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
