/**
 * Writes docs/schemas/status.schema.json — the shape `ramp status --json` prints (cli/follow.ts
 * `Snapshot`: the promotion's status and the live stage's) — from the TypeScript types the
 * workflows return, so the published schema cannot drift from them (`npm run schema`).
 * test/unit/status-schema.test.ts fails when the committed file is stale, and checks real
 * statuses against it.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

export const STATUS_SCHEMA_FILE = fileURLToPath(new URL('../docs/schemas/status.schema.json', import.meta.url));

export function renderStatusSchema(): string {
  const generator = createGenerator({
    path: fileURLToPath(new URL('../cli/follow.ts', import.meta.url)),
    tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)),
    type: 'Snapshot',
    expose: 'export',
    topRef: false,
    jsDoc: 'extended',
    skipTypeCheck: true,
    additionalProperties: false,
  });
  const schema = {
    $id: 'https://ramp.dev/schemas/status.schema.json',
    title: 'ramp status --json',
    ...generator.createSchema('Snapshot'),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(STATUS_SCHEMA_FILE, renderStatusSchema());
  console.log(`wrote ${STATUS_SCHEMA_FILE}`);
}
