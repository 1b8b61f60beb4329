/**
 * The organisation-wide freeze, worker side: who may declare or lift it (RAMP_FREEZE_GROUPS,
 * resolved like approver groups), and the reader every stage's window check asks whether a
 * freeze is in force (`createFreezeReader`).
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Groups } from '../src/domain/approval.js';
import type { FreezeState } from '../src/domain/freeze.js';
import { activeFreeze, FREEZE_STATE_QUERY, freezeWorkflowId } from '../src/domain/freeze-rules.js';
import { readGroups } from './approvals.js';

/** Who may declare or lift a freeze: the groups, and their members from the groups file (for unverified names). */
export interface FreezeAuthority {
  /** RAMP_FREEZE_GROUPS; empty: anyone may. */
  groups: string[];
  members: Groups;
}

/** The freeze workflow's own activities (not part of RampActivities: no other workflow calls them). */
export interface FreezeActivities {
  freezeAuthority(): Promise<FreezeAuthority>;
}

export interface FreezeDeps {
  /** RAMP_FREEZE_GROUPS: who may declare and lift a freeze; none: anyone. */
  freezeGroups: readonly string[];
  /** RAMP_GROUPS_FILE: the members of groups, for names nobody verified. */
  groupsFile: string | undefined;
}

export function createFreezeActivities({ freezeGroups, groupsFile }: FreezeDeps): FreezeActivities {
  return {
    async freezeAuthority(): Promise<FreezeAuthority> {
      const groups = [...freezeGroups];
      if (groups.length === 0) return { groups, members: {} };
      const all = groupsFile ? await readGroups(groupsFile) : {};
      return { groups, members: Object.fromEntries(groups.map((name) => [name, all[name] ?? []])) };
    },
  };
}

export interface FreezeReader {
  /** The freeze in force now, or null: none declared, lifted, or its `until` has passed. */
  readFreeze(): Promise<FreezeState | null>;
}

/**
 * Reads the freeze from its workflow — by default the freeze of the task queue the calling
 * activity runs on (one per ramp deployment) — with a query; the worker that serves it must be running. No
 * freeze workflow → null; an expired `until` → null (the workflow's timer may not have fired yet).
 * Other failures (Temporal unreachable, no worker) are thrown: the caller decides what a freeze
 * it cannot read means.
 */
export function createFreezeReader(client: Client, workflowId: () => string = () => freezeWorkflowId(Context.current().info.taskQueue)): FreezeReader {
  return {
    async readFreeze(): Promise<FreezeState | null> {
      try {
        return activeFreeze(await client.workflow.getHandle(workflowId()).query<FreezeState | null>(FREEZE_STATE_QUERY), Date.now());
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },
  };
}
