/** Validation findings as data: a field path, what is wrong, and what to do about it. */

export type IssuePath = readonly (string | number)[];

export const Severity = { Error: 'error', Warning: 'warning' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export interface SpecIssue {
  severity: Severity;
  /** A stable identifier of the check that produced the issue (`unknown-field`, `weights-decrease`, ...). */
  code: string;
  /** Where in the document, in the author's terms: `spec.stages[1].strategy.canary.steps[0]`. */
  path: IssuePath;
  /** What is wrong, then (after ". ") what to do. */
  message: string;
  /** Point at the key of `path` rather than its value (unknown fields, duplicate names). */
  atKey?: boolean;
}

export interface LocatedIssue extends SpecIssue {
  file: string;
  line: number;
  column: number;
}

export function formatPath(path: IssuePath): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out === '' ? '(document)' : out;
}

export function error(code: string, path: IssuePath, message: string, extra: Partial<SpecIssue> = {}): SpecIssue {
  return { severity: Severity.Error, code, path, message, ...extra };
}

export function warning(code: string, path: IssuePath, message: string, extra: Partial<SpecIssue> = {}): SpecIssue {
  return { severity: Severity.Warning, code, path, message, ...extra };
}
