/**
 * Writes src/schema/pipeline.schema.json from the zod schema (`npm run schema`).
 * test/unit/json-schema.test.ts fails when the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { pipelineJsonSchema } from '../src/schema/json-schema.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../src/schema/pipeline.schema.json', import.meta.url));

export function renderSchema(): string {
  return `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(SCHEMA_FILE, renderSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
