/**
 * Deploy windows and soak time of a stage (docs/governance.md), and the organisation's windows
 * file (RAMP_WINDOWS_FILE, read by the worker). Rules, cron expressions and time zones are
 * checked by the cross-field rules (src/governance/window-rules.ts), which name the field.
 */
import { z } from 'zod';
import { Duration, Name } from './common.js';

export const Window = z.strictObject({
  name: Name,
  rrule: z.string().optional().describe('An RFC 5545 recurrence rule (FREQ=WEEKLY;BYDAY=MO,TU,WE,TH); its first occurrence is `start`.'),
  cron: z.string().optional().describe('A cron expression, when each occurrence opens (5 fields, or 6 with seconds first), in the time zone.'),
  start: z
    .string()
    .optional()
    .describe('Local time in the time zone (2026-01-05T09:00): the first occurrence of an rrule, or the one occurrence without rrule and cron.'),
  duration: Duration.describe('How long each occurrence lasts, nominal (wall-clock: 8h from 22:00 ends 06:00 even when the clocks change).'),
  timeZone: z.string().optional().describe('An IANA time zone (Europe/Berlin); default: the windows block’s.'),
  reason: z.string().optional().describe('Shown while the window holds a stage (e.g. "holiday freeze, CAB-1234").'),
});

export const Windows = z
  .strictObject({
    timeZone: z.string().default('UTC').describe('The IANA time zone of the windows that name none (Europe/Berlin).'),
    allow: z.array(Window).default([]).describe('The stage may write only while one of these is active (none: always, unless denied).'),
    deny: z.array(Window).default([]).describe('The stage may not write while one of these is active.'),
    onClose: z
      .enum(['finishStep', 'pauseAtNextStep', 'abort'])
      .default('pauseAtNextStep')
      .describe(
        'A window that closes mid-canary: hold before the next step (a running pause step is extended), finish the running step then hold, or abort and roll back.',
      ),
  })
  .describe('When this stage may write: allow and deny windows (docs/governance.md).');

export const Soak = z
  .strictObject({
    after: Name.describe('The earlier stage the version must have been stable in.'),
    for: Duration.describe('For how long, before this stage starts.'),
  })
  .describe("Kargo's requiredSoakTime: the version must have been promoted and healthy in `after` for `for` before this stage starts.");

/** An organisation-wide window: a stage window, optionally only for some pipelines or stages. */
export const OrganisationWindow = Window.extend({
  pipelines: z.array(Name).optional().describe('Only these pipelines (default: all).'),
  stages: z.array(Name).optional().describe('Only stages of these names (default: all).'),
});

/** RAMP_WINDOWS_FILE: windows every stage of the organisation honours, beside its own. */
export const WindowsFile = z.strictObject({
  apiVersion: z.literal('ramp/v1'),
  kind: z.literal('Windows'),
  windows: z.strictObject({
    timeZone: z.string().default('UTC'),
    allow: z.array(OrganisationWindow).default([]),
    deny: z.array(OrganisationWindow).default([]),
  }),
});

export type WindowSpec = z.output<typeof Window>;
export type WindowsSpec = z.output<typeof Windows>;
export type SoakSpec = z.output<typeof Soak>;
export type OrganisationWindowSpec = z.output<typeof OrganisationWindow>;
export type WindowsFileSpec = z.output<typeof WindowsFile>;
