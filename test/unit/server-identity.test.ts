/**
 * What ramp server itself decides about people (server/identity.ts): starts (promote, rollback)
 * and drift decisions by the pipeline's access block, service tokens by their scope; everything
 * said to a running promotion is left to the workflow (null here), which records it.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { serverIdentity } from '../../server/identity.js';
import { ServiceTokenStore } from '../../src/identity/service-tokens.js';
import { ActorMethod } from '../../src/identity/actor.js';
import { person } from '../support/actors.js';
import { seedPipeline } from '../support/pipelines.js';

const pipeline = seedPipeline({
  name: 'web',
  access: [
    '    grants:',
    '      - { who: ["group:release-managers"], may: [promote, rollback] }',
    '      - { who: ["group:sre"], may: [drift], stages: [production] }',
  ].join('\n'),
  stages: { preview: {}, production: {} },
});

describe('ramp server: what it decides before forwarding', () => {
  test('starts and drift decisions follow the access block; commands to running promotions are the workflow’s', async () => {
    const { authorize } = serverIdentity({ issuer: undefined, audience: 'ramp', groupsClaim: 'groups', serviceTokensFile: undefined });
    const alice = person('alice', ['release-managers']);
    const bob = person('bob', ['sre']);
    const mallory = person('mallory');
    const table: [string, Parameters<typeof authorize>, RegExp | null][] = [
      ['a release manager promotes', [alice, 'promote', pipeline, null], null],
      ['mallory may not promote', [mallory, 'promote', pipeline, null], /mallory may not promote web: the access block grants promote/],
      ['mallory may not roll back production', [mallory, 'rollback', pipeline, 'production'], /mallory may not roll back production of web/],
      ['sre decides drift in production', [bob, 'drift', pipeline, 'production'], null],
      ['a release manager may not decide drift', [alice, 'drift', pipeline, 'production'], /alice may not decide drift on production of web/],
      ['operate: the workflow decides (and records)', [mallory, 'operate', pipeline, 'production'], null],
      ['approve: the workflow decides (and records)', [mallory, 'approve', pipeline, 'production'], null],
    ];
    assert.ok(table.length > 0);
    for (const [what, args, refusal] of table) {
      const answer = await authorize(...args);
      if (refusal === null) assert.equal(answer, null, what);
      else assert.match(answer ?? '', refusal, what);
    }
  });

  test('a service token may do only what its scope names, on the pipelines it names', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'ramp-tokens-')), 'tokens.json');
    const store = new ServiceTokenStore(file);
    const created = await store.create({ name: 'alerts', scope: { permissions: ['operate'], pipelines: ['web'] }, createdBy: 'admin' });
    const { authenticator, authorize } = serverIdentity({ issuer: undefined, audience: 'ramp', groupsClaim: 'groups', serviceTokensFile: file });
    const actor = await authenticator.authenticate(`Bearer ${created.token}`);
    assert.equal(actor.method, ActorMethod.ServiceToken);
    assert.equal(await authorize(actor, 'operate', pipeline, 'production'), null);
    assert.match((await authorize(actor, 'promote', pipeline, null)) ?? '', /service token alerts may not promote web: its scope is operate on web/);
    const other = seedPipeline({ name: 'api', stages: { preview: {} } });
    assert.match((await authorize(actor, 'operate', other, 'preview')) ?? '', /may not operate api/);
  });
});
