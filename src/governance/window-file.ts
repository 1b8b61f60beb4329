/**
 * The organisation's windows (RAMP_WINDOWS_FILE, read by the worker): parsing with findings
 * that name the field, and which of them apply to a stage. Also turns a stage's windows block
 * into the ScheduledWindows the edges compute with.
 */
import { parse } from 'yaml';
import { formatPath } from '../schema/issue.js';
import { WindowsFile, type OrganisationWindowSpec, type WindowsFileSpec, type WindowsSpec, type WindowSpec } from '../schema/windows.js';
import type { ScheduledWindow } from './window-schedule.js';
import { windowIssues } from './window-rules.js';
import { isTimeZone } from './window-time.js';

/** Parses and checks the file's text; throws an Error naming the file, the field and what to write. */
export function parseWindowsFile(text: string, file: string): WindowsFileSpec {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new Error(`${file} is not YAML (${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}). Fix RAMP_WINDOWS_FILE on the worker`);
  }
  const result = WindowsFile.safeParse(data);
  if (!result.success) {
    const first = result.error.issues[0]!;
    throw new Error(
      `${file}: ${formatPath(first.path.filter((p): p is string | number => typeof p !== 'symbol'))}: ${first.message}. Expected apiVersion: ramp/v1, kind: Windows, windows: { allow: [...], deny: [...] } (docs/governance.md#deploy-windows)`,
    );
  }
  const spec = result.data;
  if (!isTimeZone(spec.windows.timeZone)) {
    throw new Error(
      `${file}: windows.timeZone: "${spec.windows.timeZone}" is not a time zone this worker knows. Write an IANA time zone such as Europe/Berlin or UTC`,
    );
  }
  for (const kind of ['allow', 'deny'] as const) {
    for (const [i, w] of spec.windows[kind].entries()) {
      const problem = windowIssues(w, spec.windows.timeZone, ['windows', kind, i])[0];
      if (problem) throw new Error(`${file}: ${formatPath(problem.path)}: ${problem.message}`);
    }
  }
  return spec;
}

const scheduled = (w: WindowSpec, kind: 'allow' | 'deny', zone: string, scope: ScheduledWindow['scope']): ScheduledWindow => ({
  kind,
  name: w.name,
  rrule: w.rrule,
  cron: w.cron,
  start: w.start,
  durationMs: w.duration,
  timeZone: w.timeZone ?? zone,
  reason: w.reason,
  scope,
});

const applies = (w: OrganisationWindowSpec, pipeline: string, stage: string) =>
  (w.pipelines === undefined || w.pipelines.includes(pipeline)) && (w.stages === undefined || w.stages.includes(stage));

/** A stage's own windows and the organisation's that select it. */
export function windowsFor(pipeline: string, stage: string, own: WindowsSpec | null, organisation: WindowsFileSpec | null): ScheduledWindow[] {
  const mine = own ? (['allow', 'deny'] as const).flatMap((kind) => own[kind].map((w) => scheduled(w, kind, own.timeZone, 'stage'))) : [];
  const org = organisation?.windows;
  const theirs = org
    ? (['allow', 'deny'] as const).flatMap((kind) =>
        org[kind].filter((w) => applies(w, pipeline, stage)).map((w) => scheduled(w, kind, org.timeZone, 'organisation')),
      )
    : [];
  return [...mine, ...theirs];
}
