/**
 * GET /api/v1/policies: the policies in force as the server read them at start — the
 * organisation's files, and a pipeline's own before them — with the hashes promotions pin; and
 * a server that will not start on an invalid policy file, saying where.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPolicyFiles } from '../../src/governance/policy-files.js';
import { policyHash } from '../../src/governance/policy-hash.js';
import { testServer, tokenOf } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PIPELINES = path.join(ROOT, 'pipelines');
const ORG = path.join(PIPELINES, 'policies', 'org.yaml');

interface Listed {
  policies: { name: string; source: string; hash: string; effect: string }[];
}

describe('GET /api/v1/policies', () => {
  test("the organisation's policies, and a pipeline's own first, each with its source and pinned hash", async () => {
    const policyFiles = await loadPolicyFiles([ORG]);
    const server = await testServer({ env: { TEMPORAL_ADDRESS: '127.0.0.1:1' }, pipelinesDir: PIPELINES, policyFiles });
    const get = async (query: string) => {
      const response = await server.app.request(`/api/v1/policies${query}`, { headers: { authorization: tokenOf('alice') } });
      return { status: response.status, body: (await response.json()) as Listed };
    };

    const org = await get('');
    assert.equal(org.status, 200);
    const fromFile = policyFiles[0]!.spec.policies;
    assert.ok(fromFile.length > 0, 'the example organisation file has policies');
    assert.deepEqual(
      org.body.policies.map((p) => [p.name, p.source, p.hash]),
      fromFile.map((p) => [p.name, ORG, policyHash(p)]),
    );

    const web = await get('?pipeline=web');
    assert.equal(web.status, 200);
    const own = web.body.policies.filter((p) => p.source === 'pipeline');
    assert.ok(own.length > 0, 'pipelines/web.yaml has policies of its own');
    assert.deepEqual(
      web.body.policies.map((p) => p.source),
      [...own.map(() => 'pipeline'), ...fromFile.map(() => ORG)],
      "the pipeline's own come first, as a promotion pins them",
    );

    assert.equal((await get('?pipeline=nope')).status, 404);
    const anonymous = await server.app.request('/api/v1/policies');
    assert.equal(anonymous.status, 401);
  });

  test('an invalid policy file stops the server at start, naming the file, line and field', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ramp-policies-'));
    try {
      const file = path.join(dir, 'broken.yaml');
      await writeFile(
        file,
        [
          'apiVersion: ramp/v1',
          'kind: Policies',
          'metadata: { name: broken }',
          'policies:',
          '  - name: x',
          '    at: [stage-start]',
          '    when: nope.field',
          '    effect: deny',
          '    message: m',
          '',
        ].join('\n'),
      );
      await assert.rejects(loadPolicyFiles([file]), (error: Error) => {
        assert.match(
          error.message,
          new RegExp(`^the organisation policy file ${file.replace(/[.]/g, '\\.')} \\(RAMP_POLICY_FILES\\) is invalid: 7:\\d+ policies\\[0\\]\\.when: `),
        );
        assert.match(error.message, /Fix it \(ramp validate /);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
