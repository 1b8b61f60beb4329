/**
 * Why a connection to Temporal failed, in words: after the SDK gave up, ramp looks at the
 * address itself (a TCP connection, then either a TLS handshake or an HTTP/2 preface) and says
 * what it found there — nothing listening, a host that does not resolve, a server that speaks
 * no gRPC, TLS where plaintext was expected or the other way round, an untrusted certificate —
 * and what to do about it.
 */
import net from 'node:net';
import tls from 'node:tls';
import { splitAddress, type Target } from './address.js';
import type { TemporalSettings } from './temporal.js';

export interface ConnectionFinding {
  /** What ramp found at the address: "nothing listens on port 7233 of 127.0.0.1". */
  found: string;
  /** What to do: "start Temporal there, or set TEMPORAL_ADDRESS (or --address) to its host:port". */
  advice: string;
}

const SET_ADDRESS = "set TEMPORAL_ADDRESS (or --address) to the host:port of Temporal's frontend (7233 on a dev server)";

/** Looks at `settings.address` and says what is there. Never rejects. */
export async function diagnoseConnection(
  settings: Pick<TemporalSettings, 'address' | 'connection' | 'tlsMode' | 'tlsReason'>,
  timeoutMs = 3_000,
): Promise<ConnectionFinding> {
  const target = splitAddress(settings.address);
  if (target === null) return { found: `${JSON.stringify(settings.address)} is not a host:port`, advice: SET_ADDRESS };
  const socket = await openTcp(target, timeoutMs);
  if ('error' in socket) return socket.error;
  if (settings.tlsMode === 'plaintext') return plaintextFinding(socket.socket, target, settings.tlsReason, timeoutMs);
  return tlsFinding(socket.socket, target, settings, timeoutMs);
}

async function openTcp(target: Target, timeoutMs: number): Promise<{ socket: net.Socket } | { error: ConnectionFinding }> {
  const where = `${target.host}:${target.port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({
        error: {
          found: `${where} did not accept a TCP connection within ${timeoutMs / 1000} s (a firewall may be dropping it)`,
          advice: `check that Temporal runs there and is reachable from here, or ${SET_ADDRESS}`,
        },
      });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ socket });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ error: tcpFinding(target, error) });
    });
  });
}

/** Table-tested: what a failed TCP connection means. */
export function tcpFinding(target: Target, error: NodeJS.ErrnoException): ConnectionFinding {
  const where = `${target.host}:${target.port}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return {
        found: `nothing listens on ${where} (connection refused)`,
        advice: `start Temporal there (\`ramp dev\`, or \`temporal server start-dev\`), or ${SET_ADDRESS}`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return { found: `the host name ${target.host} does not resolve (${error.code})`, advice: `check the host in TEMPORAL_ADDRESS (or --address)` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { found: `there is no route to ${target.host} (${error.code})`, advice: `check the network, or ${SET_ADDRESS}` };
    default:
      return { found: `a TCP connection to ${where} failed: ${error.code ?? error.message}`, advice: SET_ADDRESS };
  }
}

/** The client preface of HTTP/2 (RFC 9113 §3.4) and an empty SETTINGS frame: what a gRPC client sends first. */
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

async function plaintextFinding(socket: net.Socket, target: Target, tlsReason: string, timeoutMs: number): Promise<ConnectionFinding> {
  const answer = await firstBytes(socket, H2_PREFACE, timeoutMs);
  const finding = classifyAnswer(answer, `${target.host}:${target.port}`, tlsReason);
  if (finding !== null) return finding;
  // Nothing, or a closed connection: a TLS server (Go's) closes on a plaintext preface without a word.
  if (await speaksTls(target, timeoutMs)) return speaksTlsFinding(`${target.host}:${target.port}`, tlsReason);
  return answer.closed
    ? {
        found: `something at ${target.host}:${target.port} accepts TCP connections but closed this one without answering gRPC`,
        advice: `is it Temporal's frontend? ${SET_ADDRESS}`,
      }
    : {
        found: `something at ${target.host}:${target.port} accepts TCP connections but sent nothing back to a gRPC client within ${timeoutMs / 1000} s`,
        advice: `is it Temporal's frontend? ${SET_ADDRESS}`,
      };
}

export interface Answer {
  bytes: Buffer;
  /** The peer closed the connection (or reset it). */
  closed: boolean;
}

/**
 * Table-tested: what the first bytes a server sent after an HTTP/2 preface say about it; null
 * when they say nothing (no bytes).
 */
export function classifyAnswer(answer: Answer, where: string, tlsReason: string): ConnectionFinding | null {
  const { bytes } = answer;
  if (bytes.length === 0) return null;
  if ((bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03) return speaksTlsFinding(where, tlsReason);
  const text = bytes.toString('latin1');
  if (/^HTTP\/\d/.test(text)) {
    if (/HTTPS/i.test(text)) return speaksTlsFinding(where, tlsReason);
    return {
      found: `an HTTP/1 server answers at ${where} (${printable(text.split(/\r?\n/)[0] ?? '')}), not Temporal's gRPC API`,
      advice: `is it a web UI or a proxy? ${SET_ADDRESS}`,
    };
  }
  if (bytes.length >= 9 && bytes[3] === 0x04) {
    return {
      found: `an HTTP/2 server answers at ${where}, but not as Temporal's gRPC API`,
      advice: `is it Temporal's frontend, and not a proxy or another gRPC service? ${SET_ADDRESS}`,
    };
  }
  return {
    found: `something at ${where} accepts TCP connections but answers a gRPC client with ${printable(text)}, not HTTP/2`,
    advice: `it is not Temporal; ${SET_ADDRESS}`,
  };
}

function speaksTlsFinding(where: string, tlsReason: string): ConnectionFinding {
  return {
    found: `the server at ${where} expects TLS, and ramp connected without it (${tlsReason})`,
    advice: 'set TEMPORAL_TLS=true (with TEMPORAL_TLS_SERVER_CA_CERT_PATH if a private CA signed its certificate), or a config profile with TLS',
  };
}

async function tlsFinding(
  socket: net.Socket,
  target: Target,
  settings: Pick<TemporalSettings, 'connection' | 'tlsMode' | 'tlsReason'>,
  timeoutMs: number,
): Promise<ConnectionFinding> {
  const where = `${target.host}:${target.port}`;
  const config = typeof settings.connection.tls === 'object' && settings.connection.tls !== null ? settings.connection.tls : {};
  const outcome = await handshake(
    {
      socket,
      servername: config.serverNameOverride ?? (net.isIP(target.host) ? undefined : target.host),
      ...(config.serverRootCACertificate ? { ca: Buffer.from(config.serverRootCACertificate) } : {}),
      ...(config.clientCertPair ? { cert: Buffer.from(config.clientCertPair.crt), key: Buffer.from(config.clientCertPair.key) } : {}),
      ...(config.serverNameOverride
        ? { checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(config.serverNameOverride!, cert) }
        : {}),
      ALPNProtocols: ['h2'],
    },
    timeoutMs,
  );
  return tlsOutcomeFinding(outcome, where, settings.tlsReason, settings.tlsMode);
}

export type HandshakeOutcome = { ok: true } | { ok: false; code: string | undefined; message: string } | { ok: false; timeout: true };

/** Table-tested: what the outcome of ramp's own TLS handshake with the server says. */
export function tlsOutcomeFinding(outcome: HandshakeOutcome, where: string, tlsReason: string, mode: string): ConnectionFinding {
  if (outcome.ok) {
    return {
      found: `the TLS handshake with ${where} succeeds, but Temporal's gRPC API did not answer there`,
      advice: `check the API key (TEMPORAL_API_KEY) or the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH), and that ${where} is Temporal's frontend`,
    };
  }
  const plaintextAdvice = `if the server is plaintext (a dev server), set TEMPORAL_TLS=false or remove the TLS settings; otherwise ${SET_ADDRESS}`;
  if ('timeout' in outcome)
    return { found: `${where} accepts TCP connections but did not answer a TLS handshake (ramp uses TLS because ${tlsReason})`, advice: plaintextAdvice };
  const { code, message } = outcome;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|unknown protocol|record layer failure/i.test(message)) {
    return { found: `${where} does not speak TLS, and ramp connected with ${mode === 'mtls' ? 'mTLS' : 'TLS'} (${tlsReason})`, advice: plaintextAdvice };
  }
  if (code === 'ECONNRESET' || /socket disconnected|ECONNRESET/.test(message)) {
    return {
      found: `${where} closed the connection during the TLS handshake (ramp uses ${mode === 'mtls' ? 'mTLS' : 'TLS'} because ${tlsReason})`,
      advice: `it may require a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and _KEY_PATH) or not speak TLS at all; ${plaintextAdvice}`,
    };
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|certificate/i.test(`${code ?? ''} ${message}`)) {
    return {
      found: `the TLS certificate of ${where} is not accepted: ${message}`,
      advice: 'set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it, or TEMPORAL_TLS_SERVER_NAME to a name in it',
    };
  }
  return { found: `the TLS handshake with ${where} failed: ${message}`, advice: plaintextAdvice };
}

function handshake(options: tls.ConnectionOptions, timeoutMs: number): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    const socket = tls.connect(options);
    const done = (outcome: HandshakeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      options.socket?.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ ok: false, timeout: true }), timeoutMs);
    socket.once('secureConnect', () => done({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, code: error.code, message: error.message }));
    socket.once('close', () => done({ ok: false, code: 'ECONNRESET', message: 'socket disconnected' }));
  });
}

