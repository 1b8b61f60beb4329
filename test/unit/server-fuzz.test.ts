/**
 * Generated hostile requests against every route of ramp server that takes outside data: paths
 * with traversal, bad percent-encoding, huge and odd segments; query strings with repeats and
 * nonsense numbers; bodies that are not JSON, not objects, wrongly typed, huge, deeply nested,
 * with prototype keys; odd methods and Authorization headers. Every answer is an answer: never
 * a 500, always `{ error, message, hint }` for an error, and never the caller's token echoed.
 *
 * Temporal-free: the server's Temporal link is replaced by one that is always unreachable (a
 * fake of ramp's own TemporalLink), so a request that passes every check answers 503; the
 * CLI's reads (list, history, drift) find nothing listening at 127.0.0.1:1.
 *
 * Seeded: RAMP_FUZZ_SEED=<n> picks another set; RAMP_FUZZ_CASES=<n> scales it.
 */
import { FUZZ_SEED, prng, type Random } from '../support/random.js';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../../server/errors.js';
import { pipelineYaml } from '../support/pipelines.js';
import { testServer, tokenOf, type TestServer } from '../support/server.js';

const SEED = FUZZ_SEED;
const CASES = Number(process.env.RAMP_FUZZ_CASES ?? 600);
const REPRODUCE = `seed ${SEED}; reproduce with RAMP_FUZZ_SEED=${SEED} npx tsx scripts/test.ts --no-check test/unit/server-fuzz.test.ts`;

/** Every route that takes outside data, as templates; `:x` segments are generated. */
const ROUTES: readonly [string, string][] = [
  ['GET', '/api/v1/me'],
  ['POST', '/api/v1/promotions'],
  ['POST', '/api/v1/rollbacks'],
  ['GET', '/api/v1/promotions'],
  ['GET', '/api/v1/promotions/:id'],
  ['GET', '/api/v1/promotions/:id/events'],
  ...['approve', 'reject', 'pause', 'resume', 'skip'].map((a): [string, string] => ['POST', `/api/v1/promotions/:id/stages/:stage/${a}`]),
  ['POST', '/api/v1/promotions/:id/abort'],
  ['POST', '/api/v1/promotions/:id/retry'],
  ['GET', '/api/v1/pipelines/:pipeline/history'],
  ['GET', '/api/v1/pipelines/:pipeline/drift'],
  ['POST', '/api/v1/pipelines/:pipeline/stages/:stage/drift/accept'],
  ['POST', '/api/v1/pipelines/:pipeline/stages/:stage/drift/reject'],
];

const SEGMENTS = [
  'web',
  'web@1.4.2',
  'web@1.3.0:rollback:production',
  'production',
  'preview',
  '',
  '..',
  '%2e%2e',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '%F0%9F%92%A9',
  '💩',
  'ÄÖÜ',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  'RampPipeline = "x" OR 1=1',
  'web@',
  '@1.0',
  'WEB@1.0',
  '-web@1.0',
  'web@.1',
  'web@1.0:rollback:',
  'web@1.0:rollback:a,,b',
  '__proto__',
  'constructor',
  ' ',
  '%20',
  'a'.repeat(64),
  'a'.repeat(5_000),
  `web@${'1'.repeat(200)}`,
];

const QUERY_KEYS = ['pipeline', 'phase', 'all', 'limit', 'stage', 'x', '__proto__', ''];
const QUERY_VALUES = [
  'web',
  'production',
  'true',
  'false',
  '1',
  '0',
  '-1',
  '1e309',
  'NaN',
  '1.5',
  '999999999999',
  '',
  '%zz',
  'a'.repeat(3_000),
  'Running',
  'x" OR 1=1',
];

const AUTHORIZATIONS = [
  tokenOf('alice'),
  tokenOf('nobody'),
  undefined,
  '',
  'Bearer',
  'Bearer ',
  'bearer token-alice',
  'Basic YWxpY2U6c2VjcmV0',
  `Bearer ${'x'.repeat(8_000)}`,
  'Bearer token-alice, Bearer token-bob',
  'Bearer token-alice\t',
];

