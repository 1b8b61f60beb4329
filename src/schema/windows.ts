/**
 * Deploy windows and soak time of a stage (docs/governance.md). STUB written by the lead for
 * issue 12; the windows helper owns and completes it.
 */
import { z } from 'zod';
import { Duration, Name } from './common.js';

export const Window = z.strictObject({
  name: Name,
  rrule: z.string().optional().describe('An RFC 5545 recurrence rule (FREQ=WEEKLY;BYDAY=MO,TU,WE,TH).'),
  cron: z.string().optional().describe('A cron expression: when each occurrence opens.'),
  start: z.string().optional().describe('The first occurrence, local time in timeZone (2026-01-05T09:00).'),
  duration: z.string().describe('How long each occurrence lasts (nominal, wall-clock): 8h.'),
  timeZone: z.string().optional(),
  reason: z.string().optional(),
});

export const Windows = z
  .strictObject({
    timeZone: z.string().default('UTC'),
    allow: z.array(Window).default([]),
    deny: z.array(Window).default([]),
    onClose: z.enum(['finishStep', 'pauseAtNextStep', 'abort']).default('pauseAtNextStep'),
  })
  .describe('When this stage may write: allow and deny windows (docs/governance.md).');

export const Soak = z
  .strictObject({
    after: Name.describe('The earlier stage the version must have been stable in.'),
    for: Duration.describe('For how long, before this stage starts.'),
  })
  .describe("Kargo's requiredSoakTime: the version must have been promoted and healthy in `after` for `for` before this stage starts.");

export type WindowSpec = z.output<typeof Window>;
export type WindowsSpec = z.output<typeof Windows>;
export type SoakSpec = z.output<typeof Soak>;
