/**
 * The list of variables in `ramp worker --help`, generated from the schema (variables.ts) and
 * envconfig's TEMPORAL_* variables (temporal.ts), so the help cannot drift from what is read.
 */
import os from 'node:os';
import type { z } from 'zod';
import { TEMPORAL_VARIABLES } from './temporal.js';
import { cliVariables, metaOf, patternVariables, serverVariables, workerVariables, type Reader } from './variables.js';

/** One `NAME  description (default …)` entry per variable `reader` reads, wrapped to `width` columns. */
export function variablesUsage(reader: Reader = 'worker', width = 100): string {
  const shape: Record<string, z.ZodType> = { ...workerVariables, ...cliVariables, ...serverVariables };
  const entries: [string, string][] = [];
  for (const variable of TEMPORAL_VARIABLES) entries.push([variable.name, variable.description]);
  for (const [name, schema] of Object.entries(shape)) {
    const meta = metaOf(schema);
    if (!meta.readers.includes(reader)) continue;
    const choices = meta.expected.startsWith('one of ') ? `: ${meta.expected.slice('one of '.length)}` : '';
    entries.push([name, `${meta.description}${choices} (${defaultText(schema)})`]);
  }
  for (const pattern of patternVariables) if (pattern.readers.includes(reader)) entries.push([pattern.name, pattern.description]);
  const nameWidth = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, text]) => wrap(`  ${name.padEnd(nameWidth)}  `, text, width)).join('\n');
}

/** `default 30s`, or what happens when the variable is unset. */
export function defaultText(schema: z.ZodType): string {
  const meta = metaOf(schema);
  const value = schema.safeParse(undefined);
  const fallback: unknown = value.success ? value.data : undefined;
  if (fallback === undefined || (Array.isArray(fallback) && fallback.length === 0)) return `default: ${meta.unset ?? 'unset'}`;
  const text = Array.isArray(fallback)
    ? fallback.join(',')
    : typeof fallback === 'string' || typeof fallback === 'number'
      ? String(fallback)
      : JSON.stringify(fallback);
  return `default ${text.startsWith(os.homedir()) ? `~${text.slice(os.homedir().length)}` : text}`;
}

function wrap(prefix: string, text: string, width: number): string {
  const indent = ' '.repeat(prefix.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && prefix.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.map((l, i) => `${i === 0 ? prefix : indent}${l}`).join('\n');
}
