/**
 * The CLI through ramp server (cli/http-backend.ts), against a small real HTTP server started
 * here that plays the server's side of ramp's own API contract (/api/v1): the requests the CLI
 * sends (method, path, JSON body, bearer token), and what the CLI prints and exits with for an
 * answer, a refusal (401, 403, 409, 503) and no server at all. The token is never printed.
 * The end-to-end test through the real `ramp server` is test/e2e (with both sides merged).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandIo } from '../../cli/command.js';
import { bearerToken } from '../../cli/http-backend.js';
import { saveCredentials } from '../../cli/credentials.js';
import { main } from '../../cli/main.js';
import { at, production, promotion } from '../cli/status-fixtures.js';
import { REPORT } from './dora-fixtures.js';

const TOKEN = 'tok-5ecret-do-not-print';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What the fake server answers to one route: JSON, or a Server-Sent Events stream. */
type Answer = { status: number; json?: unknown; sse?: string[]; headers?: Record<string, string>; hang?: boolean };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the CLI through ramp server (HttpBackend, a fake server of the /api/v1 contract)', () => {
  let server: Server;
  let url = '';
  const seen: Seen[] = [];
  let routes = new Map<string, (request: Seen) => Answer>();

  before(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        const request: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw === '' ? undefined : JSON.parse(raw) };
        seen.push(request);
        const route = routes.get(`${request.method} ${request.url.split('?')[0]}`);
        const answer = route ? route(request) : { status: 404, json: { error: 'not_found', message: `no route ${request.method} ${request.url}`, hint: null } };
        if (answer.hang) return; // never answers
        if (answer.sse) {
          res.writeHead(answer.status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          for (const chunk of answer.sse) res.write(chunk);
          res.end();
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.json));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  beforeEach(() => {
    seen.length = 0;
    routes = new Map();
  });

  /** `ramp <args>` with RAMP_SERVER and RAMP_TOKEN set (and `extra`); the token is never in the output. */
  async function ramp(args: string[], extra: Record<string, string | undefined> = {}): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const env = { RAMP_SERVER: url, RAMP_TOKEN: TOKEN, RAMP_POLL_MS: '20', PATH: process.env.PATH, ...extra };
    const io: CommandIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, cwd: process.cwd(), env };
    const code = await main(args, io);
    assert.ok(!stdout.includes(TOKEN) && !stderr.includes(TOKEN), 'the token is never printed');
    return { code, stdout, stderr };
  }

  const started = {
    promotionId: 'web@1.4.2',
    runId: 'r-1',
    pipeline: 'web',
    version: '1.4.2',
    kind: 'promote',
    stages: ['preview', 'production'],
    requestedBy: 'alice',
  };
  const snapshot = { promotion: promotion(), activeStage: production() };

  test('promote: POST /api/v1/promotions with the pipeline name, the version and the bearer token; prints what it prints today', async () => {
    routes.set('POST /api/v1/promotions', () => ({ status: 201, json: started }));
    const r = await ramp(['promote', 'web', '1.4.2']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'started web@1.4.2: promotion preview → production\n  watch it:  ramp status web@1.4.2 --watch\n  stop it:   ramp abort web@1.4.2 --reason "..."\n',
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(seen[0]!.url, '/api/v1/promotions');
    assert.equal(seen[0]!.headers.authorization, `Bearer ${TOKEN}`);
    assert.match(seen[0]!.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(seen[0]!.body, { pipeline: 'web', version: '1.4.2' });

    const asJson = await ramp(['promote', 'web', '1.4.2', '--json']);
    assert.equal(asJson.code, 0, asJson.stderr);
    assert.deepEqual(JSON.parse(asJson.stdout), started);

    const sourced = await ramp(['promote', 'web', '1.4.2', '--source-commit', 'ABC1234', '--source-time', '2026-11-30T15:05+01:00', '--fixes', '1.4.1']);
    assert.equal(sourced.code, 0, sourced.stderr);
    assert.deepEqual(seen.at(-1)!.body, {
      pipeline: 'web',
      version: '1.4.2',
      release: { commit: 'abc1234', time: '2026-11-30T14:05:00.000Z', fixes: '1.4.1' },
    });
  });

  test('rollback: POST /api/v1/rollbacks with the one stage', async () => {
    routes.set('POST /api/v1/rollbacks', () => ({
      status: 201,
      json: { ...started, promotionId: 'web@1.4.1:rollback:production', version: '1.4.1', kind: 'rollback', stages: ['production'] },
    }));
    const r = await ramp(['rollback', 'web', '--stage', 'production', '--to', '1.4.1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^started web@1\.4\.1:rollback:production: rollback of production to 1\.4\.1$/m);
    assert.deepEqual(seen[0]!.body, { pipeline: 'web', version: '1.4.1', stages: ['production'] });
  });

  test('a pipeline path and --as are refused (2) before any request: the server has its own pipelines and knows who you are', async () => {
    const path = await ramp(['promote', 'pipelines/web.yaml', '1.4.2']);
    assert.equal(path.code, 2);
    assert.match(path.stderr, /^ramp promote: through ramp server \(RAMP_SERVER=http:\/\/127\.0\.0\.1:\d+\) a pipeline is named, not a file/);
    const as = await ramp(['approve', 'web@1.4.2', '--stage', 'production', '--as', 'carol']);
    assert.equal(as.code, 2);
    assert.match(as.stderr, /^ramp approve: --as is not accepted through ramp server .*the server records who you are/);
    const address = await ramp(['status', 'web@1.4.2', '--address', '127.0.0.1:7233']);
    assert.equal(address.code, 2);
    assert.match(address.stderr, /--address is for direct Temporal access/);
    assert.equal(seen.length, 0);
  });

  test('status: GET /api/v1/promotions/{id} (escaped), printed as today (--json: the same document)', async () => {
    routes.set('GET /api/v1/promotions/web%401.4.2', () => ({ status: 200, json: snapshot }));
    const asJson = await ramp(['status', 'web@1.4.2', '--json']);
    assert.equal(asJson.code, 0, asJson.stderr);
    assert.deepEqual(JSON.parse(asJson.stdout), snapshot);
    const human = await ramp(['status', 'web@1.4.2']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Promotion: {4}web@1\.4\.2$/m);
    assert.ok(seen.every((s) => s.method === 'GET' && s.headers.authorization === `Bearer ${TOKEN}`));
  });

  test('the global --server flag sets the server for one command', async () => {
    routes.set('GET /api/v1/promotions/web%401.4.2', () => ({ status: 200, json: snapshot }));
    const r = await ramp(['--server', url, 'status', 'web@1.4.2', '--json'], { RAMP_SERVER: undefined });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(seen.length, 1);
    const local = await ramp(['--server', url, 'validate'], { RAMP_SERVER: undefined });
    assert.equal(local.code, 2);
    assert.match(local.stderr, /ramp validate: runs here, not through ramp server/);
  });

  test('approve: finds the active stage, POSTs to it with the comment, prints the answer', async () => {
    routes.set('GET /api/v1/promotions/web%401.4.2', () => ({ status: 200, json: snapshot }));
    routes.set('POST /api/v1/promotions/web%401.4.2/stages/production/approve', () => ({
      status: 200,
      json: { message: 'carol approved the gate approval (1/1): ship it' },
    }));
    const r = await ramp(['approve', 'web@1.4.2', '--stage', 'production', '--comment', 'ship it']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'carol approved the gate approval (1/1): ship it\n');
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url}`),
      ['GET /api/v1/promotions/web%401.4.2', 'POST /api/v1/promotions/web%401.4.2/stages/production/approve'],
    );
    assert.deepEqual(seen[1]!.body, { comment: 'ship it' });

    const wrong = await ramp(['approve', 'web@1.4.2', '--stage', 'preview']);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, 'ramp approve: promotion web@1.4.2 is at stage production, not preview\n');
  });

  test('the other commands: the route, the JSON body, the answer printed as today', async () => {
    routes.set('GET /api/v1/promotions/web%401.4.2', () => ({ status: 200, json: snapshot }));
    const ack = (message: string) => () => ({ status: 200, json: { message } });
    routes.set('POST /api/v1/promotions/web%401.4.2/stages/production/pause', ack('alice paused the stage'));
    routes.set('POST /api/v1/promotions/web%401.4.2/stages/production/resume', ack('alice resumed the stage'));
    routes.set('POST /api/v1/promotions/web%401.4.2/stages/production/skip', ack('alice skips the remaining steps'));
    routes.set('POST /api/v1/promotions/web%401.4.2/stages/production/reject', ack('alice rejected the gate approval'));
    routes.set('POST /api/v1/promotions/web%401.4.2/stages/production/window-override', ack('alice overrode the closed deploy window'));
    routes.set('POST /api/v1/promotions/web%401.4.2/abort', ack('aborting web@1.4.2'));
    routes.set('POST /api/v1/promotions/web%401.4.2/retry', ack('retrying stage production'));
    const history = [
      {
        sha: 'a1b2c3d4',
        committedAt: at(5),
        subject: 's',
        promotion: 'web@1.4.2',
        stage: 'production',
        step: '1/0/canary/20',
        version: '1.4.2',
        approvedBy: [],
        requestedBy: null,
        rollback: null,
      },
    ];
    routes.set('GET /api/v1/pipelines/web/history', () => ({ status: 200, json: history }));
    routes.set('GET /api/v1/pipelines/web/dora', () => ({ status: 200, json: REPORT }));
    routes.set('GET /api/v1/pipelines/web/drift', () => ({
      status: 200,
      json: [{ stage: 'production', status: null, problem: 'nobody watches web/production for drift' }],
    }));
    routes.set('POST /api/v1/pipelines/web/stages/production/drift/accept', ack('accepted the drift: committed the live values'));
    const sha = 'b'.repeat(40);
    routes.set('GET /api/v1/guard', () => ({
      status: 200,
      json: [
        {
          url: 'https://git.example.com/gitops.git',
          branch: 'main',
          intervalMs: 60000,
          phase: 'Rewritten',
          message: 'rewritten',
          rewritten: { branch: 'main', missing: [{ branch: 'main', sha, seenAs: 'pushed' }], detectedAt: '2026-11-30T19:00:00.000Z' },
          branches: [{ branch: 'main', tip: 'a'.repeat(40), pushed: [sha] }],
          pipelines: ['web'],
          lastCheck: { at: '2026-11-30T19:00:00.000Z' },
          checks: 3,
          events: [],
        },
      ],
    }));
    routes.set('POST /api/v1/guard/ack', ack('acknowledged: ramp writes to https://git.example.com/gitops.git again'));

    const cases: { args: string[]; stdout: string | RegExp; code?: number; request: string; body?: unknown }[] = [
      {
        args: ['pause', 'web@1.4.2', '--reason', 'look'],
        stdout: 'alice paused the stage\n',
        request: 'POST /api/v1/promotions/web%401.4.2/stages/production/pause',
        body: { reason: 'look' },
      },
      { args: ['resume', 'web@1.4.2'], stdout: 'alice resumed the stage\n', request: 'POST /api/v1/promotions/web%401.4.2/stages/production/resume', body: {} },
      {
        args: ['skip', 'web@1.4.2', '--stage', 'production'],
        stdout: 'alice skips the remaining steps\n',
        request: 'POST /api/v1/promotions/web%401.4.2/stages/production/skip',
        body: {},
      },
      {
        args: ['reject', 'web@1.4.2', '--stage', 'production', '--reason', 'no'],
        stdout: 'alice rejected the gate approval\n',
        request: 'POST /api/v1/promotions/web%401.4.2/stages/production/reject',
        body: { reason: 'no' },
      },
      {
        args: ['window-override', 'web@1.4.2', '--reason', 'hotfix for INC-9'],
        stdout: 'alice overrode the closed deploy window\n',
        request: 'POST /api/v1/promotions/web%401.4.2/stages/production/window-override',
        body: { reason: 'hotfix for INC-9' },
      },
      {
        args: ['abort', 'web@1.4.2', '--reason', 'budget'],
        stdout: 'aborting web@1.4.2\n',
        request: 'POST /api/v1/promotions/web%401.4.2/abort',
        body: { reason: 'budget' },
      },
      { args: ['retry', 'web@1.4.2'], stdout: 'retrying stage production\n', request: 'POST /api/v1/promotions/web%401.4.2/retry', body: {} },
      {
        args: ['history', 'web', '--stage', 'production', '--limit', '5', '--json'],
        stdout: `${JSON.stringify(history, null, 2)}\n`,
        request: 'GET /api/v1/pipelines/web/history?stage=production&limit=5',
      },
      {
        args: ['dora', 'web', '--env', 'production', '--since', '2026-11-01', '--until', '2026-12-01T00:00:00Z', '--json'],
        stdout: `${JSON.stringify(REPORT, null, 2)}\n`,
        request: 'GET /api/v1/pipelines/web/dora?stage=production&since=2026-11-01T00%3A00%3A00.000Z&until=2026-12-01T00%3A00%3A00.000Z',
      },
      {
        args: ['drift', 'web', '--stage', 'production'],
        stdout: /nobody watches web\/production for drift/,
        code: 1,
        request: 'GET /api/v1/pipelines/web/drift?stage=production',
      },
      {
        args: ['drift', 'web', '--stage', 'production', '--accept', '--reason', 'hotfix'],
        stdout: 'web/production: accepted the drift: committed the live values\n',
        request: 'POST /api/v1/pipelines/web/stages/production/drift/accept',
        body: { reason: 'hotfix' },
      },
      {
        args: ['guard'],
        stdout: /REWRITTEN since 2026-11-30T19:00:00\.000Z[\s\S]*missing b{40} on main \(pushed by ramp\)[\s\S]*ramp guard ack web --reason/,
        code: 1,
        request: 'GET /api/v1/guard',
      },
      {
        args: ['guard', 'ack', 'web', '--reason', 'restored from backup'],
        stdout: 'web: acknowledged: ramp writes to https://git.example.com/gitops.git again\n',
        request: 'POST /api/v1/guard/ack',
        body: { pipeline: 'web', reason: 'restored from backup' },
      },
    ];
    for (const c of cases) {
      seen.length = 0;
      const r = await ramp(c.args);
      assert.equal(r.code, c.code ?? 0, `${c.args.join(' ')}: ${r.stderr}`);
      if (typeof c.stdout === 'string') assert.equal(r.stdout, c.stdout, c.args.join(' '));
      else assert.match(r.stdout, c.stdout, c.args.join(' '));
      const sent = seen.at(-1)!;
      assert.equal(`${sent.method} ${sent.url}`, c.request, c.args.join(' '));
      assert.deepEqual(sent.body, c.body, c.args.join(' '));
      assert.equal(sent.headers.authorization, `Bearer ${TOKEN}`);
    }

    const watch = await ramp(['drift', 'web', '--stage', 'production', '--watch']);
    assert.equal(watch.code, 1);
    assert.match(watch.stderr, /^ramp drift: ramp drift --watch is not available through ramp server .*unset RAMP_SERVER/);
  });

  test('403: the server says why (message and hint), exit 1', async () => {
    routes.set('GET /api/v1/promotions/web%401.4.2', () => ({ status: 200, json: snapshot }));
    routes.set('POST /api/v1/promotions/web%401.4.2/stages/production/approve', () => ({
      status: 403,
      json: { error: 'forbidden', message: 'mallory is not in group:sre, which approves production', hint: 'ask someone in group:sre' },
    }));
    const r = await ramp(['approve', 'web@1.4.2', '--stage', 'production']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'ramp approve: mallory is not in group:sre, which approves production; ask someone in group:sre\n');
    assert.equal(r.stdout, '');
  });

  test('401: not logged in, run ramp login (exit 1)', async () => {
    routes.set('GET /api/v1/promotions/web%401.4.2', () => ({ status: 401, json: { error: 'unauthorized', message: 'the token expired', hint: null } }));
    const r = await ramp(['status', 'web@1.4.2']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^ramp status: not logged in or the token expired: run ramp login \(ramp server at http:\/\/127\.0\.0\.1:\d+: the token expired\)\n$/,
    );
  });

  test('409: already running, exit 1 with the server message', async () => {
    routes.set('POST /api/v1/promotions', () => ({
      status: 409,
      json: { error: 'conflict', message: 'promotion web@1.4.2 is already running', hint: 'see ramp status web@1.4.2' },
    }));
    const r = await ramp(['promote', 'web', '1.4.2']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'ramp promote: promotion web@1.4.2 is already running; see ramp status web@1.4.2\n');
  });

  test('503 and 429: the message (and when to try again), exit 1', async () => {
    routes.set('GET /api/v1/promotions', () => ({
      status: 503,
      json: { error: 'unavailable', message: 'Temporal at temporal:7233 does not answer', hint: 'try again in a moment' },
    }));
    const unavailable = await ramp(['list']);
    assert.equal(unavailable.code, 1);
    assert.equal(unavailable.stderr, 'ramp list: Temporal at temporal:7233 does not answer; try again in a moment\n');

    routes.set('GET /api/v1/promotions', () => ({
      status: 429,
      json: { error: 'rate_limited', message: 'too many requests' },
      headers: { 'retry-after': '3' },
    }));
    const limited = await ramp(['list']);
    assert.equal(limited.code, 1);
    assert.equal(limited.stderr, 'ramp list: too many requests; try again in 3 s\n');
  });

  test('list: GET /api/v1/promotions with the filters; rendered as today', async () => {
    const row = { id: 'web@1.4.2', phase: 'AwaitingApproval', stage: 'production', waitingFor: ['alice'], startedAt: at(0), closedAt: null, message: null };
    routes.set('GET /api/v1/promotions', () => ({ status: 200, json: [row] }));
    const r = await ramp(['list', '--pipeline', 'web', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [row]);
    const query = new URL(seen[0]!.url, url).searchParams;
    assert.equal(query.get('pipeline'), 'web');
    const human = await ramp(['list']);
    assert.match(human.stdout, /^PROMOTION +PHASE +STAGE +WAITING FOR +STARTED/m);
    assert.match(human.stdout, /^web@1\.4\.2 +AwaitingApproval +production +alice/m);
  });

  test('promote --wait follows the SSE status stream to the end, as it follows Temporal', async () => {
    const running = { promotion: promotion(), activeStage: production() };
    const succeeded = {
      promotion: promotion({
        phase: 'Succeeded',
        message: '1.4.2 is stable in preview, production',
        activeStage: null,
        finishedAt: at(40),
        events: [...promotion().events, { at: at(40), kind: 'succeeded', message: '1.4.2 is stable in preview, production' }],
      }),
      activeStage: null,
    };
    routes.set('POST /api/v1/promotions', () => ({ status: 201, json: started }));
    routes.set('GET /api/v1/promotions/web%401.4.2/events', () => ({
      status: 200,
      // A keep-alive, an event split across writes, CRLF endings.
      sse: [
        ': keep-alive\r\n\r\n',
        `event: status\r\ndata: ${JSON.stringify(running)}\r\n`,
        '\r\n',
        `event: status\ndata: ${JSON.stringify(succeeded)}\n\nevent: end\ndata: {}\n\n`,
      ],
    }));
    routes.set('GET /api/v1/promotions/web%401.4.2', () => ({ status: 200, json: succeeded }));
    const r = await ramp(['promote', 'web', '1.4.2', '--wait']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'started web@1.4.2: promotion preview → production');
    assert.ok(
      lines.some((l) => / promotion +started \(rm\): rm asked to promote web 1\.4\.2$/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => / production +approved \(carol\): carol approved the gate approval/.test(l)),
      r.stdout,
    );
    assert.equal(lines.at(-1), 'promotion web@1.4.2 Succeeded: 1.4.2 is stable in preview, production');
    const stream = seen.find((s) => s.url === '/api/v1/promotions/web%401.4.2/events');
    assert.equal(stream?.headers.accept, 'text/event-stream');
    assert.equal(stream?.headers.authorization, `Bearer ${TOKEN}`);
  });

  test('no server there: "no ramp server at <url>: connection refused", exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await ramp(['status', 'web@1.4.2'], { RAMP_SERVER: gone });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `ramp status: no ramp server at ${gone}: connection refused; start one (ramp server) or point RAMP_SERVER (or --server) at one\n`);
  });

  test('a server that does not answer: the request gives up after RAMP_UPDATE_TIMEOUT_MS and says so (exit 1)', async () => {
    routes.set('GET /api/v1/promotions/web%401.4.2', () => ({ status: 200, hang: true }));
    const r = await ramp(['status', 'web@1.4.2'], { RAMP_UPDATE_TIMEOUT_MS: '300' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ramp status: ramp server at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.3 s: check that it runs/);
    assert.equal(seen.length, 1);
  });

  test('RAMP_SERVER that is not an http(s) URL is a usage error (2)', async () => {
    const r = await ramp(['status', 'web@1.4.2'], { RAMP_SERVER: 'ftp://ramp.example.com' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /RAMP_SERVER/);
  });

  test('the token: $RAMP_TOKEN first (trimmed), else the credentials of ramp login, else none', async () => {
    const config = await mkdtemp(path.join(tmpdir(), 'ramp-config-'));
    assert.equal(await bearerToken({ RAMP_TOKEN: ` ${TOKEN} `, XDG_CONFIG_HOME: config }), TOKEN);
    assert.equal(await bearerToken({ XDG_CONFIG_HOME: config }), null, 'nobody logged in');
    const stored = {
      version: 1 as const,
      issuer: 'https://id.example.com',
      clientId: 'ramp-cli',
      resource: null,
      scope: 'openid',
      accessToken: 'stored-access-token',
      refreshToken: null,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      subject: 'alice',
      name: 'Alice',
    };
    await saveCredentials(stored, { XDG_CONFIG_HOME: config });
    assert.equal(await bearerToken({ XDG_CONFIG_HOME: config }), 'stored-access-token');
  });
});
