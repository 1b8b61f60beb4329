/** `ramp dora`: a stage's four keys over a period, canary catches, open failures, and its releases. Pure. */
import type { ChangeFailureCause } from '../../src/observability/facts.js';
import type { DoraRelease, DoraReport } from '../../src/dora/report.js';
import { formatDuration } from '../../src/domain/duration.js';
import { formatTime, table, type RenderOptions } from './format.js';

/** How many releases the table shows, newest last; --json has them all. */
export const RELEASES_SHOWN = 15;

export function renderDora(report: DoraReport, options: RenderOptions): string {
  const { deploymentFrequency: df, leadTime: lt, changeFailureRate: cfr, canaryCatches: cc, recovery: rec } = report;
  const lines = [
    `${report.pipeline}/${report.stage}, ${formatTime(report.since, options)} to ${formatTime(report.until, options)}`,
    '',
    ...table(
      ['KEY', 'VALUE', 'FROM'],
      [
        ['Deployment frequency', `${perDay(df.perDay)} a day (${df.bucket === 'none' ? 'no deployment' : df.bucket})`, count(df.deployments, 'deployment')],
        [
          'Lead time for changes',
          `median ${duration(lt.medianSeconds)}, p90 ${duration(lt.p90Seconds)}`,
          samples(lt.samples, lt.withoutSource > 0 ? `${lt.withoutSource} without a source time` : null),
        ],
        ['Change failure rate', percent(cfr.rate), `${cfr.failures} of ${count(cfr.deployments, 'deployment')}${causes(cfr.byCause)}`],
        ['Recovery time', `median ${duration(rec.medianSeconds)}, p90 ${duration(rec.p90Seconds)}`, samples(rec.samples, null)],
      ],
    )
      .trimEnd()
      .split('\n'),
    '',
    `Canary catches: ${cc.count} (stopped before full exposure${cc.rateIncludingExposure === null ? '' : `; failure rate counting them ${percent(cc.rateIncludingExposure)}`})`,
    `Open failures: ${rec.open}${rec.open > 0 ? ' (not recovered by the end of the period)' : ''}`,
    '',
    ...releases(report.releases, options),
  ];
  return `${lines.join('\n')}\n`;
}

/** One line per stage, for `ramp dev`'s last words: `1 deployment, lead time 41s, change failure rate 0%, 1 canary catch, recovery -`. */
export function doraSummaryLine(report: DoraReport): string {
  const { deploymentFrequency: df, leadTime: lt, changeFailureRate: cfr, canaryCatches: cc, recovery: rec } = report;
  return [
    count(df.deployments, 'deployment'),
    `lead time ${duration(lt.medianSeconds)}`,
    `change failure rate ${percent(cfr.rate)}`,
    count(cc.count, 'canary catch').replace('catchs', 'catches'),
    `recovery ${duration(rec.medianSeconds)}${rec.open > 0 ? ` (${rec.open} open)` : ''}`,
  ].join(', ');
}

function releases(all: DoraRelease[], options: RenderOptions): string[] {
  if (all.length === 0) return ['No release reached this stage in the period.'];
  const shown = all.slice(-RELEASES_SHOWN);
  const rows = shown.map((r) => [r.version, r.promotion, formatTime(r.deployedAt, options), duration(r.leadTimeSeconds), outcome(r, options)]);
  const more = all.length > shown.length ? [`(${all.length - shown.length} earlier releases not shown: --json has them all)`] : [];
  return [...more, ...table(['VERSION', 'PROMOTION', 'DEPLOYED', 'LEAD TIME', 'OUTCOME'], rows).trimEnd().split('\n')];
}

function outcome(r: DoraRelease, options: RenderOptions): string {
  if (r.failure) {
    const { cause, detectedAt, recoveredAt } = r.failure;
    const restored = recoveredAt === null ? 'not recovered' : `recovered ${formatTime(recoveredAt, options)}`;
    return `change failure (${cause}), detected ${formatTime(detectedAt, options)}, ${restored}`;
  }
  if (r.caught) return 'caught by its canary';
  return r.deployedAt === null ? 'not fully promoted' : 'deployed';
}

/** Seconds as 2h05m-ish: to the minute from an hour up, to the second below; `-` for none. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  const s = seconds >= 3600 ? Math.round(seconds / 60) * 60 : Math.round(seconds);
  return formatDuration(s * 1000);
}

/** A rate as a percentage to one decimal; `-` for none. */
export const percent = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 1000) / 10}%`);
/** Deployments a day, with as many digits as make sense. */
export const perDay = (n: number) => (n === 0 ? '0' : n >= 10 ? n.toFixed(0) : n >= 0.1 ? n.toFixed(2) : n.toPrecision(2));
export const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const samples = (n: number, note: string | null) => `${count(n, 'sample')}${note ? `; ${note}` : ''}`;

/** ` (1 rollback, 2 revert)`: the causes that happened; empty when none did. */
export function causes(byCause: Record<ChangeFailureCause, number>): string {
  const named = (Object.entries(byCause) as [ChangeFailureCause, number][]).filter(([, n]) => n > 0).map(([cause, n]) => `${n} ${cause}`);
  return named.length > 0 ? ` (${named.join(', ')})` : '';
}
