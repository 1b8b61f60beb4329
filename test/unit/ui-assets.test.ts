/**
 * GET /assets/ramp.js (server/ui/assets.ts): the islands bundled from ui/ramp.ts by esbuild (these
 * tests run from source), one self-contained ES module with its ETag; and the login's hop page.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { renderLoginHop } from '../../server/auth/login-hop.js';
import type { AppEnv } from '../../server/context.js';
import { assetRoutes } from '../../server/ui/assets.js';

describe('/assets/ramp.js', () => {
  const app = new Hono<AppEnv>();
  assetRoutes(app);

  test('one bundled ES module, revalidated by its ETag, with the pages headers', async () => {
    const res = await app.request('/assets/ramp.js');
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const etag = res.headers.get('etag') ?? '';
    assert.match(etag, /^"[A-Za-z0-9_-]{22}"$/);
    // Bundled: no import of another module is left; what the islands look for is in it.
    assert.doesNotMatch(body, /\bimport\s*[{*"']|\bfrom\s*["']\.\//);
    for (const needle of ['main[data-fragment]', 'form[data-ramp-action]', 'X-Ramp-Request', 'EventSource']) assert.ok(body.includes(needle), needle);

    const again = await app.request('/assets/ramp.js', { headers: { 'if-none-match': `"other", ${etag}` } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    assert.equal(again.headers.get('etag'), etag);
    const changed = await app.request('/assets/ramp.js', { headers: { 'if-none-match': '"other"' } });
    assert.equal(changed.status, 200);
  });
});

describe('the login hop page', () => {
  test('goes on to the return path by a meta refresh and a link, no script; values escaped', () => {
    const page = renderLoginHop('/releases/web%401.2.0?tab=a&x=1', 'Bob <b>');
    assert.ok(page.includes('<meta http-equiv="refresh" content="0; url=/releases/web%401.2.0?tab=a&amp;x=1" />'), page);
    assert.ok(page.includes('<a href="/releases/web%401.2.0?tab=a&amp;x=1" data-hop>Continue</a>'), page);
    assert.ok(page.includes('Signed in as Bob &lt;b&gt;'), page);
    assert.doesNotMatch(page, /<script|style=/);
  });
});
