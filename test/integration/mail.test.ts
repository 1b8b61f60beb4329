// ramp's mailer (src/providers/mail.ts) against a real SMTP server (aiosmtpd, test/harness/smtp.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../scripts/lib/proc.js';
import { createMailer, MailError } from '../../src/providers/mail.js';
import { startSmtpServer, type TestSmtpServer } from '../harness/smtp.js';

const PASSWORD = 's3cret-Passw0rd';

describe('mail over SMTP', () => {
  let smtp: TestSmtpServer;

  before(async () => {
    smtp = await startSmtpServer();
  });

  after(async () => {
    await smtp?.stop();
  });

  test('a message arrives with its recipients, subject, text and html', async () => {
    const mailer = createMailer({ url: smtp.url, from: 'ramp@example.test' });
    try {
      assert.equal(mailer.server, `smtp://127.0.0.1:${smtp.port}`);
      const id = await mailer.send({
        to: ['release-managers@example.test', 'carol@example.test'],
        subject: 'shop 2.0.0 waits for your approval in production',
        text: 'Approve or reject:\nhttps://ramp.example.test/p/123\n',
        html: '<p>Approve or reject: <a href="https://ramp.example.test/p/123">shop 2.0.0</a></p>',
      });
      const got = await smtp.waitForMessage((m) => m.subject === 'shop 2.0.0 waits for your approval in production');
      assert.equal(got.messageId, id);
      assert.equal(got.mailFrom, 'ramp@example.test');
      assert.deepEqual(got.rcptTo, ['release-managers@example.test', 'carol@example.test']);
      assert.equal(got.text, 'Approve or reject:\nhttps://ramp.example.test/p/123\n');
      assert.match(got.html ?? '', /<a href="https:\/\/ramp\.example\.test\/p\/123">shop 2\.0\.0<\/a>/);
    } finally {
      mailer.close();
    }
  });

  test('a wrong port: the error names the server and what to check, without the password', async (t) => {
    const port = await freePort();
    const mailer = createMailer({ url: `smtp://ramp:${PASSWORD}@127.0.0.1:${port}`, timeoutMs: 10_000 });
    try {
      const err = await mailer.send({ to: ['a@example.test'], subject: 'x', text: 'y' }).then(
        () => assert.fail('sending to a closed port succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof MailError, String(err));
      assert.equal(err.server, `smtp://127.0.0.1:${port}`);
      assert.equal(err.code, 'ESOCKET');
      assert.match(err.message, new RegExp(`via smtp://127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED.*; check the host and port`));
      assert.doesNotMatch(`${err.message} ${err.stack ?? ''}`, /s3cret/);
      t.diagnostic(err.message);
    } finally {
      mailer.close();
    }
  });

  test('credentials over smtp:// to a server without STARTTLS: refused before the password is sent', async (t) => {
    const mailer = createMailer({ url: `smtp://ramp:${PASSWORD}@127.0.0.1:${smtp.port}` });
    try {
      const before = (await smtp.messages()).length;
      const err = await mailer.send({ to: ['a@example.test'], subject: 'not sent', text: 'y' }).then(
        () => assert.fail('sent credentials without TLS'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof MailError, String(err));
      assert.match(err.message, /via smtp:\/\/127\.0\.0\.1:\d+ failed: .*STARTTLS.*; the server offers no usable TLS/);
      assert.doesNotMatch(err.message, /s3cret/);
      t.diagnostic(err.message);
      assert.equal((await smtp.messages()).length, before);
    } finally {
      mailer.close();
    }
  });
});
