/**
 * Organisation-wide policy files (`kind: Policies`, docs/governance.md): read by the worker from
 * RAMP_POLICY_FILES, by `ramp validate` and by `ramp policy test`. A pipeline file's own
 * `spec.policies` are read with the pipeline (src/schema/load.ts).
 */
import { readFile } from 'node:fs/promises';
import { PolicyFileShape, type PinnedPolicy, type PolicyFileSpec } from '../schema/policies.js';
import { error, type LocatedIssue } from '../schema/issue.js';
import { pin } from './policy-hash.js';
import { MAX_BYTES, parseLocated, type Located } from './policy-yaml.js';

/** What a YAML file in pipelines/ is, by its top-level `kind`: a policy file, a policy cases file, or (anything else) a pipeline. */
export function fileKind(source: string): 'policies' | 'policy-tests' | 'pipeline' {
  const kind = /^kind:\s*["']?(\w+)["']?\s*(#.*)?$/m.exec(source)?.[1];
  return kind === 'Policies' ? 'policies' : kind === 'PolicyTests' ? 'policy-tests' : 'pipeline';
}

/** Whether YAML text is a policy file rather than a pipeline: a top-level `kind: Policies`. */
export function isPolicyFile(source: string): boolean {
  return fileKind(source) === 'policies';
}

export function loadPolicySource(source: string, file: string): Located<PolicyFileSpec> {
  return parseLocated(source, file, PolicyFileShape, 'policy file');
}

export async function loadPolicyFile(file: string, label = file): Promise<Located<PolicyFileSpec>> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? String(e);
    const issue: LocatedIssue = {
      ...error('unreadable', [], `cannot read the policy file: ${code}. Check the path and its permissions`),
      file: label,
      line: 1,
      column: 1,
    };
    return { ok: false, errors: [issue] };
  }
  if (source.length > MAX_BYTES * 4)
    return { ok: false, errors: [{ ...error('too-large', [], 'the file is larger than 1 MiB. Split it'), file: label, line: 1, column: 1 }] };
  return loadPolicySource(source, label);
}

/** The policies of a file that apply to `pipeline`, pinned with the file as their source. */
export function policiesFor(spec: PolicyFileSpec, pipeline: string, source: string): PinnedPolicy[] {
  if (spec.pipelines && !spec.pipelines.includes(pipeline)) return [];
  return spec.policies.map((p) => pin(p, source));
}
