import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MailError, parseMailUrl } from '../../src/providers/mail.js';

test('parseMailUrl: scheme, default ports, credentials, a display without them', () => {
  const table = [
    [
      'smtp://mail.example.test',
      { secure: false, host: 'mail.example.test', port: 587, user: undefined, password: undefined, display: 'smtp://mail.example.test:587' },
    ],
    [
      'smtps://mail.example.test',
      { secure: true, host: 'mail.example.test', port: 465, user: undefined, password: undefined, display: 'smtps://mail.example.test:465' },
    ],
    ['smtp://ramp:p%40ss@127.0.0.1:2525', { secure: false, host: '127.0.0.1', port: 2525, user: 'ramp', password: 'p@ss', display: 'smtp://127.0.0.1:2525' }],
  ] as const;
  for (const [url, want] of table) assert.deepEqual(parseMailUrl(url), want, url);
});

test('parseMailUrl: not an SMTP URL — a MailError without the password', () => {
  for (const url of ['https://u:hunter22@mail.example.test', 'smtp//u:hunter22@x', 'not a url hunter22@x']) {
    assert.throws(
      () => parseMailUrl(url),
      (err: unknown) => err instanceof MailError && /smtp:\/\//.test(err.message) && !err.message.includes('hunter22'),
      url,
    );
  }
});
