/**
 * Deployment frequency's bucket, as fourkeys computes it (queries/deployment_frequency.sql, read
 * in research §5.1), over the report's period instead of its fixed three months. The period's
 * days are cut into weeks (UTC, starting on Sunday, as BigQuery's TIMESTAMP_TRUNC(…, WEEK)); per
 * week: did it have a deployment, on how many distinct days, and how many weeks of its month
 * (the month its first day falls in) had one. Then, medians over the weeks:
 * - daily: the median number of days with a deployment per week is ≥ 3;
 * - weekly: the median week had a deployment (median of the 0/1 flags ≥ 1, i.e. most weeks);
 * - monthly: the median of the per-month deployment counts (weeks with one, as fourkeys
 *   sums them) is ≥ 1;
 * - else yearly; `none` without any deployment in the period.
 */
import { percentile } from '../domain/judge/statistics.js';

export type FrequencyBucket = 'daily' | 'weekly' | 'monthly' | 'yearly' | 'none';

const DAY_MS = 86_400_000;

/** `deployments`: the times (epoch ms) of the deployments in [sinceMs, untilMs). */
export function frequencyBucket(deployments: readonly number[], sinceMs: number, untilMs: number): FrequencyBucket {
  if (deployments.length === 0 || !(untilMs > sinceMs)) return 'none';
  const deployDays = new Set(deployments.map(dayStart));
  const weeks = new Map<number, { month: number; days: number }>();
  for (let day = dayStart(sinceMs); day < untilMs; day += DAY_MS) {
    const week = weekStart(day);
    const entry = weeks.get(week) ?? { month: monthStart(week), days: 0 };
    if (deployDays.has(day)) entry.days++;
    weeks.set(week, entry);
  }
  const rows = [...weeks.values()];
  const monthly = new Map<number, number>();
  for (const row of rows) monthly.set(row.month, (monthly.get(row.month) ?? 0) + (row.days > 0 ? 1 : 0));
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  if (median(rows.map((r) => r.days)) >= 3) return 'daily';
  if (median(rows.map((r) => (r.days > 0 ? 1 : 0))) >= 1) return 'weekly';
  if (median(rows.map((r) => monthly.get(r.month)!)) >= 1) return 'monthly';
  return 'yearly';
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** The Sunday (UTC) starting the week of a day. */
function weekStart(day: number): number {
  return day - new Date(day).getUTCDay() * DAY_MS;
}

function monthStart(day: number): number {
  const d = new Date(day);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
