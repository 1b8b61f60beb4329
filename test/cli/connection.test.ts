/**
 * `ramp` as a real process against addresses where Temporal is not: nothing listening, a server
 * that speaks no gRPC (junk, or silence), TLS on one side only, an untrusted certificate. Each is
 * a connection error that says what was tried, what was found and what to do — never exit 70
 * or a stack trace. Also an invalid setting (exit 2), and the worker against a junk server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const RAMP = fileURLToPath(new URL('../../bin/ramp.js', import.meta.url));

interface Run {
  code: number;
  stderr: string;
}

let home: string;

/** `ramp <args>` as a child process, with only PATH, a HOME of its own and `env`. */
function ramp(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [RAMP, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: home, RAMP_CONNECT_TIMEOUT_MS: '1500', ...env }, timeout: 120_000 },
      (error, _stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stderr });
      },
    );
  });
}

/** A connection error: exit 1, one message, no stack trace. */
function assertConnectionError(run: Run, command: string, address: string, mode: string, found: RegExp, advice: RegExp): void {
  assert.equal(run.code, 1, run.stderr);
  const prefix = `ramp ${command}: cannot connect to Temporal at ${address} (${mode}, namespace default): `;
  assert.ok(run.stderr.startsWith(prefix), run.stderr);
  assert.match(run.stderr, found);
  assert.match(run.stderr, / To fix: /);
  assert.match(run.stderr, advice);
  assert.doesNotMatch(run.stderr, /\n\s+at |bug in ramp/);
}

type Server = { address: string; close(): Promise<void> };

async function listen(server: net.Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Accepts TCP connections and answers each with `reply` (or nothing). */
function tcpServer(reply: string | null): Promise<Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    if (reply !== null) socket.write(reply);
  });
  return listen(server).then((s) => ({ ...s, close: () => (sockets.forEach((c) => c.destroy()), s.close()) }));
}

/** The server's address with the host name of its certificate. */
function byName(server: Server): string {
  return server.address.replace('127.0.0.1', 'localhost');
}

