// A scripted browser for the test OpenID Provider's pages: a cookie jar, redirects followed by
// hand, and each page's first form submitted with its hidden fields plus what the test fills in
// (the user code, the login). Enough for oidc-provider's device verification, login and consent
// pages; no JavaScript, no browser.

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

export interface PageForm {
  action: string;
  method: string;
  fields: Record<string, string>;
}

export interface BrowseResult {
  /** The last URL requested, or the redirect `stopAt` accepted (not requested). */
  url: string;
  status: number;
  html: string;
  /** The pages' forms, in the order they were submitted. */
  submitted: PageForm[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#34': '"' };
const decode = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39|#x27|#34);/g, (_, e: string) => ENTITIES[e] ?? '');

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return match ? decode(match[1] ?? match[2] ?? '') : undefined;
}

/** The first <form> of a page, or undefined. */
export function firstForm(html: string, base: string): PageForm | undefined {
  const open = /<form\b[^>]*>/i.exec(html);
  if (!open) return undefined;
  const end = html.indexOf('</form>', open.index);
  const body = html.slice(open.index, end === -1 ? undefined : end);
  const fields: Record<string, string> = {};
  for (const [input] of body.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input, 'name');
    if (name !== undefined) fields[name] = attribute(input, 'value') ?? '';
  }
  return {
    action: new URL(attribute(open[0], 'action') ?? base, base).href,
    method: (attribute(open[0], 'method') ?? 'get').toLowerCase(),
    fields,
  };
}

export class ScriptedBrowser {
  private cookies: StoredCookie[] = [];

  private cookieHeader(url: URL): string | undefined {
    const matching = this.cookies.filter((c) => url.pathname.startsWith(c.path));
    return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  private store(setCookies: string[], url: URL): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cookiePath = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attr of attributes) {
        const [key = '', val = ''] = attr.split('=');
        if (key.toLowerCase() === 'path') cookiePath = val || '/';
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && Date.parse(val) < Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === cookiePath));
      if (!expired) this.cookies.push({ name, value, path: cookiePath });
    }
  }

  /** One request, no redirects followed; cookies sent and kept. */
  async request(method: string, href: string, form?: Record<string, string>): Promise<Response> {
    const url = new URL(href);
    const headers: Record<string, string> = {};
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(url, { method: method.toUpperCase(), headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    this.store(res.headers.getSetCookie(), url);
    return res;
  }

  /**
   * From `start`, follows redirects and submits each page's first form with `fill(form)` merged
   * over its fields, until a page has no form, or a redirect goes where `stopAt` says (not
   * requested: the client's redirect URI). Bounded to 20 requests.
   */
  async browse(start: string, fill: (form: PageForm) => Record<string, string>, stopAt: (url: string) => boolean = () => false): Promise<BrowseResult> {
    const submitted: PageForm[] = [];
    let method = 'get';
    let url = start;
    let form: Record<string, string> | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await this.request(method, url, form);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        url = new URL(location, url).href;
        method = 'get';
        form = undefined;
        if (stopAt(url)) return { url, status: res.status, html: '', submitted };
        continue;
      }
      const html = await res.text();
      const next = res.status < 400 ? firstForm(html, url) : undefined;
      if (!next) return { url, status: res.status, html, submitted };
      submitted.push(next);
      method = next.method;
      url = next.action;
      form = { ...next.fields, ...fill(next) };
    }
    throw new Error(`the scripted browser gave up after 20 requests, at ${url}`);
  }
}
