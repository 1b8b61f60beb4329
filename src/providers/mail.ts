/**
 * Sending e-mail over SMTP (nodemailer). The server is one URL:
 * - `smtp://[user:pass@]host[:port]` — port 587 by default; STARTTLS whenever the server offers
 *   it, and required when the URL has credentials (a password never crosses in clear);
 * - `smtps://[user:pass@]host[:port]` — TLS from the first byte, port 465 by default.
 * Errors name the server (`smtp://host:port`, never the userinfo) and what to check; the password
 * is removed from everything quoted (src/providers/redact.ts).
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { redactSecrets } from './redact.js';

export interface MailMessage {
  to: readonly string[];
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** `smtp://host:port` or `smtps://host:port`, without credentials: safe to print. */
  readonly server: string;
  /** Sends one message; resolves to its Message-ID once the server accepted it. */
  send(message: MailMessage): Promise<string>;
  close(): void;
}

export interface MailerOptions {
  url: string;
  /** The From address (default `ramp@localhost`). */
  from?: string;
  /** Bound on connecting, the greeting and each reply (default 30 s). */
  timeoutMs?: number;
}

/** The server could not be used or refused the message; the message says which server and why. */
export class MailError extends Error {
  override name = 'MailError';
  constructor(
    message: string,
    readonly server: string,
    /** nodemailer's code (ECONNECTION, EAUTH, ETLS, EENVELOPE, ...) when there is one. */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export interface MailServer {
  secure: boolean;
  host: string;
  port: number;
  user: string | undefined;
  password: string | undefined;
  /** `scheme://host:port`, without credentials. */
  display: string;
}

/** Parses an SMTP URL; throws a MailError (without the password) when it is not one. */
export function parseMailUrl(url: string): MailServer {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not quoted: it may hold a password.
    throw new MailError('the SMTP URL is not a URL; write smtp://user:pass@host:port or smtps://user:pass@host:port', 'unknown', undefined);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'smtp' && scheme !== 'smtps') {
    throw new MailError(`the SMTP URL must start with smtp:// or smtps://, not ${scheme}://`, `${scheme}://${parsed.host}`, undefined);
  }
  if (parsed.hostname === '') throw new MailError(`the SMTP URL names no host; write ${scheme}://host:port`, `${scheme}://`, undefined);
  const secure = scheme === 'smtps';
  const port = parsed.port === '' ? (secure ? 465 : 587) : Number(parsed.port);
  const user = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  return { secure, host: parsed.hostname, port, user, password, display: `${scheme}://${parsed.hostname}:${port}` };
}

/** What to check, by nodemailer's error code. */
function hintFor(code: string | undefined): string {
  switch (code) {
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETIMEDOUT':
    case 'EDNS':
      return 'check the host and port of the SMTP URL and that the server is up and reachable from the worker';
    case 'EAUTH':
    case 'ENOAUTH':
      return 'check the user and password in the SMTP URL';
    case 'ETLS':
      return 'the server offers no usable TLS: use smtps:// for implicit TLS, or a server with STARTTLS (credentials are only sent over TLS)';
    case 'EENVELOPE':
      return 'the server refused the sender or a recipient address';
    case 'EMESSAGE':
      return 'the server refused the message';
    default:
      return 'check the SMTP URL and the server';
  }
}

export function createMailer({ url, from = 'ramp@localhost', timeoutMs = 30_000 }: MailerOptions): Mailer {
  const server = parseMailUrl(url);
  const secrets = [server.password, server.user !== undefined && server.password !== undefined ? `${server.user}:${server.password}` : undefined].filter(
    (s): s is string => s !== undefined,
  );
  const transport: Transporter = nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: server.secure,
    // smtp:// with credentials: STARTTLS or nothing.
    requireTLS: !server.secure && server.user !== undefined,
    auth: server.user !== undefined ? { user: server.user, pass: server.password ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 2,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    server: server.display,
    async send(message) {
      if (message.to.length === 0) throw new MailError(`no recipients for "${message.subject}" (via ${server.display})`, server.display, undefined);
      try {
        const info = (await transport.sendMail({
          from,
          to: [...message.to],
          subject: message.subject,
          text: message.text,
          ...(message.html !== undefined ? { html: message.html } : {}),
        })) as { messageId: string };
        return info.messageId;
      } catch (err) {
        const e = err as Error & { code?: string };
        const reason = redactSecrets(e.message, secrets);
        throw new MailError(
          `sending "${redactSecrets(message.subject, secrets)}" via ${server.display} failed: ${reason}; ${hintFor(e.code)}`,
          server.display,
          e.code,
        );
      }
    },
    close() {
      transport.close();
    },
  };
}
