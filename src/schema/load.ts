/**
 * read → parse YAML → structure (limits, aliases, duplicate keys) → shape (zod) → normalise
 * (zod transforms) → cross-field rules. Every problem is reported at once, located at its node,
 * errors apart from warnings; where the shape is wrong, the rules still judge the parts that
 * are right. Any input — of any size, depth or content — gets findings in bounded time and
 * memory (limits.ts); nothing here throws for what a file holds.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { CST, Composer, Lexer, LineCounter, Parser, type Document } from 'yaml';
import { inspectStructure } from './inspect.js';
import { Severity, error, type LocatedIssue, type SpecIssue } from './issue.js';
import { Limits } from './limits.js';
import { Locator } from './locate.js';
import { boundMessage } from './messages.js';
import { partialRuleFindings } from './partial.js';
import { PipelineInputSchema, type PipelineSpec } from './pipeline.js';
import { checkRules } from './rules.js';
import { fromZodIssues } from './zod-issues.js';

export type LoadResult =
  { ok: true; file: string; spec: PipelineSpec; warnings: LocatedIssue[] } | { ok: false; file: string; errors: LocatedIssue[]; warnings: LocatedIssue[] };

const MIB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;

/** Validates pipeline YAML text; `file` is only used to label the findings. */
export function loadPipelineSource(source: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const at = (offset: number) => lineCounter.linePos(offset);
  const fail = (issue: SpecIssue, offset = 0): LoadResult => {
    const { line, col } = at(offset);
    return finish(file, [{ ...issue, file, line: Math.max(line, 1), column: Math.max(col, 1) }], []);
  };

  const bytes = source.length > Limits.fileBytes / 4 ? Buffer.byteLength(source, 'utf8') : source.length;
  if (bytes > Limits.fileBytes) {
    return fail(
      error('too-large', [], `the file is ${MIB(bytes)}; a pipeline file holds at most ${MIB(Limits.fileBytes)}. Split it, or remove what is not the pipeline`),
    );
  }
  const tokens = parseTokens(source, lineCounter);
  if ('tooDeepAt' in tokens) {
    return fail(
      error('too-deep', [], `the YAML is nested more than ${Limits.depth} levels deep here, the most a pipeline may nest. Flatten it`),
      tokens.tooDeepAt,
    );
  }
  if ('tooLargeAt' in tokens) {
    return fail(
      error(
        'too-large',
        [],
        `the file holds more than ${Limits.nodes.toLocaleString('en')} values by here, the most a pipeline may hold. Remove what is not the pipeline`,
      ),
      tokens.tooLargeAt,
    );
  }
  const documents = compose(tokens.tokens);

  // Only the first syntax error: the ones after it mostly follow from it.
  const syntax = documents.flatMap((doc) => doc.errors)[0];
  if (syntax) return fail(error('yaml-syntax', [], yamlMessage(syntax.message)), syntax.pos[0]);

  const [doc, ...extra] = documents.filter((d) => d.contents !== null);
  if (!doc) return fail(error('empty-document', [], 'the file holds no pipeline. Start it with apiVersion: ramp/v1 and kind: Pipeline'));
  if (extra.length > 0) {
    return fail(
      error('multiple-documents', [], 'a file holds one pipeline, this one has several documents. Split them into one file each'),
      extra[0]!.range[0],
    );
  }

  const structure = inspectStructure(doc, lineCounter, file);
  if (structure.length > 0) return finish(file, structure, []);

  const converted = toJS(doc);
  if (!converted.ok)
    return fail(error('yaml-unsupported', [], `the YAML cannot be read as plain data: ${converted.message}. Write plain mappings, lists and scalars`));
  const input = converted.value;

  const locator = new Locator(doc, lineCounter);
  const locateAll = (issues: SpecIssue[]): LocatedIssue[] => issues.map((issue) => ({ ...issue, file, ...locator.locate(issue.path, issue.atKey) }));
  const parsed = PipelineInputSchema.safeParse(input);
  const shape = parsed.success ? [] : fromZodIssues(parsed.error.issues, input);
  const findings = parsed.success
    ? checkRules(parsed.data)
    : partialRuleFindings(
        input,
        shape.map((issue) => issue.path),
      );
  const errors = locateAll([...shape, ...findings.filter((f) => f.severity === Severity.Error)]);
  const warnings = locateAll(findings.filter((f) => f.severity === Severity.Warning));
  return parsed.success && errors.length === 0 ? { ok: true, file, spec: parsed.data, warnings: bound(warnings) } : finish(file, errors, warnings);
}

/**
 * Reads and validates one pipeline file (labelled `label` in findings). Never throws for the
 * file: one that cannot be read (missing, a directory, a dangling link, too large) is a finding.
 */
