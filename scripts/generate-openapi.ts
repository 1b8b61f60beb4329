/**
 * Writes docs/api/openapi.json — the OpenAPI document `ramp server` serves at
 * /api/v1/openapi.json, generated from its zod schemas (server/openapi.ts) — so the published
 * reference cannot drift from the routes (`npm run openapi`). test/unit/server-openapi.test.ts
 * fails when the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../server/openapi.js';
import { renderApiReference, type OpenApiDocument } from './api-reference.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/api/openapi.json', import.meta.url));
export const REFERENCE_FILE = fileURLToPath(new URL('../docs/api/README.md', import.meta.url));

/** The human reference, rendered from the same document. */
export function renderReference(): string {
  return renderApiReference(openApiDocument('v1') as unknown as OpenApiDocument);
}

/** The document as committed: no version in it (it would change with every release), two-space JSON. */
export function renderOpenApi(): string {
  return `${JSON.stringify(openApiDocument('v1'), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(OPENAPI_FILE, renderOpenApi());
  await writeFile(REFERENCE_FILE, renderReference());
  console.log(`wrote ${OPENAPI_FILE} and ${REFERENCE_FILE}`);
}
