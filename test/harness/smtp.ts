// A real SMTP server for tests: aiosmtpd (provisioned into .tools by scripts/lib/tools.ts) as its
// own process on a free port, with test/harness/smtp/ramp_smtp_sink.py as handler: every message
// it accepts is one JSON line (envelope + subject and bodies parsed by Python's e-mail parser).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep, terminate } from '../../scripts/lib/proc.js';
import { aiosmtpdPythonPath, ensureAiosmtpd } from '../../scripts/lib/tools.js';
import { cleanupOnSignal, killOnExit } from './reaper.js';

const HANDLER_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smtp');

/** One message as the server received it. */
export interface ReceivedMail {
  /** Envelope sender (MAIL FROM). */
  mailFrom: string;
  /** Envelope recipients (RCPT TO). */
  rcptTo: string[];
  /** Header values as written by the sender. */
  from: string;
  to: string;
  subject: string;
  messageId: string;
  /** The text/plain body (line ends `\n`), or null if there is none. */
  text: string | null;
  html: string | null;
  raw: string;
}

export class TestSmtpServer {
  private stopped = false;
  private readonly unregister: () => void;

  constructor(
    private readonly child: ChildProcess,
    readonly host: string,
    readonly port: number,
    readonly dir: string,
  ) {
    killOnExit(child);
    this.unregister = cleanupOnSignal(() => this.stop());
  }

  /** `smtp://host:port` (plain SMTP, no auth: aiosmtpd offers AUTH only over TLS). */
  get url(): string {
    return `smtp://${this.host}:${this.port}`;
  }

  get logFile(): string {
    return path.join(this.dir, 'aiosmtpd.log');
  }

  private get mailFile(): string {
    return path.join(this.dir, 'messages.jsonl');
  }

  /** Every message received so far, oldest first. */
  async messages(): Promise<ReceivedMail[]> {
    let text: string;
    try {
      text = await readFile(this.mailFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as ReceivedMail);
  }

  /** Waits (default 60 s) until a received message satisfies `match`; throws with what did arrive. */
  async waitForMessage(match: (m: ReceivedMail) => boolean, { timeoutMs = 60_000 } = {}): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = await this.messages();
      const hit = all.find(match);
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(`no matching message reached ${this.url} within ${timeoutMs} ms; received: ${JSON.stringify(all.map((m) => m.subject))}`);
      }
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unregister();
    await terminate(this.child, 5_000);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Starts aiosmtpd on a free 127.0.0.1 port; resolves once it answers the SMTP greeting. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const tool = await ensureAiosmtpd();
  try {
    return await startOnce(tool.path);
  } catch (err) {
    // The free port may have been taken between the probe and the bind; one retry.
    if (!/address already in use|EADDRINUSE|errno 98/i.test(String(err))) throw err;
    return startOnce(tool.path);
  }
}

async function startOnce(bin: string): Promise<TestSmtpServer> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-smtp-'));
  const logFile = path.join(dir, 'aiosmtpd.log');
  const log = openSync(logFile, 'a');
  const pythonPath = [HANDLER_DIR, aiosmtpdPythonPath(bin), process.env.PYTHONPATH].filter((p) => p !== undefined && p !== '').join(path.delimiter);
  let child: ChildProcess;
  try {
    child = spawn(bin, ['-n', '-l', `${host}:${port}`, '-c', 'ramp_smtp_sink.JsonLines', path.join(dir, 'messages.jsonl')], {
      env: { ...process.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  const server = new TestSmtpServer(child, host, port, dir);
  try {
    await waitForGreeting(child, host, port, logFile);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** Resolves once a TCP connection to host:port gets an SMTP `220` greeting (bounded: 60 s). */
async function waitForGreeting(child: ChildProcess, host: string, port: number, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = 'no attempt yet';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const output = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`aiosmtpd exited (${child.exitCode ?? child.signalCode}) before accepting connections on ${host}:${port}:\n${output.slice(-2000)}`);
    }
    const greeting = await readGreeting(host, port).catch((err: Error) => err);
    if (typeof greeting === 'string' && greeting.startsWith('220')) return;
    last = typeof greeting === 'string' ? `greeting ${JSON.stringify(greeting)}` : greeting.message;
    if (Date.now() > deadline) {
      const output = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`aiosmtpd on ${host}:${port} did not greet within 60 s (last: ${last}); its log:\n${output.slice(-2000)}`);
    }
    await sleep(100);
  }
}

function readGreeting(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let data = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('no greeting within 5 s')));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) {
        socket.end('QUIT\r\n');
        resolve(data.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed before a greeting (got ${JSON.stringify(data)})`)));
  });
}