/** Whether a TLS server answers at `target` (any certificate). */
async function speaksTls(target: Target, timeoutMs: number): Promise<boolean> {
  const socket = await openTcp(target, timeoutMs);
  if ('error' in socket) return false;
  const outcome = await handshake({ socket: socket.socket, rejectUnauthorized: false, ALPNProtocols: ['h2'] }, timeoutMs);
  return outcome.ok;
}

/** Writes `hello` and collects what comes back until the first bytes, a close, or the deadline. */
function firstBytes(socket: net.Socket, hello: Buffer, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // Give the rest of a first answer a moment to arrive.
      setTimeout(() => done(false), 100);
    });
    socket.once('end', () => done(true));
    socket.once('close', () => done(true));
    socket.once('error', () => done(true));
    socket.write(hello);
  });
}

/** At most 60 characters of `text`, quoted, control characters escaped. */
function printable(text: string): string {
  const cut = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(cut);
}

/**
 * The message for a connection to Temporal that failed: what was tried, what is there, what to
 * do, and the SDK's own words last.
 */
export async function explainConnectionFailure(
  settings: Pick<TemporalSettings, 'address' | 'namespace' | 'connection' | 'tlsMode' | 'tlsReason'>,
  error: unknown,
): Promise<string> {
  const finding = await diagnoseConnection(settings);
  const how = settings.tlsMode === 'plaintext' ? 'without TLS' : settings.tlsMode === 'mtls' ? 'with mTLS' : 'with TLS';
  const sdk = error instanceof Error ? ` (the Temporal client said: ${printable(innermost(error).message).slice(1, -1)})` : '';
  return `cannot connect to Temporal at ${settings.address} (${how}, namespace ${settings.namespace}): ${finding.found}. To fix: ${finding.advice}${sdk}`;
}

function innermost(error: Error): Error {
  let current = error;
  while (current.cause instanceof Error) current = current.cause;
  return current;
}
