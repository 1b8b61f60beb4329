/** `--since 7d | 12h | 30m | <ISO-8601>`: the earliest time to show, given now. */
export function parseSince(text: string, now: Date): Date {
  const relative = /^(\d+)\s*([dhm])$/.exec(text.trim());
  if (relative) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const at = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? new Date(text.trim()) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new Error(`--since ${JSON.stringify(text)} is neither a duration (7d, 12h, 30m) nor an ISO-8601 time (2026-11-30 or 2026-11-30T09:00:00Z)`);
  return at;
}
