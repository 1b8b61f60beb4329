/** The published schema of `ramp status --json` is generated from the workflows' types and committed. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { renderStatusSchema, STATUS_SCHEMA_FILE } from '../../scripts/generate-status-schema.js';

test('docs/schemas/status.schema.json matches the types (run `npm run schema` after changing them)', async () => {
  assert.equal(await readFile(STATUS_SCHEMA_FILE, 'utf8'), renderStatusSchema());
});
