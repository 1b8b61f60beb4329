/**
 * Reading a small YAML document against a zod schema with every problem located at its line
 * (`file:line:col  field  message`, as `ramp validate` prints them): organisation policy files
 * and `ramp policy test` cases files. Bounded: a file past MAX_BYTES, a YAML error, aliases
 * past MAX_ALIASES or several documents are findings, never exceptions.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { error, type LocatedIssue, type SpecIssue } from '../schema/issue.js';
import { Locator } from '../schema/locate.js';
import { fromZodIssues } from '../schema/zod-issues.js';

export const MAX_BYTES = 1024 * 1024;
const MAX_ALIASES = 100;

export type Located<T> = { ok: true; value: T } | { ok: false; errors: LocatedIssue[] };

export function parseLocated<S extends z.ZodType>(source: string, file: string, schema: S, what: string): Located<z.output<S>> {
  const at = (issue: SpecIssue, line = 1, column = 1): Located<z.output<S>> => ({ ok: false, errors: [{ ...issue, file, line, column }] });
  if (Buffer.byteLength(source, 'utf8') > MAX_BYTES) return at(error('too-large', [], `the file is larger than 1 MiB, the most ${what} holds. Split it`));
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(source, { lineCounter, uniqueKeys: true });
  if (!Array.isArray(documents)) return at(error('empty-document', [], `the file holds no ${what}`));
  const syntax = documents.flatMap((d) => d.errors)[0];
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    return at(error('yaml-syntax', [], `YAML syntax: ${(syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`), line, col);
  }
  const [doc, ...extra] = documents.filter((d) => d.contents !== null);
  if (!doc) return at(error('empty-document', [], `the file holds no ${what}`));
  if (extra.length > 0) {
    const { line, col } = lineCounter.linePos(extra[0]!.range[0]);
    return at(error('multiple-documents', [], `a file holds one ${what}, this one has several documents. Split them into one file each`), line, col);
  }
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    return at(error('yaml-unsupported', [], `the YAML cannot be read as plain data: ${e instanceof Error ? e.message : String(e)}`));
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const locator = new Locator(doc, lineCounter);
  const errors = fromZodIssues(parsed.error.issues, input)
    .map((issue) => ({ ...issue, file, ...locator.locate(issue.path, issue.atKey) }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, errors };
}
