/**
 * ramp server's OpenAPI document: the committed docs/api/openapi.json is what `npm run openapi`
 * writes now, every route the app serves is in it (and nothing else), and every $ref resolves.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { OPENAPI_FILE, REFERENCE_FILE, renderOpenApi, renderReference } from '../../scripts/generate-openapi.js';
import { testServer } from '../support/server.js';

describe('the OpenAPI document', () => {
  test('docs/api/openapi.json is current (npm run openapi writes it)', async () => {
    assert.equal(await readFile(OPENAPI_FILE, 'utf8'), renderOpenApi(), 'docs/api/openapi.json is stale: run npm run openapi');
    assert.equal(await readFile(REFERENCE_FILE, 'utf8'), renderReference(), 'docs/api/README.md is stale: run npm run openapi');
    assert.match(renderReference(), /## POST \/api\/v1\/promotions\/\{id\}\/stages\/\{stage\}\/approve/);
  });

  test('it describes exactly the routes the server serves, and its references resolve', async () => {
    const server = await testServer({ env: { TEMPORAL_ADDRESS: '127.0.0.1:1' }, pipelinesDir: '/nonexistent' });
    try {
      const served = new Set(
        server.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([a-z]+)/g, '{$1}')}`),
      );
      const response = await server.app.request('/api/v1/openapi.json');
      assert.equal(response.status, 200);
      const document = (await response.json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
      const described = new Set(Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)));
      assert.deepEqual([...served].sort(), [...described].sort());
      const text = JSON.stringify(document);
      for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
        assert.ok(name! in document.components.schemas, `unresolved $ref ${name}`);
      assert.ok('StatusSnapshot' in document.components.schemas && 'StageStatus' in document.components.schemas);
    } finally {
      await server.close();
    }
  });
});
