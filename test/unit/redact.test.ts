/** One redaction for every quoted provider output (src/providers/redact.ts): each credential form, table-tested. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redactSecrets, secretForms } from '../../src/providers/redact.js';

const TOKEN = 'eyJhbGciOi.s3cr3t-T0ken_value+/=';
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const b64url = (text: string): string => Buffer.from(text).toString('base64url');

describe('redactSecrets: every form of a credential is masked', () => {
  // [what, the secret as configured, text a server might answer]
  const cases: [string, string, string][] = [
    ['the whole header value', `Bearer ${TOKEN}`, `401: got "Bearer ${TOKEN}"`],
    ['the token without its Bearer prefix', `Bearer ${TOKEN}`, `{"error":"invalid token ${TOKEN}"}`],
    ['the token in lower-case scheme', `bearer ${TOKEN}`, `token ${TOKEN} expired`],
    ['the token base64-encoded', `Bearer ${TOKEN}`, `claims ${b64(TOKEN)} rejected`],
    ['the token base64url without padding', `Bearer ${TOKEN}`, `id=${b64url(TOKEN)}`],
    ['the token URL-encoded', `Bearer ${TOKEN}`, `GET /login?token=${encodeURIComponent(TOKEN)} 401`],
    ['the token form-encoded', `Bearer ${TOKEN}`, `body: token=${new URLSearchParams({ t: TOKEN }).toString().slice(2)}`],
    ['the token JSON-escaped', 'Bearer a"quoted\\token', `{"error":${JSON.stringify('bad a"quoted\\token')}}`],
    ['a bare token', TOKEN, `nope: ${TOKEN}`],
    ['a Basic header: its base64', `Basic ${b64('alice:pa55word')}`, `Authorization: Basic ${b64('alice:pa55word')}`],
    ['a Basic header: user:pass decoded', `Basic ${b64('alice:pa55word')}`, 'login alice:pa55word failed'],
    ['a Basic header: the password alone', `Basic ${b64('alice:pa55word')}`, 'password pa55word is wrong'],
    ['a Basic header: the password URL-encoded', `Basic ${b64('alice:p@ss word')}`, `pw=${encodeURIComponent('p@ss word')}`],
    ['user:pass given as the secret: its base64', 'deploy:tok3n-value', `header Basic ${b64('deploy:tok3n-value')}`],
    ['user:pass given as the secret: the password alone', 'deploy:tok3n-value', 'tok3n-value is revoked'],
    ['an X-Scope-OrgID-like plain value', 'tenant-42', 'tenant tenant-42 unknown'],
  ];
  for (const [what, secret, text] of cases) {
    test(what, () => {
      const out = redactSecrets(text, [secret]);
      assert.match(out, /\*\*\*/, out);
      for (const form of secretForms(secret)) assert.ok(!out.includes(form), `${form} in ${out}`);
      // The parts that are not secret stay.
      assert.equal(out.replace(/\*\*\*/g, '').length > 0, true);
    });
  }

  test('exact output: longest form first, the rest of the text untouched', () => {
    assert.equal(redactSecrets(`a Bearer ${TOKEN} b ${TOKEN} c`, [`Bearer ${TOKEN}`]), 'a *** b *** c');
    assert.equal(redactSecrets(`x ${b64('alice:pa55word')} y alice:pa55word z pa55word`, [`Basic ${b64('alice:pa55word')}`]), 'x *** y *** z ***');
  });

  test('URL userinfo goes, with or without secrets', () => {
    assert.equal(
      redactSecrets("fatal: unable to access 'https://u:p4ss@git.example.com/r.git/'", []),
      "fatal: unable to access 'https://git.example.com/r.git/'",
    );
    assert.equal(redactSecrets('see http://user@host/x and ssh://git@h/r', []), 'see http://host/x and ssh://h/r');
  });

  test('short values are no credentials: left alone, not masked all over the text', () => {
    assert.equal(redactSecrets('a bc abc', ['bc']), 'a bc abc');
    assert.deepEqual(secretForms('  '), []);
  });

  test('a random token is not mistaken for a Basic credential, a Basic one always is', () => {
    assert.deepEqual(secretForms('Bearer abcdefgh').includes('abcdefgh'), true);
    const basic = secretForms(`Basic ${b64('u:secret-pw')}`);
    assert.ok(basic.includes('u:secret-pw') && basic.includes('secret-pw'));
  });
});
