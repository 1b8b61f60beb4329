/**
 * Signed approval links end to end (issue 11): a real OpenID Provider, ramp server with browser
 * sessions and the link keys, a worker with the real activities that verifies the server's
 * decisions, the real Temporal dev server and a GitOps remote. The links are signed as a worker
 * signs them (signApprovalLink with the link key).
 *
 * Production needs two approvals (dave, or anyone of group:sre). The link for dave: opened
 * without a session it goes through the provider's login and back; opening it decides nothing;
 * a POST without the confirm page's CSRF token, from another origin, or without a session is
 * refused; dave approves with it (channel link, the link's id as decision id); replaying it is
 * refused by the workflow as already used and recorded; expired, tampered, someone else's and
 * moved-on links are refused with pages and audit lines. Carol approves on the API with her
 * browser session (channel web); once production moved on, the link is dead.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SESSION_COOKIE } from '../../server/auth/session.js';
import { signApprovalLink, type ApprovalLinkClaims } from '../../src/identity/approval-link.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import type { DecisionTarget } from '../../src/identity/decision.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { firstForm, ScriptedBrowser } from '../../scripts/lib/oidc-provider/scripted-browser.js';
import { TEST_USERS, type TestOidcProvider, type TestUserName } from '../harness/oidc.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import type { TestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { startUiStack, type UiStack } from '../support/ui-stack.js';

interface Snapshot {
  promotion: PromotionStatus;
  activeStage: StageStatus | null;
}

describe('signed approval links (real provider, server, worker, Temporal)', () => {
  let stack: UiStack;
  let provider: TestOidcProvider;
  let linkKeys: Awaited<ReturnType<typeof generateDecisionKeys>>;
  let server: TestServer;
  let base: string;
  let pipeline: string;

  before(async () => {
    linkKeys = await generateDecisionKeys('test-link');
    stack = await startUiStack('links', { browser: false, server: () => ({ links: { publicKeys: linkKeys.publicKeys } }) });
    ({ provider, server, base } = stack);
    pipeline = uniqueName('links');
    await stack.addPipeline(
      pipeline,
      pipelineYaml({
        name: pipeline,
        url: stack.worker.ramp.remote.remoteUrl,
        access: ['    grants:', '      - { who: ["group:release-managers"], may: [promote, operate, rollback] }'].join('\n'),
        stages: {
          preview: {},
          production: { with: ['approval: { approvers: ["dave", "group:sre"], minApprovals: 2 }'], steps: ['setWeight: 50'] },
        },
      }),
    );
  });

  after(async () => stack?.stop());

  const api = async (method: string, path: string, body?: unknown, credential: { bearer?: string; cookie?: string } = {}) => {
    const bearer = credential.cookie ? undefined : (credential.bearer ?? (await provider.tokenFor('alice')).accessToken);
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(credential.cookie ? { cookie: `${SESSION_COOKIE}=${credential.cookie}`, 'x-ramp-request': '1' } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const statusOf = async (id: string): Promise<Snapshot> => (await api('GET', `/api/v1/promotions/${encodeURIComponent(id)}`)).body as unknown as Snapshot;

  const link = (target: DecisionTarget, approver: string, over: Partial<ApprovalLinkClaims> = {}) =>
    signApprovalLink(
      {
        linkId: `link-${Math.random().toString(36).slice(2)}`,
        approver,
        target,
        issuedAt: new Date(Date.now() - 60_000).toISOString(),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        ...over,
      },
      linkKeys.signing,
    );

  /** Opens `path` without a session (or the login page, returning to it): through the provider's login as `user` and back; answers the session cookie. */
  async function signIn(path: string, user: TestUserName, start = path): Promise<string> {
    const browser = new ScriptedBrowser();
    const result = await browser.browse(
      `${base}${start}`,
      (form): Record<string, string> => ('login' in form.fields ? { login: TEST_USERS[user].subject, password: 'any password' } : {}),
      (url) => url.startsWith(`${base}/auth/callback`),
    );
    assert.ok(result.url.startsWith(`${base}/auth/callback?`), `not back at the callback: ${result.url} ${result.html.slice(0, 300)}`);
    const callback = await browser.request('GET', result.url);
    const session = callback.headers
      .getSetCookie()
      .find((line) => line.startsWith(`${SESSION_COOKIE}=`))
      ?.split(';')[0]!
      .slice(SESSION_COOKIE.length + 1);
    assert.ok(session, `the callback set no session (${callback.status})`);
    // The callback returns to the link (a redirect, or a page that navigates on).
    const back = callback.headers.get('location') ?? (await callback.text());
    assert.ok(
      back.includes(path) || back.includes(path.replaceAll('/', '\\/')) || back.includes(encodeURI(path)),
      `the login did not return to ${path}: ${back.slice(0, 300)}`,
    );
    return session;
  }

  const open = (token: string, session?: string) =>
    fetch(`${base}/approve/${token}`, { redirect: 'manual', headers: session ? { cookie: `${SESSION_COOKIE}=${session}` } : {} });

  const decide = (token: string, session: string | undefined, form: Record<string, string>, origin: string | null = base) =>
    fetch(`${base}/approve/${token}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(session ? { cookie: `${SESSION_COOKIE}=${session}` } : {}),
        ...(origin ? { origin } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });

  /** The confirm page's CSRF token, from the page. */
  async function confirmPage(token: string, session: string): Promise<{ html: string; csrf: string }> {
    const page = await open(token, session);
    const html = await page.text();
    assert.equal(page.status, 200, html.slice(0, 600));
    const form = firstForm(html, `${base}/approve/${token}`);
    assert.ok(form?.fields.csrf, 'the confirm page has no CSRF token');
    return { html, csrf: form.fields.csrf };
  }

  const audited = (kind: string) =>
    server.logs.filter((line) => line.includes('"msg":"refused"') && line.includes('"audit":true') && line.includes(`"kind":"${kind}"`));

  test('dave approves production with his link; every misuse is refused and recorded', async () => {
    const started = await api('POST', '/api/v1/promotions', { pipeline, version: '3.1.0' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const id = String(started.body.promotionId);
    const waiting = await waitFor(
      () => statusOf(id),
      (s) => s.activeStage?.phase === 'AwaitingApproval',
      'production to wait for its approval',
      90_000,
    );
    const gate = waiting.activeStage!.approvals.at(-1)!;
    const target: DecisionTarget = {
      promotionId: id,
      pipeline,
      version: '3.1.0',
      stage: 'production',
      gate: gate.gate,
      attempt: waiting.activeStage!.attempt,
      commit: gate.commit ?? null,
    };
    const daveLink = await link(target, 'dave@example.test');

    // Without a session: to the login, and back to the link.
    const anonymous = await open(daveLink);
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.get('location'), `/auth/login?return=${encodeURIComponent(`/approve/${daveLink}`)}`);
    const dave = await signIn(`/approve/${daveLink}`, 'dave');

    // GET only: the confirm page says what the link decides, for whom; nothing is decided.
    const { html, csrf } = await confirmPage(daveLink, dave);
    assert.match(html, new RegExp(`Approve ${pipeline} <span class="version">3\\.1\\.0</span> in production\\?`));
    assert.match(html, /<dt>For<\/dt>\s*<dd>dave@example\.test<\/dd>/);
    assert.match(html, new RegExp(`<code>${target.commit}</code>`));
    assert.match(html, /signed in as Dave Dunn/);
    await confirmPage(daveLink, dave); // opened twice (a scanner, a preview): still nothing
    // A GET that looks like a decision is still only the confirm page.
    const lookalike = await fetch(`${base}/approve/${daveLink}?decision=approve&csrf=${encodeURIComponent(csrf)}`, {
      redirect: 'manual',
      headers: { cookie: `${SESSION_COOKIE}=${dave}` },
    });
    assert.equal(lookalike.status, 200);
    assert.match(await lookalike.text(), /Opening it decided nothing/);
    assert.equal((await statusOf(id)).activeStage!.approvals.at(-1)!.approvals.length, 0, 'opening the link decided nothing');
    assert.equal(server.logs.filter((l) => l.includes('"msg":"approval link opened"') && l.includes('"audit":true')).length, 3, 'each opening is recorded');

    // POSTs that are not the confirm page's: refused, recorded, nothing decided.
    const noCsrf = await decide(daveLink, dave, { decision: 'approve' });
    assert.equal(noCsrf.status, 403);
    assert.match(await noCsrf.text(), /CSRF token is missing/);
    const otherCsrf = await decide(daveLink, dave, { decision: 'approve', csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    assert.equal(otherCsrf.status, 403);
    const crossSite = await decide(daveLink, dave, { decision: 'approve', csrf }, 'https://evil.example');
    assert.equal(crossSite.status, 403);
    assert.match(await crossSite.text(), /came from https:\/\/evil\.example/);
    const noSession = await decide(daveLink, undefined, { decision: 'approve', csrf });
    assert.equal(noSession.status, 401);
    const noReason = await decide(daveLink, dave, { decision: 'reject', csrf, comment: ' ' });
    assert.equal(noReason.status, 400);
    assert.match(await noReason.text(), /a rejection needs a reason/);
    assert.equal(audited('incomplete-form').length, 1);
    assert.ok(audited('forged-request').length >= 3, 'forged requests are in the audit log');
    assert.equal(audited('not-signed-in').length, 1);
    assert.equal((await statusOf(id)).activeStage!.approvals.at(-1)!.approvals.length, 0, 'no refused POST decided');

    // Expired, tampered, someone else's, moved-on links: pages with 4xx, audit lines.
    const expired = await link(target, 'dave@example.test', {
      issuedAt: new Date(Date.now() - 7_200_000).toISOString(),
      expiresAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const expiredPage = await open(expired, dave);
    assert.equal(expiredPage.status, 410);
    assert.match(await expiredPage.text(), /This approval link has expired/);
    assert.equal(audited('expired').length, 1);

    const [header, payload, signature] = daveLink.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { ramp: { approver: string } };
    claims.ramp.approver = 'mallory@example.test';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    for (const answer of [await open(tampered, dave), await decide(tampered, dave, { decision: 'approve', csrf })]) {
      assert.equal(answer.status, 400);
      assert.match(await answer.text(), /signature does not verify/);
    }
    assert.equal(audited('invalid').length, 2);

    const carolLink = await link(target, 'carol');
    const wrongPerson = await open(carolLink, dave);
    assert.equal(wrongPerson.status, 403);
    assert.match(await wrongPerson.text(), /this link was sent to carol; you are signed in as Dave Dunn/);
    assert.equal((await decide(carolLink, dave, { decision: 'approve', csrf })).status, 403);
    assert.equal(audited('wrong-person').length, 1, 'the POST is refused by its CSRF token first (bound to the link)');

    const staleLink = await link({ ...target, commit: 'b'.repeat(40) }, 'dave');
    const stale = await open(staleLink, dave);
    assert.equal(stale.status, 409);
    assert.match(await stale.text(), /bound to commit [0-9a-f]{12} now; the link was for bbbbbbbbbbbb/);
    assert.equal(audited('moved-on').length, 1);
    assert.equal((await statusOf(id)).activeStage!.approvals.at(-1)!.approvals.length, 0, 'nothing was decided by any refused link');

    // Dave approves with his link.
    const approved = await decide(daveLink, dave, { decision: 'approve', csrf, comment: 'business says yes' });
    const approvedPage = await approved.text();
    assert.equal(approved.status, 200, approvedPage.slice(0, 600));
    assert.match(approvedPage, /Dave Dunn approved the gate approval/);
    const once = (await statusOf(id)).activeStage!.approvals.at(-1)!;
    assert.deepEqual(
      once.approvals.map((d) => [d.identity?.subject, d.identity?.method, d.channel, d.comment]),
      [['dave', 'oidc', 'link', 'business says yes']],
    );
    const linkId = (JSON.parse(Buffer.from(daveLink.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    assert.equal(once.approvals[0]!.decisionId, linkId, 'the decision id is the link id');

    // Replayed (the gate still waits for a second approval): the workflow refuses it as already used, on the record.
    const again = await confirmPage(daveLink, dave);
    const replay = await decide(daveLink, dave, { decision: 'approve', csrf: again.csrf });
    const replayPage = await replay.text();
    assert.equal(replay.status, 409, replayPage.slice(0, 600));
    assert.match(replayPage, /This approval link was already used/);
    assert.equal(audited('reused').length, 1);
    const afterReplay = (await statusOf(id)).activeStage!;
    assert.equal(afterReplay.approvals.at(-1)!.approvals.length, 1, 'the replay did not count');
    assert.ok(
      afterReplay.events.some((e) => e.kind === 'approve-refused' && e.message.includes(`this decision (${linkId}) was already used`)),
      'the replay is on the stage record',
    );

    // Carol approves on the API with her browser session: channel web. Production moves on.
    const carol = await signIn('/api/v1/me', 'carol', '/auth/login?return=/api/v1/me');
    const byCarol = await api('POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/approve`, { comment: 'sre ok' }, { cookie: carol });
    assert.equal(byCarol.status, 200, JSON.stringify(byCarol.body));
    const done = await waitFor(
      () => statusOf(id),
      (s) => s.promotion.finishedAt !== null,
      'the promotion to finish',
      120_000,
    );
    assert.equal(done.promotion.phase, 'Succeeded', done.promotion.message);
    const record = done.promotion.stages.find((s) => s.name === 'production')!.result!.approvals.at(-1)!;
    assert.deepEqual(
      record.approvals.map((d) => [d.identity?.subject, d.channel]),
      [
        ['dave', 'link'],
        ['carol', 'web'],
      ],
    );

    // Moved on: the link is dead.
    const dead = await open(daveLink, dave);
    assert.equal(dead.status, 409);
    assert.match(await dead.text(), /no longer running a stage \(it is Succeeded\)/);
    // No page and no log line holds a token.
    for (const part of daveLink.split('.')) assert.ok(!server.logs.some((line) => line.includes(part)), 'a log line holds a part of a link token');
    assert.ok(
      server.logs.some((line) => line.includes('"path":"/approve/…"')),
      'requests to links are logged without the token',
    );
  });
});