function randomJson(r: Random, depth = 0): unknown {
  const kind = r.int(depth > 3 ? 5 : 8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1]);
    case 2:
      return r.chance(0.5);
    case 3:
      return r.pick(SEGMENTS);
    case 4:
      return r.pick(['', ' ', '\u0000', '\ud800', 'a'.repeat(r.pick([10, 3_000, 70_000]))]);
    case 5:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, () => [
          r.pick(['pipeline', 'version', 'stages', 'release', 'comment', 'reason', '__proto__', 'constructor', 'x']),
          randomJson(r, depth + 1),
        ]),
      );
  }
}

/** A body: mostly near a valid one, sometimes anything at all. */
function randomBody(r: Random): string | undefined {
  const valid: Record<string, unknown>[] = [
    { pipeline: 'web', version: '1.4.2' },
    { pipeline: 'web', version: '1.4.2', stages: ['production'], release: { commit: 'abc1234', authors: ['a@example.com'] } },
    { pipeline: 'web', version: '1.3.0', stages: ['production'] },
    { comment: 'ok' },
    { reason: 'because' },
    {},
  ];
  switch (r.int(9)) {
    case 0:
      return undefined;
    case 1:
      return r.pick(['', '{', 'null', '[]', '"x"', '42', '{"a":1}{', '\u0000\u0001', 'true', '{"__proto__":{"polluted":1}}']);
    case 2:
      return `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    case 3:
      return JSON.stringify(randomJson(r));
    case 4:
      return JSON.stringify({ ...r.pick(valid), pad: 'x'.repeat(70_000) });
    default: {
      const body: Record<string, unknown> = { ...r.pick(valid) };
      const key = r.pick(['pipeline', 'version', 'stages', 'release', 'comment', 'reason', 'extra', '__proto__']);
      if (r.chance(0.7)) body[key] = randomJson(r);
      return JSON.stringify(body);
    }
  }
}

interface FuzzCase {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string | undefined;
}

function randomCase(r: Random): FuzzCase {
  const [routeMethod, template] = r.pick(ROUTES);
  const method = r.chance(0.85) ? routeMethod : r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
  let path = template.replace(/:[a-z]+/g, () => encodeSegment(r, r.pick(SEGMENTS)));
  if (r.chance(0.1)) path = path.replace(/\/[^/]*$/, `/${r.pick(SEGMENTS)}`);
  if (r.chance(0.1)) path += r.pick(['/', '//', '/x', '/../../me']);
  if (r.chance(0.4)) {
    const pairs = Array.from({ length: 1 + r.int(3) }, () => `${r.pick(QUERY_KEYS)}=${r.pick(QUERY_VALUES)}`);
    path += `?${pairs.join('&')}`;
  }
  return {
    method,
    path,
    authorization: r.chance(0.6) ? tokenOf('alice') : r.chance(0.4) ? tokenOf('nobody') : r.pick(AUTHORIZATIONS),
    contentType: r.pick(['application/json', 'application/json', 'text/plain', undefined, 'multipart/form-data; boundary=x']),
    body: method === 'GET' || method === 'HEAD' ? undefined : randomBody(r),
  };
}

/** Segments as a client would put them in a URL: mostly encoded, sometimes raw. */
function encodeSegment(r: Random, segment: string): string {
  if (/%/.test(segment) || r.chance(0.2)) return segment.replace(/[?#/]/g, (c) => encodeURIComponent(c));
  return encodeURIComponent(segment);
}

describe('ramp server under generated hostile requests', () => {
  let dir: string;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ramp-server-fuzz-'));
    await writeFile(join(dir, 'web.yaml'), pipelineYaml({ name: 'web', stages: { preview: {}, production: { with: ['approval: { approvers: [alice] }'] } } }));
    server = await testServer({
      env: { TEMPORAL_ADDRESS: '127.0.0.1:1', RAMP_CONNECT_TIMEOUT_MS: '200', RAMP_UPDATE_TIMEOUT_MS: '200' },
      pipelinesDir: dir,
      limits: { rateBurst: 1_000_000, ratePerSecond: 1_000_000 },
    });
    // Always unreachable, at once (a fake of ramp's own TemporalLink).
    server.context.temporal.get = () => Promise.reject(new ApiError(503, 'ramp server cannot reach Temporal right now'));
  });

  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test(`never a 500, always the error shape (${CASES} cases, ${REPRODUCE})`, { timeout: 300_000 }, async () => {
    const r = prng(SEED);
    const seen = new Map<number, number>();
    // First, one request per check, so that the set-up is known to reach each; then the generated ones.
    const json = 'application/json';
    const anchors: FuzzCase[] = [
      { method: 'POST', path: '/api/v1/promotions', authorization: tokenOf('alice'), contentType: json, body: '{"pipeline":1}' },
      { method: 'GET', path: '/api/v1/me', authorization: undefined, contentType: undefined, body: undefined },
      { method: 'POST', path: '/api/v1/promotions', authorization: tokenOf('nobody'), contentType: json, body: '{"pipeline":"web","version":"1.0.0"}' },
      { method: 'POST', path: '/api/v1/promotions', authorization: tokenOf('alice'), contentType: json, body: '{"pipeline":"nope","version":"1.0.0"}' },
      { method: 'POST', path: '/api/v1/promotions', authorization: tokenOf('alice'), contentType: json, body: 'x'.repeat(70_000) },
      { method: 'POST', path: '/api/v1/promotions', authorization: tokenOf('alice'), contentType: json, body: '{"pipeline":"web","version":"1.0.0"}' },
    ];
    for (let i = 0; i < anchors.length + CASES; i++) {
      const c = anchors[i] ?? randomCase(r);
      const where = `case ${i}: ${c.method} ${c.path.slice(0, 120)} auth=${JSON.stringify(c.authorization?.slice(0, 30))} body=${JSON.stringify(c.body?.slice(0, 120))}; ${REPRODUCE}`;
      const headers: Record<string, string> = {};
      if (c.authorization !== undefined) headers.authorization = c.authorization;
      if (c.contentType !== undefined) headers['content-type'] = c.contentType;
      const response = await server.app.request(`http://ramp.test${c.path}`, { method: c.method, headers, ...(c.body === undefined ? {} : { body: c.body }) });
      seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
      assert.notEqual(response.status, 500, `${where}: ${await response.clone().text()}`);
      assert.ok([200, 201, 400, 401, 403, 404, 409, 413, 429, 503].includes(response.status), `${where}: status ${response.status}`);
      if (c.method === 'HEAD') continue;
      const text = await response.text();
      if (response.status >= 400) {
        const body = JSON.parse(text) as Record<string, unknown>;
        assert.deepEqual(Object.keys(body).sort(), ['error', 'hint', 'message'], where);
        for (const key of ['error', 'message', 'hint']) assert.equal(typeof body[key], 'string', where);
        assert.ok((body.message as string).length <= 2_000, `${where}: a message of ${(body.message as string).length} characters`);
        if (response.status === 401) assert.equal(response.headers.get('www-authenticate'), 'Bearer', where);
      }
      const credential = c.authorization?.replace(/^\S+\s+/, '').trim() ?? '';
      if (credential.length >= 8) assert.ok(!text.includes(credential), `${where}: the answer echoes the credential`);
    }
    // Every check answered at least once (the anchors make sure the set-up reaches each).
    for (const status of [400, 401, 403, 404, 413, 503]) assert.ok((seen.get(status) ?? 0) > 0, `no case answered ${status}: ${JSON.stringify([...seen])}`);
    assert.ok(!server.logs.some((line) => /token-alice|token-nobody/.test(line)), 'no token in the log');
  });
});