describe('ramp against an address where Temporal is not (real CLI process)', () => {
  let junk: Server;
  let silent: Server;
  let secure: Server;
  let certFile: string;
  let refused: string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'ramp-connection-'));
    certFile = path.join(home, 'cert.pem');
    const keyFile = path.join(home, 'key.pem');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
    junk = await tcpServer('junk\n');
    silent = await tcpServer(null);
    const tlsSockets = new Set<net.Socket>();
    const tlsServer = tls.createServer({ cert: await readFile(certFile), key: await readFile(keyFile), ALPNProtocols: ['h2'] }, (socket) => {
      socket.on('error', () => {});
      socket.write('not grpc either\n');
    });
    tlsServer.on('connection', (socket: net.Socket) => (tlsSockets.add(socket), socket.on('close', () => tlsSockets.delete(socket))));
    tlsServer.on('tlsClientError', () => {});
    const listening = await listen(tlsServer);
    secure = { ...listening, close: () => (tlsSockets.forEach((c) => c.destroy()), listening.close()) };
    const closed = await tcpServer(null);
    refused = closed.address;
    await closed.close();
  });

  after(async () => {
    await Promise.all([junk?.close(), silent?.close(), secure?.close()]);
    await rm(home, { recursive: true, force: true });
  });

  test('nothing listens: says so, and how to start Temporal', async () => {
    const run = await ramp(['list'], { TEMPORAL_ADDRESS: refused });
    assertConnectionError(run, 'list', refused, 'without TLS', /nothing listens on 127\.0\.0\.1:\d+ \(connection refused\)/, /start Temporal there/);
  });

  test('a server that answers junk: it is not Temporal', async () => {
    const run = await ramp(['status', 'web@1.0.0', '--address', junk.address], {});
    assertConnectionError(
      run,
      'status',
      junk.address,
      'without TLS',
      /something at 127\.0\.0\.1:\d+ accepts TCP connections but answers a gRPC client with "junk\\n", not HTTP\/2/,
      /set TEMPORAL_ADDRESS \(or --address\)/,
    );
  });

  test('a server that accepts and says nothing', async () => {
    const run = await ramp(['list'], { TEMPORAL_ADDRESS: silent.address });
    assertConnectionError(
      run,
      'list',
      silent.address,
      'without TLS',
      /accepts TCP connections but sent nothing back to a gRPC client/,
      /is it Temporal's frontend\?/,
    );
  });

  test('TLS mismatch: the server speaks TLS, ramp connected without it', async () => {
    const run = await ramp(['list'], { TEMPORAL_ADDRESS: secure.address });
    assertConnectionError(
      run,
      'list',
      secure.address,
      'without TLS',
      /the server at 127\.0\.0\.1:\d+ expects TLS, and ramp connected without it \(no TLS setting\)/,
      /set TEMPORAL_TLS=true/,
    );
  });

  // With TLS, by name (as in real life): gRPC would warn that an IP address is no TLS server name.
  test('TLS mismatch: ramp uses TLS, the server does not speak it', async () => {
    const address = byName(junk);
    const run = await ramp(['list'], { TEMPORAL_ADDRESS: address, TEMPORAL_TLS: 'true' });
    assertConnectionError(
      run,
      'list',
      address,
      'with TLS',
      /localhost:\d+ does not speak TLS, and ramp connected with TLS \(TEMPORAL_TLS=true\)/,
      /set TEMPORAL_TLS=false/,
    );
  });

  test('an untrusted certificate: says which CA setting to use', async () => {
    const run = await ramp(['list'], { TEMPORAL_ADDRESS: byName(secure), TEMPORAL_TLS: '1' });
    assertConnectionError(
      run,
      'list',
      byName(secure),
      'with TLS',
      /the TLS certificate of localhost:\d+ is not accepted: self[- ]signed certificate/,
      /TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
    );
  });

  test('a trusted TLS server that is not Temporal', async () => {
    const run = await ramp(['list'], { TEMPORAL_ADDRESS: byName(secure), TEMPORAL_TLS_SERVER_CA_CERT_PATH: certFile });
    assertConnectionError(
      run,
      'list',
      byName(secure),
      'with TLS',
      /the TLS handshake with localhost:\d+ succeeds, but Temporal's gRPC API did not answer there/,
      /TEMPORAL_API_KEY/,
    );
  });

  test('an invalid setting is a usage error naming the variable (exit 2)', async () => {
    const run = await ramp(['list'], { TEMPORAL_ADDRESS: junk.address, RAMP_CONNECT_TIMEOUT_MS: 'soon' });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /^ramp list: invalid setting in the environment:\n {2}RAMP_CONNECT_TIMEOUT_MS="soon": expected a positive whole number of milliseconds/,
    );
    const tlsFlag = await ramp(['list'], { TEMPORAL_TLS: 'yes' });
    assert.equal(tlsFlag.code, 2, tlsFlag.stderr);
    assert.match(tlsFlag.stderr, /TEMPORAL_TLS="yes": expected true, 1, false or 0/);
  });

  test('the worker against a junk server: a message, not a stack trace', async () => {
    const run = await ramp(['worker'], { TEMPORAL_ADDRESS: junk.address });
    assert.notEqual(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `ramp worker: cannot connect to Temporal at ${junk.address.replace(/\./g, '\\.')} \\(without TLS, namespace default\\): something at .* accepts TCP connections but answers a gRPC client with "junk\\\\n"`,
      ),
    );
    assert.doesNotMatch(run.stderr, /\n\s+at |TransportError/);
    const secured = await ramp(['worker'], { TEMPORAL_ADDRESS: byName(junk), TEMPORAL_TLS: 'true' });
    assert.notEqual(secured.code, 0, secured.stderr);
    assert.match(secured.stderr, /ramp worker: cannot connect to Temporal at localhost:\d+ \(with TLS, namespace default\): localhost:\d+ does not speak TLS/);
    assert.doesNotMatch(secured.stderr, /\n\s+at |TransportError/);
  });
});
