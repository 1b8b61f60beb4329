/** Approver groups, from a YAML file on the worker (`groups: { release-managers: [alice, bob] }`). */
import { readFile } from 'node:fs/promises';
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { parse } from 'yaml';
import type { Groups } from '../src/domain/approval.js';

export interface ApprovalDeps {
  /** Path of the groups file; without one, every group is empty. */
  groupsFile: string | undefined;
}

export function createApprovalActivities({ groupsFile }: ApprovalDeps) {
  return {
    /** Members of the named groups, read fresh for each gate (the gate records the snapshot). */
    async resolveGroups(names: string[]): Promise<Groups> {
      const all = groupsFile ? await readGroups(groupsFile) : {};
      const missing = names.filter((name) => !(name in all));
      if (missing.length > 0) {
        log.warn(`approver group(s) ${missing.join(', ')} are not in ${groupsFile ?? 'any groups file (RAMP_GROUPS_FILE is unset)'}; they approve nobody`);
      }
      return Object.fromEntries(names.map((name) => [name, all[name] ?? []]));
    },
  };
}

export async function readGroups(file: string): Promise<Record<string, string[]>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw ApplicationFailure.nonRetryable(
      `cannot read the approver groups file ${file}: ${(error as Error).message}. Fix RAMP_GROUPS_FILE on the worker`,
      'WorkerConfig',
    );
  }
  const data = parse(text) as { groups?: unknown } | null;
  const groups = data?.groups;
  if (groups === undefined || groups === null || typeof groups !== 'object' || Array.isArray(groups)) {
    throw ApplicationFailure.nonRetryable(`${file} has no "groups:" mapping. Write groups: { release-managers: [alice, bob] }`, 'WorkerConfig');
  }
  const out: Record<string, string[]> = {};
  for (const [name, members] of Object.entries(groups as Record<string, unknown>)) {
    if (!Array.isArray(members) || !members.every((m) => typeof m === 'string')) {
      throw ApplicationFailure.nonRetryable(`${file}: groups.${name} must be a list of user names`, 'WorkerConfig');
    }
    out[name] = members;
  }
  return out;
}
