/**
 * The organisation's policy files (RAMP_POLICY_FILES), read whole at a process's start: the
 * server lists them (GET /api/v1/policies), and refuses to start on an invalid one, with the file,
 * line and field — as `ramp validate` says it.
 */
import { UsageError } from '../errors.js';
import { formatPath } from '../schema/issue.js';
import type { PolicyFileSpec } from '../schema/policies.js';
import { loadPolicyFile } from './policy-file.js';

export interface LoadedPolicyFile {
  file: string;
  spec: PolicyFileSpec;
}

export async function loadPolicyFiles(files: readonly string[]): Promise<LoadedPolicyFile[]> {
  const loaded: LoadedPolicyFile[] = [];
  for (const file of files) {
    const result = await loadPolicyFile(file);
    if (!result.ok) {
      const first = result.errors[0]!;
      throw new UsageError(
        `the organisation policy file ${file} (RAMP_POLICY_FILES) is invalid: ${first.line}:${first.column} ${formatPath(first.path)}: ${first.message}` +
          (result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : '') +
          `. Fix it (ramp validate ${file})`,
      );
    }
    loaded.push({ file, spec: result.value });
  }
  return loaded;
}
