// A real browser for UI tests: Debian's chromium (scripts/lib/tools.ts ensureChromium) driven by
// playwright-core with `executablePath`. Nothing is downloaded (never `npx playwright install`).
//
// The profile: `chromium.launch()` refuses a `--user-data-dir` argument and instead starts every
// browser with a fresh, empty profile of its own in os.tmpdir() (playwright_chromiumdev_profile-*),
// removed again when the browser closes; that is the fresh user-data dir the machine needs.
// `launchPersistentContext` would be needed only to keep a profile, which tests must not.
//
// Signals: playwright's own SIGINT handler exits the process itself, racing the harness reaper;
// so it is switched off and the reaper closes the browser on SIGINT/SIGTERM/SIGHUP. On any exit,
// playwright still SIGKILLs the browsers it started.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { ensureChromium } from '../../scripts/lib/tools.js';
import { cleanupOnSignal } from './reaper.js';

/**
 * Without the background-networking flags Chromium's own connections (updates, sync, Google
 * hosts) are refused by the closed network, many at a time. --headless and --no-sandbox are also
 * what playwright adds itself (the tests run as root, where the sandbox cannot start).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  browser: Browser;
  /** The chromium executable and its version, for diagnostics. */
  executable: { path: string; version: string };
  /** A page in a new, isolated context (its own cookies and storage). */
  newPage(): Promise<Page>;
  /** A full-page PNG of `page` at `file` (folders created); returns `file`. */
  screenshot(page: Page, file: string): Promise<string>;
  /** Closes the browser (and its temporary profile). Safe to call twice. */
  stop(): Promise<void>;
}

export interface BrowserOptions {
  /** Milliseconds to wait for chromium to start. Default 60 s (2 shared cores). */
  launchTimeoutMs?: number;
}

/** Starts headless chromium. Stop it with `stop()` in `after()`. */
export async function startBrowser(options: BrowserOptions = {}): Promise<TestBrowser> {
  const tool = await ensureChromium();
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: tool.path,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: options.launchTimeoutMs ?? 60_000,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (err) {
    throw new Error(
      `starting ${tool.path} (chromium ${tool.version}) through playwright-core failed: ${(err as Error).message}. ` +
        'Run it by hand with `--headless --no-sandbox --dump-dom about:blank` to see why, or point RAMP_CHROMIUM at another Chromium.',
      { cause: err },
    );
  }
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      unregister();
      await browser.close();
    })();
    return stopped;
  };
  const unregister = cleanupOnSignal(stop);

  return {
    browser,
    executable: { path: tool.path, version: tool.version },
    newPage: () => browser.newPage(),
    async screenshot(page, file) {
      await mkdir(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file, fullPage: true });
      const st = await stat(file);
      if (st.size === 0) throw new Error(`the screenshot of ${page.url()} at ${file} is empty`);
      return file;
    },
    stop,
  };
}

export interface SignIn {
  /** The login name at the provider (test/harness/oidc.ts users: `alice`, `bob`, …). */
  login: string;
  /** The provider's issuer URL: its login and consent pages are under it. */
  issuer: string;
  /** Where the person wanted to go (a page of ramp server that needs a session). */
  target: string;
  /** @default 60 s for each page (2 shared cores) */
  timeoutMs?: number;
}

/**
 * Opens `target`; ramp server sends the browser to the provider, whose login page (oidc-provider's
 * devInteractions: any password) and consent page are filled in and submitted as a person would;
 * the provider returns to /auth/callback, whose page goes on to `target` (the login hop).
 * Resolves once the browser is at `target`, with the callback's answer (to check the hop).
 */
export async function signIn(page: Page, { login, issuer, target, timeoutMs = 60_000 }: SignIn): Promise<{ callback: Response | null }> {
  let callback: Response | null = null;
  const onResponse = (response: Response) => {
    if (new URL(response.url()).pathname.endsWith('/auth/callback')) callback = response;
  };
  page.on('response', onResponse);
  try {
    await page.goto(target, { timeout: timeoutMs });
    if (!page.url().startsWith(issuer)) throw new Error(`opening ${target} did not lead to the provider's login: at ${page.url()}`);
    await page.locator('input[name="login"]').fill(login, { timeout: timeoutMs });
    await page.locator('input[name="password"]').fill('any password');
    // The login form, then the consent form: each time wait to leave the page.
    for (let form = 0; form < 3 && page.url().startsWith(issuer); form++) {
      const here = page.url();
      await page.locator('button[type="submit"]').first().click({ timeout: timeoutMs });
      await page.waitForURL((u) => u.href !== here, { timeout: timeoutMs });
    }
    await page.waitForURL(target, { timeout: timeoutMs });
    return { callback };
  } finally {
    page.off('response', onResponse);
  }
}
