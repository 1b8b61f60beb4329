// Harness self-check (not a test of ramp): startBrowser() drives Debian's chromium through
// playwright-core against a page served here on localhost, with its script in a separate file
// under a strict Content-Security-Policy (as the UI will be served).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startBrowser, type TestBrowser } from '../browser.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>harness</title>
<script src="/app.js" defer></script></head>
<body><p id="state">waiting</p><button id="go" type="button">Approve</button></body></html>`;

const SCRIPT = `document.getElementById('go').addEventListener('click', () => {
  document.getElementById('state').textContent = 'approved by click';
});
document.body.dataset.ready = 'yes';`;

/** The same page with an inline script, which `default-src 'self'` must block. */
const INLINE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>inline</title></head>
<body><p id="state">untouched</p><script>document.getElementById('state').textContent = 'inline ran';</script></body></html>`;

const CSP = "default-src 'self'";

describe('harness: Debian chromium through playwright-core', () => {
  let browser: TestBrowser;
  let server: http.Server;
  let origin: string;
  let dir: string;
  const served: string[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-browser-'));
    server = http.createServer((req, res) => {
      served.push(req.url ?? '');
      const send = (type: string, body: string): void => {
        res.writeHead(200, { 'Content-Type': type, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' });
        res.end(body);
      };
      if (req.url === '/') send('text/html; charset=utf-8', PAGE);
      else if (req.url === '/app.js') send('text/javascript; charset=utf-8', SCRIPT);
      else if (req.url === '/inline') send('text/html; charset=utf-8', INLINE_PAGE);
      else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await startBrowser();
  });

  after(async () => {
    await browser?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a click runs the page’s script file under a strict CSP, and a screenshot is written', async (t) => {
    t.diagnostic(`chromium ${browser.executable.version} at ${browser.executable.path}`);
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const response = await page.goto(`${origin}/`);
    assert.equal(response?.headers()['content-security-policy'], CSP);
    await page.locator('body[data-ready="yes"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#state').textContent(), 'waiting');

    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#state', { hasText: 'approved by click' }).waitFor({ timeout: 60_000 });
    assert.ok(served.includes('/app.js'), `the script file was fetched (served: ${served.join(' ')})`);
    assert.deepEqual(violations, []);

    const file = await browser.screenshot(page, path.join(dir, 'shots', 'clicked.png'));
    const png = await readFile(file);
    assert.ok(png.length > 100, `screenshot has ${png.length} bytes`);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    await page.context().close();
  });

  test('the same CSP blocks an inline script (the policy is really enforced)', async () => {
    const page = await browser.newPage();
    const violation = page.waitForEvent('console', { predicate: (m) => /Content Security Policy/i.test(m.text()), timeout: 60_000 });
    await page.goto(`${origin}/inline`);
    await violation;
    assert.equal(await page.locator('#state').textContent(), 'untouched');
    await page.context().close();
  });
});
