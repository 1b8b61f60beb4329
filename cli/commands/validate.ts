/** `ramp validate [paths...]`: check pipeline files and report every problem, located. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { formatPath, type LocatedIssue } from '../../src/schema/issue.js';
import { loadPipelineFile, type LoadResult } from '../../src/schema/load.js';
import { colorOf, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { json } from '../output.js';
import { renderFindings } from '../render/findings.js';
import { PolicyCasesShape } from '../../src/governance/policy-cases.js';
import { fileKind, loadPolicyFile } from '../../src/governance/policy-file.js';
import { parseLocated } from '../../src/governance/policy-yaml.js';

const PIPELINE_FILE = /\.ya?ml$/;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check pipeline files; report every problem as file:line:col  field  message',
  usage: `ramp validate [paths...] [--json] [--strict]

  Validates pipeline YAML files (directories are searched for *.yaml and *.yml).
  Without paths, validates ./pipelines. A file of kind: Policies is checked as an organisation
  policy file (RAMP_POLICY_FILES, docs/governance.md).

  --json     print the results as JSON
  --strict   treat warnings as errors

  Exit codes: 0 all valid, 1 some invalid (or unreadable), 2 usage error (unknown flag, a path that
  does not exist), 70 a bug in ramp.`,

  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, strict: { type: 'boolean', default: false } },
    });
    const files = await pipelineFiles(positionals.length > 0 ? positionals : ['pipelines'], io.cwd);
    // One at a time: the loader bounds each file's memory. A bug (the loader throws for no
    // file's content) is raised after the other files' results are printed, not instead of them.
    const results: (LoadResult | PolicyFileResult)[] = [];
    let bug: { error: unknown } | undefined;
    for (const file of files) {
      try {
        results.push(await checkFile(resolve(io.cwd, file), file));
      } catch (error) {
        bug ??= { error };
      }
    }
    const failed = results.filter((r) => !r.ok || (values.strict && r.warnings.length > 0));
    if (values.json) io.stdout(json(results.map((r) => toJson(r, io.cwd))));
    else io.stdout(renderFindings(results, colorOf(io)));
    if (bug) throw bug.error;
    return failed.length > 0 ? ExitCode.Failure : ExitCode.Ok;
  },
};

type PolicyFileResult = (
  { ok: true; file: string; warnings: LocatedIssue[]; name: string } | { ok: false; file: string; errors: LocatedIssue[]; warnings: LocatedIssue[] }
) & {
  kind: 'policies' | 'policy-tests';
};

/** A pipeline file, an organisation policy file (kind: Policies) or a policy cases file (kind: PolicyTests). */
async function checkFile(absolute: string, file: string): Promise<LoadResult | PolicyFileResult> {
  // Only a regular file of sane size is peeked at (a FIFO would block): the pipeline loader reports the rest.
  const info = await stat(absolute).catch(() => null);
  const text = info?.isFile() && info.size <= 4 * 1024 * 1024 ? await readFile(absolute, 'utf8').catch(() => null) : null;
  const kind = text === null ? 'pipeline' : fileKind(text);
  if (kind === 'pipeline') return loadPipelineFile(absolute, file);
  const loaded = kind === 'policies' ? await loadPolicyFile(absolute, file) : parseLocated(text!, file, PolicyCasesShape, 'cases file');
  if (!loaded.ok) return { ok: false, file, errors: loaded.errors, warnings: [], kind };
  return { ok: true, file, warnings: [], name: 'metadata' in loaded.value ? loaded.value.metadata.name : file, kind };
}

async function pipelineFiles(paths: string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    const info = await stat(absolute).catch(() => {
      throw new UsageError(`cannot read ${path}: no such file or directory. Pass pipeline files or directories that hold them`);
    });
    if (info.isDirectory()) {
      // Files and links named *.yaml; a directory of that name is searched, not read. A link
      // that leads nowhere is kept: the loader reports it as a finding of that file.
      const entries = await readdir(absolute, { recursive: true, withFileTypes: true }).catch((e: unknown) => {
        throw new UsageError(`cannot list ${path}: ${(e as { code?: string }).code ?? String(e)}. Pass pipeline files or directories you can read`);
      });
      const found = entries
        .filter((entry) => PIPELINE_FILE.test(entry.name) && !entry.isDirectory())
        .map((entry) => join(entry.parentPath, entry.name))
        .sort()
        .map((path) => displayPath(cwd, path));
      if (found.length === 0) throw new UsageError(`${path} holds no *.yaml or *.yml files`);
      files.push(...found);
    } else {
      files.push(displayPath(cwd, absolute));
    }
  }
  return [...new Set(files)];
}

/** Paths under the working directory relative to it (as editors link them), others absolute. */
function displayPath(cwd: string, absolute: string): string {
  const rel = relative(cwd, absolute);
  return rel.startsWith('..') ? absolute : rel;
}

function toJson(result: LoadResult | PolicyFileResult, _cwd: string) {
  const issue = ({ file: _file, ...rest }: LocatedIssue) => ({ ...rest, path: formatPath(rest.path) });
  if ('kind' in result) {
    return result.ok
      ? { file: result.file, kind: result.kind, valid: true, errors: [], warnings: [] }
      : { file: result.file, kind: result.kind, valid: false, errors: result.errors.map(issue), warnings: [] };
  }
  return result.ok
    ? { file: result.file, valid: true, errors: [], warnings: result.warnings.map(issue), pipeline: result.spec.name }
    : { file: result.file, valid: false, errors: result.errors.map(issue), warnings: result.warnings.map(issue) };
}
