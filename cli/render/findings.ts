/** What `ramp validate` prints for pipeline files: every finding at file:line:col, then a summary. */
import { formatPath, type LocatedIssue } from '../../src/schema/issue.js';
import type { LoadResult } from '../../src/schema/load.js';
import { palette } from '../output.js';

/** A checked file: a pipeline (LoadResult) or an organisation policy file. */
export type CheckedFile = (Pick<Extract<LoadResult, { ok: true }>, 'ok' | 'file' | 'warnings'> | Extract<LoadResult, { ok: false }>) & {
  /** Absent: a pipeline. */
  kind?: 'policies' | 'policy-tests';
};

export function renderFindings(results: readonly CheckedFile[], color: boolean): string {
  const c = palette(color);
  const line = (issue: LocatedIssue) => {
    const label = issue.severity === 'error' ? c.red('error') : c.yellow('warning');
    return `${issue.file}:${issue.line}:${issue.column}  ${c.bold(formatPath(issue.path))}  ${label}: ${issue.message}\n`;
  };
  let out = '';
  for (const result of results) {
    const issues = [...(result.ok ? [] : result.errors), ...result.warnings].sort((a, b) => a.line - b.line || a.column - b.column);
    if (result.ok)
      out += `${result.file}: ${c.green('valid')}${result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length > 1 ? 's' : ''})` : ''}\n`;
    out += issues.map(line).join('');
  }
  // Policy files among them: the summary counts files, not pipelines.
  const noun = results.some((r) => r.kind !== undefined) ? 'file' : 'pipeline';
  const invalid = results.filter((r) => !r.ok).length;
  const errors = results.reduce((n, r) => n + (r.ok ? 0 : r.errors.length), 0);
  const warnings = results.reduce((n, r) => n + r.warnings.length, 0);
  out +=
    invalid === 0
      ? `${results.length} ${noun}${results.length === 1 ? '' : 's'} valid${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`
      : `${invalid} of ${results.length} ${noun}${results.length === 1 ? '' : 's'} invalid: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`;
  return out;
}
