// Harness self-check (not a test of ramp): startSmtpServer()'s aiosmtpd receives a message that
// nodemailer sends and hands it back parsed. ramp's own mailer: test/integration/mail.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { startSmtpServer, type TestSmtpServer } from '../smtp.js';

describe('harness: aiosmtpd receiving mail', () => {
  let smtp: TestSmtpServer;

  before(async () => {
    smtp = await startSmtpServer();
  });

  after(async () => {
    await smtp?.stop();
  });

  test('a message sent with nodemailer is read back with envelope, subject and body', async () => {
    assert.deepEqual(await smtp.messages(), []);
    const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true });
    try {
      await transport.sendMail({
        from: 'ramp@example.test',
        to: ['alice@example.test', 'bob@example.test'],
        subject: 'Promotion shop 1.2.0 — waiting for approval',
        text: 'Line one\nLine two: ünïcode\n',
      });
    } finally {
      transport.close();
    }
    const got = await smtp.waitForMessage((m) => m.subject.startsWith('Promotion shop 1.2.0'));
    assert.equal(got.mailFrom, 'ramp@example.test');
    assert.deepEqual(got.rcptTo, ['alice@example.test', 'bob@example.test']);
    assert.equal(got.subject, 'Promotion shop 1.2.0 — waiting for approval');
    assert.equal(got.text, 'Line one\nLine two: ünïcode\n');
    assert.equal(got.html, null);
    assert.equal((await smtp.messages()).length, 1);
  });
});
