/**
 * A local HTTP endpoint that records what notification channels receive: a webhook receiver
 * that checks ramp's HMAC signature the way docs/notifications.md tells receivers to, a Teams
 * Workflows endpoint, and a Slack Web API (`/api/chat.postMessage`, `/api/chat.update`) that
 * answers as Slack does. The real clients (axios, @slack/web-api) talk to it over TCP.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyBody, type SignatureCheck } from '../../src/notify/signature.js';

export interface RecordedCall {
  path: string;
  headers: IncomingMessage['headers'];
  /** The raw body. */
  body: string;
  /** JSON bodies parsed; Slack's form bodies as an object with `blocks` parsed. */
  json: Record<string, unknown>;
  /** For /hook: the signature check against the recorder's secret. */
  signature?: SignatureCheck;
}

export interface NotifyRecorder {
  url: string;
  calls: RecordedCall[];
  /** Answer HTTP 500 to the next `n` requests on this path. */
  failNext(path: string, n: number): void;
  waitFor(match: (c: RecordedCall) => boolean, what: string, timeoutMs?: number): Promise<RecordedCall>;
  close(): Promise<void>;
}

function parse(req: IncomingMessage, body: string): Record<string, unknown> {
  if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = Object.fromEntries(new URLSearchParams(body));
    if (typeof out.blocks === 'string') out.blocks = JSON.parse(out.blocks) as unknown;
    return out;
  }
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export async function startNotifyRecorder(hookSecret: string): Promise<NotifyRecorder> {
  const calls: RecordedCall[] = [];
  const failures = new Map<string, number>();
  let ts = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const call: RecordedCall = { path, headers: req.headers, body, json: parse(req, body) };
      if (path === '/hook') {
        call.signature = verifyBody(hookSecret, body, {
          signature: req.headers['x-ramp-signature'] as string | undefined,
          timestamp: req.headers['x-ramp-timestamp'] as string | undefined,
        });
      }
      calls.push(call);
      const failing = failures.get(path) ?? 0;
      if (failing > 0) {
        failures.set(path, failing - 1);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('down');
        return;
      }
      if (path === '/hook' && !call.signature!.ok) {
        res.writeHead(401).end(call.signature!.ok ? '' : (call.signature as { reason: string }).reason);
        return;
      }
      if (path.startsWith('/api/chat.')) {
        const auth = req.headers.authorization ?? '';
        const answer =
          auth === ''
            ? { ok: false, error: 'not_authed' }
            : call.json.channel === '#nowhere'
              ? { ok: false, error: 'channel_not_found' }
              : path === '/api/chat.postMessage'
                ? { ok: true, channel: 'C0DEPLOYS', ts: `1700000000.${String(++ts).padStart(6, '0')}`, message: {} }
                : { ok: true, channel: call.json.channel, ts: call.json.ts };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    failNext(path, n) {
      failures.set(path, n);
    },
    async waitFor(match, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = calls.find(match);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; calls: ${JSON.stringify(calls.map((c) => c.path))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
