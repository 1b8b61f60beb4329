/** What a failed connection to Temporal reports (src/settings/diagnose.ts), rule by rule. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitAddress } from '../../src/settings/address.js';
import { classifyAnswer, tcpFinding, tlsOutcomeFinding, type HandshakeOutcome } from '../../src/settings/diagnose.js';

const WHERE = '127.0.0.1:7233';
const target = { host: '127.0.0.1', port: 7233 };

describe('splitAddress', () => {
  const cases: [string, { host: string; port: number } | null][] = [
    ['127.0.0.1:7233', target],
    ['temporal.example.com:443', { host: 'temporal.example.com', port: 443 }],
    ['[::1]:7233', { host: '::1', port: 7233 }],
    ['temporal', null],
    ['temporal:', null],
    ['temporal:0', null],
    ['temporal:70000', null],
    ['http://temporal:7233', null],
    ['', null],
  ];
  for (const [address, expected] of cases) test(JSON.stringify(address), () => assert.deepEqual(splitAddress(address), expected));
});

describe('tcpFinding', () => {
  const cases: [string, RegExp][] = [
    ['ECONNREFUSED', /^nothing listens on 127\.0\.0\.1:7233 \(connection refused\)$/],
    ['ENOTFOUND', /^the host name 127\.0\.0\.1 does not resolve \(ENOTFOUND\)$/],
    ['EAI_AGAIN', /does not resolve \(EAI_AGAIN\)/],
    ['EHOSTUNREACH', /^there is no route to 127\.0\.0\.1/],
    ['EPERM', /^a TCP connection to 127\.0\.0\.1:7233 failed: EPERM$/],
  ];
  for (const [code, found] of cases) {
    test(code, () => {
      const error = Object.assign(new Error(code), { code });
      const finding = tcpFinding(target, error);
      assert.match(finding.found, found);
      assert.match(finding.advice, /TEMPORAL_ADDRESS/);
    });
  }
});

describe('classifyAnswer: the first bytes after an HTTP/2 preface', () => {
  const settings = Buffer.from([0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]);
  const cases: [string, Buffer, RegExp | null][] = [
    ['nothing', Buffer.alloc(0), null],
    ['an HTTP/2 SETTINGS frame', settings, /an HTTP\/2 server answers at 127\.0\.0\.1:7233, but not as Temporal's gRPC API/],
    ['a TLS alert', Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]), /expects TLS, and ramp connected without it \(no TLS setting\)/],
    ['a TLS handshake record', Buffer.from([0x16, 0x03, 0x03, 0x00, 0x10]), /expects TLS/],
    ["Go's answer to HTTP on an HTTPS port", Buffer.from('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n'), /expects TLS/],
    [
      'an HTTP/1 server',
      Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'),
      /an HTTP\/1 server answers at 127\.0\.0\.1:7233 \("HTTP\/1\.1 400 Bad Request"\), not Temporal's gRPC API/,
    ],
    ['junk', Buffer.from('junk\n'), /accepts TCP connections but answers a gRPC client with "junk\\n", not HTTP\/2/],
    ['a long answer, cut', Buffer.from('x'.repeat(5_000)), /"x{60}…", not HTTP\/2/],
  ];
  for (const [what, bytes, found] of cases) {
    test(what, () => {
      const finding = classifyAnswer({ bytes, closed: false }, WHERE, 'no TLS setting');
      if (found === null) assert.equal(finding, null);
      else assert.match(finding?.found ?? '', found);
    });
  }
  test('the TLS advice says how to turn TLS on', () => {
    assert.match(classifyAnswer({ bytes: Buffer.from([0x15, 0x03, 0x03]), closed: true }, WHERE, 'x')?.advice ?? '', /set TEMPORAL_TLS=true/);
  });
});

describe("tlsOutcomeFinding: ramp's own TLS handshake", () => {
  const cases: [string, HandshakeOutcome, RegExp, RegExp][] = [
    [
      'a plaintext server',
      { ok: false, code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' },
      /does not speak TLS, and ramp connected with TLS \(TEMPORAL_TLS=true\)/,
      /set TEMPORAL_TLS=false/,
    ],
    [
      'a plaintext server (OpenSSL 3 wording)',
      { ok: false, code: 'ERR_SSL_PACKET_LENGTH_TOO_LONG', message: 'packet length too long' },
      /does not speak TLS/,
      /TEMPORAL_TLS=false/,
    ],
    [
      'an untrusted certificate',
      { ok: false, code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' },
      /the TLS certificate of 127\.0\.0\.1:7233 is not accepted: self-signed certificate/,
      /TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
    ],
    [
      'a name mismatch',
      { ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" },
      /is not accepted/,
      /TEMPORAL_TLS_SERVER_NAME/,
    ],
    [
      'a reset during the handshake',
      { ok: false, code: 'ECONNRESET', message: 'socket disconnected' },
      /closed the connection during the TLS handshake/,
      /client certificate/,
    ],
    ['no answer', { ok: false, timeout: true }, /did not answer a TLS handshake \(ramp uses TLS because TEMPORAL_TLS=true\)/, /TEMPORAL_TLS=false/],
    [
      'a handshake that succeeds',
      { ok: true },
      /the TLS handshake with 127\.0\.0\.1:7233 succeeds, but Temporal's gRPC API did not answer there/,
      /TEMPORAL_API_KEY/,
    ],
  ];
  for (const [what, outcome, found, advice] of cases) {
    test(what, () => {
      const finding = tlsOutcomeFinding(outcome, WHERE, 'TEMPORAL_TLS=true', 'tls');
      assert.match(finding.found, found);
      assert.match(finding.advice, advice);
    });
  }
});
