/**
 * `spec.access`: who may do what to the pipeline, per stage. Without it, anyone authenticated
 * may promote, operate, roll back and decide drift, and each gate's approvers approve; with it,
 * only what it grants (src/domain/permissions.ts decides).
 */
import { z } from 'zod';
import { PERMISSIONS } from '../domain/permissions.js';
import { Approver, approverEntry } from './approval.js';
import { Name } from './common.js';

export const ALL_STAGES = '*';

export const Grant = z
  .strictObject({
    who: z.array(Approver).describe('Users (alice) and groups (group:release-managers), written as approvers are.'),
    may: z
      .array(z.enum(PERMISSIONS))
      .describe(
        'promote, approve (an approver of every gate of these stages, besides its own approvers), operate (pause, resume, skip, abort, retry), rollback, drift (accept or reject drift), override (run a stage outside its deploy window or through a freeze), administer (everything but approve).',
      ),
    stages: z
      .array(z.union([z.literal(ALL_STAGES), Name]))
      .default([ALL_STAGES])
      .describe("Stage names, or '*' for every stage (default)."),
  })
  .transform(({ who, ...grant }) => ({ ...grant, who: who.map(approverEntry) }));

export const Access = z
  .strictObject({
    grants: z.array(Grant).default([]).describe('Each grant gives its people permissions on stages; nothing else is allowed.'),
  })
  .describe('Who may do what. Without this block, anyone authenticated may promote, operate, roll back and decide drift.');

/** The normalised access block. */
export type AccessSpec = z.output<typeof Access>;
export type GrantSpec = AccessSpec['grants'][number];
