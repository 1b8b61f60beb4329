/** `ramp policy test <policy-file|pipeline-file> <cases.yaml>`: policies are code and get tests (docs/governance.md). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { describeMismatch, loadCasesSource, runCases, type CaseResult } from '../../src/governance/policy-cases.js';
import { isPolicyFile, loadPolicySource } from '../../src/governance/policy-file.js';
import { pin } from '../../src/governance/policy-hash.js';
import { formatPath, type LocatedIssue } from '../../src/schema/issue.js';
import { loadPipelineSource } from '../../src/schema/load.js';
import type { PinnedPolicy } from '../../src/schema/pipeline.js';
import { colorOf, type Command, type CommandIo } from '../command.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json, palette } from '../output.js';

export const policyCommand: Command = {
  name: 'policy',
  summary: 'Test policies against example inputs: ramp policy test <policies> <cases.yaml>',
  usage: `ramp policy test <policy-file|pipeline-file> <cases.yaml> [--json]

  Evaluates the policies of a policy file (kind: Policies) or of a pipeline file (spec.policies)
  against each case of the cases file, with the evaluator the worker uses, and prints PASS or
  FAIL per case with what differed. A case:

    cases:
      - name: friday afternoon in production needs an SRE
        checkpoint: stage-start          # stage-start | commit | full-promotion | rollback
        input: { stage: { name: production }, now: "2026-11-27T15:30:00+01:00" }
        expect: require-approval         # allow | deny | warn | require-approval
        policy: friday-afternoon         # optional: this policy's decision, not the overall one

  What a case's input leaves out is a Monday 09:00 UTC promotion of 1.0.0 to staging
  (docs/governance.md lists the input and its defaults).

  --json   print the results as JSON

  ${exitCodesUsage('every case passed', 'a case failed, or a file is invalid (its problems are printed at file:line:col)')}`,

  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    const [sub, policyPath, casesPath, ...extra] = positionals;
    if (sub !== 'test')
      throw new UsageError(
        sub === undefined
          ? 'ramp policy needs a subcommand: ramp policy test <policies> <cases.yaml>'
          : `unknown subcommand ${sub}: ramp policy test <policies> <cases.yaml>`,
      );
    if (policyPath === undefined || casesPath === undefined || extra.length > 0)
      throw new UsageError('ramp policy test takes two files: the policies (a policy file or a pipeline file) and the cases file');

    const policies = await readPolicies(policyPath, io);
    if (!policies.ok) return invalid(policies.errors, io, values.json);
    const cases = loadCasesSource(await readText(casesPath, io), casesPath, policies.policies);
    if (!cases.ok) return invalid(cases.errors, io, values.json);

    const results = runCases(policies.policies, cases.value, policies.pipeline);
    if (values.json) io.stdout(json({ policies: policies.policies.map(({ name, hash, source }) => ({ name, hash, source })), cases: results }));
    else io.stdout(render(results, colorOf(io)));
    return results.every((r) => r.pass) ? ExitCode.Ok : ExitCode.Failure;
  },
};

async function readText(path: string, io: CommandIo): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as { code?: string }).code ?? String(e)}. Pass a file that exists`);
  }
}

type Policies = { ok: true; policies: PinnedPolicy[]; pipeline?: string } | { ok: false; errors: LocatedIssue[] };

/** The policies under test: a policy file's, or a pipeline file's spec.policies; pinned so that results name their hashes. */
async function readPolicies(path: string, io: CommandIo): Promise<Policies> {
  const source = await readText(path, io);
  if (isPolicyFile(source)) {
    const loaded = loadPolicySource(source, path);
    return loaded.ok ? { ok: true, policies: loaded.value.policies.map((p) => pin(p, path)) } : loaded;
  }
  const loaded = loadPipelineSource(source, path);
  if (!loaded.ok) return { ok: false, errors: loaded.errors };
  return { ok: true, policies: loaded.spec.policies.map((p) => pin(p, 'pipeline')), pipeline: loaded.spec.name };
}

function invalid(errors: LocatedIssue[], io: CommandIo, asJson: boolean): ExitCode {
  if (asJson) io.stdout(json({ errors: errors.map(({ file, line, column, path, message }) => ({ file, line, column, path: formatPath(path), message })) }));
  else io.stdout(errors.map((e) => `${e.file}:${e.line}:${e.column}  ${formatPath(e.path)}  error: ${e.message}\n`).join(''));
  return ExitCode.Failure;
}

function render(results: CaseResult[], color: boolean): string {
  const c = palette(color);
  const lines = results.map((r) => {
    const what = `${r.name} (${r.checkpoint}${r.policy ? `, policy ${r.policy}` : ''})`;
    return r.pass ? `${c.green('PASS')}  ${what}: ${r.got}\n` : `${c.red('FAIL')}  ${what}: ${describeMismatch(r)}\n`;
  });
  const failed = results.filter((r) => !r.pass).length;
  return `${lines.join('')}${failed === 0 ? `${results.length} case${results.length === 1 ? '' : 's'} passed` : `${failed} of ${results.length} case${results.length === 1 ? '' : 's'} failed`}\n`;
}
