/**
 * read → parse YAML → shape (zod) → normalise (zod transforms) → cross-field rules.
 * Every problem is reported at once, located at its node, errors apart from warnings.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments } from 'yaml';
import { Severity, error, type LocatedIssue, type SpecIssue } from './issue.js';
import { locate } from './locate.js';
import { PipelineInputSchema, type PipelineSpec } from './pipeline.js';
import { checkRules } from './rules.js';
import { fromZodIssues } from './zod-issues.js';

export type LoadResult =
  | { ok: true; file: string; spec: PipelineSpec; warnings: LocatedIssue[] }
  | { ok: false; file: string; errors: LocatedIssue[]; warnings: LocatedIssue[] };

/** Validates pipeline YAML text; `file` is only used to label the findings. */
export function loadPipelineSource(source: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(source, { lineCounter, prettyErrors: false });
  const documents = Array.isArray(docs) ? docs : [];
  const at = (offset: number) => lineCounter.linePos(offset);

  // Only the first syntax error: the ones after it mostly follow from it.
  const syntax: LocatedIssue[] = documents.flatMap((doc) => doc.errors).slice(0, 1).map((e) => {
      const { line, col } = at(e.pos[0]);
      return { severity: Severity.Error, code: 'yaml-syntax', path: [], message: yamlMessage(e.message), file, line, column: col };
    });
  if (syntax.length > 0) return { ok: false, file, errors: syntax, warnings: [] };

  const [doc, ...extra] = documents.filter((d) => d.contents !== null);
  if (!doc) {
    return { ok: false, file, errors: [{ ...error('empty-document', [], 'the file holds no pipeline. Start it with apiVersion: ramp/v1 and kind: Pipeline'), file, line: 1, column: 1 }], warnings: [] };
  }
  if (extra.length > 0) {
    const { line, col } = at(extra[0]!.range[0]);
    return { ok: false, file, errors: [{ ...error('multiple-documents', [], 'a file holds one pipeline, this one has several documents. Split them into one file each'), file, line, column: col }], warnings: [] };
  }

  const locateAll = (issues: SpecIssue[]): LocatedIssue[] =>
    issues
      .map((issue) => ({ ...issue, file, ...locate(doc, lineCounter, issue.path, issue.atKey) }))
      .sort((a, b) => a.line - b.line || a.column - b.column);

  const input: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = PipelineInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, file, errors: locateAll(fromZodIssues(parsed.error.issues, input)), warnings: [] };
  }

  const findings = checkRules(parsed.data);
  const errors = locateAll(findings.filter((f) => f.severity === Severity.Error));
  const warnings = locateAll(findings.filter((f) => f.severity === Severity.Warning));
  return errors.length > 0 ? { ok: false, file, errors, warnings } : { ok: true, file, spec: parsed.data, warnings };
}

/** Reads and validates one pipeline file (labelled `label` in findings). Throws only when it cannot be read. */
export async function loadPipelineFile(file: string, label = file): Promise<LoadResult> {
  return loadPipelineSource(await readFile(file, 'utf8'), label);
}

function yamlMessage(message: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
  return `YAML syntax: ${first}`;
}