export async function loadPipelineFile(file: string, label = file): Promise<LoadResult> {
  const read = await readBounded(file);
  if (typeof read === 'string') return loadPipelineSource(read, label);
  return finish(label, [{ ...error(read.code, [], read.message), file: label, line: 1, column: 1 }], []);
}

/** The file's text, reading at most one byte past the size limit; or why it cannot be read. */
async function readBounded(file: string): Promise<string | { code: string; message: string }> {
  let handle;
  try {
    // Non-blocking, so that a FIFO named like a pipeline is reported rather than waited on.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { code: 'unreadable', message: `cannot read the file: ${describeFsError(e)}. Check the path and its permissions` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      return { code: 'unreadable', message: `this is ${info.isDirectory() ? 'a directory' : 'not a regular file'}, not a pipeline file. Pass a .yaml file` };
    if (info.size > Limits.fileBytes) {
      return {
        code: 'too-large',
        message: `the file is ${MIB(info.size)}; a pipeline file holds at most ${MIB(Limits.fileBytes)}. Split it, or remove what is not the pipeline`,
      };
    }
    const buffer = Buffer.alloc(Limits.fileBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > Limits.fileBytes) {
        return {
          code: 'too-large',
          message: `the file is larger than ${MIB(Limits.fileBytes)}, the most a pipeline file holds. Split it, or remove what is not the pipeline`,
        };
      }
    }
    return buffer.toString('utf8', 0, length);
  } catch (e) {
    return { code: 'unreadable', message: `cannot read the file: ${describeFsError(e)}. Check the path and its permissions` };
  } finally {
    await handle.close();
  }
}

function describeFsError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file (or a link to a file that does not exist)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ELOOP':
      return 'a loop of symbolic links';
    default:
      return typeof code === 'string' ? code : 'unknown error';
  }
}

/** Lexemes that start a value, or a problem: counted while reading, against the node limit. */
const VALUE_LEXEMES = new Set<string | null>([
  null,
  'scalar',
  'single-quoted-scalar',
  'double-quoted-scalar',
  'block-scalar-header',
  'alias',
  'flow-map-start',
  'flow-seq-start',
  'seq-item-ind',
  'comma',
  'doc-start',
  'directive-line',
]);

/**
 * The CST of `source`, lexed and parsed a token at a time so that the nesting and the size are
 * checked as they grow: yaml's composer recurses once per level, its parser slows down with
 * depth, and every value (or broken line) costs time in the composer.
 */
function parseTokens(source: string, lineCounter: LineCounter): { tokens: CST.Token[] } | { tooDeepAt: number } | { tooLargeAt: number } {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  const tokens: CST.Token[] = [];
  // The parser's stack holds the document, each open collection, and at most a pair's parts.
  const maxStack = Limits.depth + 3;
  let values = 0;
  let inScalar = false;
  for (const lexeme of new Lexer().lex(source)) {
    // After a plain-scalar marker comes the scalar's text, whatever it looks like.
    if (!inScalar && VALUE_LEXEMES.has(CST.tokenType(lexeme)) && ++values > 2 * Limits.nodes) return { tooLargeAt: parser.offset };
    inScalar = !inScalar && lexeme === CST.SCALAR;
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > maxStack) return { tooDeepAt: parser.offset };
  }
  for (const token of parser.end()) tokens.push(token);
  return { tokens };
}

/** The documents of a CST. A broken file may yield an error per line: they are made without stack traces. */
function compose(tokens: CST.Token[]): Document.Parsed[] {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return Array.from(new Composer({ uniqueKeys: false }).compose(tokens));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function toJS(doc: Document): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    // Aliases are checked (and bounded) by inspectStructure, so yaml's own count is off.
    return { ok: true, value: doc.toJS({ maxAliasCount: -1 }) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/** Sorted by position, messages bounded, at most Limits.findings of them with a last one counting the rest. */
function bound(issues: LocatedIssue[]): LocatedIssue[] {
  const sorted = issues.map((issue) => ({ ...issue, message: boundMessage(issue.message) })).sort((a, b) => a.line - b.line || a.column - b.column);
  if (sorted.length <= Limits.findings) return sorted;
  const shown = sorted.slice(0, Limits.findings);
  const last = shown[shown.length - 1]!;
  const more = sorted.length - shown.length;
  return [
    ...shown,
    {
      ...last,
      code: 'more-findings',
      path: [],
      message: `and ${more.toLocaleString('en')} more ${last.severity === 'error' ? 'errors' : 'warnings'} like these, not shown. Fix these first`,
    },
  ];
}

function finish(file: string, errors: LocatedIssue[], warnings: LocatedIssue[]): LoadResult {
  return { ok: false, file, errors: bound(errors), warnings: bound(warnings) };
}

function yamlMessage(message: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
  return `YAML syntax: ${first}`;
}
