/**
 * Issue 11's business approvals, end to end as a product owner lives them: a promotion's
 * production gate asks dave (group product) by e-mail and in Slack, through the release's
 * notification workflow and the real channels — an SMTP server (aiosmtpd) and the real
 * @slack/web-api client against a local Slack. Dave approves one release from the link in his
 * e-mail (signing in through the real OpenID Provider, then the confirm page), and another from
 * the Slack button (an interaction signed as Slack signs it). Both land in the record with their
 * channel, and the Slack message is updated with the decision. Real Temporal dev server, a
 * worker with ramp's real activities that verifies the server's decisions, a real GitOps remote.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ScriptedBrowser, firstForm } from '../../scripts/lib/oidc-provider/scripted-browser.js';
import { SESSION_COOKIE } from '../../server/auth/session.js';
import { parseSlackUsers } from '../../server/integrations/slack/users.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import { TEST_USERS } from '../harness/oidc.js';
import { startSmtpServer, type TestSmtpServer } from '../harness/smtp.js';
import { startNotifyRecorder, type NotifyRecorder } from '../support/notify-recorder.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { startUiStack, type UiStack } from '../support/ui-stack.js';

const SLACK_SECRET = 'business-approvals-slack-secret';
const DAVE = TEST_USERS.dave;

describe('business approvals: an e-mailed link and a Slack button (real provider, SMTP, Slack client, worker, Temporal)', () => {
  let stack: UiStack;
  let smtp: TestSmtpServer;
  let slack: NotifyRecorder;
  let base: string;
  let pipeline: string;

  before(async () => {
    [smtp, slack] = await Promise.all([startSmtpServer(), startNotifyRecorder('unused-hook-secret')]);
    const linkKeys = await generateDecisionKeys('links');
    stack = await startUiStack('business', {
      browser: false,
      notify: async (url, dir) => {
        const linkKeyFile = join(dir, 'link-signing.jwk.json');
        await writeFile(linkKeyFile, JSON.stringify(linkKeys.signing.jwk));
        return {
          notifications: { uiUrl: url, linkKeyFile, slackApiUrl: `${slack.url}/api/`, smtp: { url: smtp.url, from: 'ramp@example.test' } },
          secrets: { env: { RAMP_SECRET_SLACK_BOT_TOKEN: 'test-slack-bot-token-business' } },
        };
      },
      server: (provider) => ({
        links: { publicKeys: linkKeys.publicKeys },
        // Dave's Slack account, mapped to the person the provider knows.
        slack: {
          signingSecret: SLACK_SECRET,
          users: parseSlackUsers(
            { U0DAVE: { subject: DAVE.subject, name: DAVE.name, email: DAVE.email, groups: [...DAVE.groups], issuer: provider.issuer } },
            'the test mapping',
          ),
        },
      }),
    });
    base = stack.base;
    pipeline = uniqueName('biz');
    await stack.addPipeline(
      pipeline,
      pipelineYaml({
        name: pipeline,
        url: stack.worker.ramp.remote.remoteUrl,
        access: ['    grants:', '      - { who: ["group:release-managers"], may: [promote, operate, rollback] }'].join('\n'),
        notifications: [
          '    routes:',
          `      - { name: approvers, on: [approval-requested, approval-decided], stages: [production], to: ["email:${DAVE.email}", "slack:#deploys"] }`,
        ].join('\n'),
        stages: {
          preview: {},
          production: { with: ['approval: { approvers: ["group:product"] }'], steps: ['setWeight: 50'] },
        },
      }),
    );
  });

  after(async () => {
    await stack?.stop();
    await Promise.all([smtp?.stop(), slack?.close()]);
  });

  /** alice (release-managers) starts a release through the API and it waits at production's gate. */
  const releaseWaitingAtProduction = (version: string): Promise<string> => stack.promote('alice', pipeline, version);

  /** The production stage's record once the promotion has finished. */
  async function productionWhenDone(id: string) {
    const done = await stack.waitForSnapshot(id, (s) => s.promotion.finishedAt !== null, `${id} to finish`, 120_000);
    assert.equal(done.promotion.phase, 'Succeeded', done.promotion.message);
    return done.promotion.stages.find((s) => s.name === 'production')!.result!;
  }

  /** The update of the Slack message that asked about `version`, once it says who decided. */
  const slackUpdated = (version: string) =>
    slack.waitFor(
      (c) => c.path === '/api/chat.update' && JSON.stringify(c.json).includes(version) && /approved by Dave Dunn/.test(JSON.stringify(c.json)),
      `the Slack message about ${version} updated with the decision`,
      60_000,
    );

  /** The Slack message that asked for the gate of `id`, and the value of its Approve button. */
  async function slackRequest(id: string) {
    const post = await slack.waitFor(
      (c) => c.path === '/api/chat.postMessage' && JSON.stringify(c.json).includes(id) && JSON.stringify(c.json.blocks ?? []).includes('ramp_approve'),
      `the Slack request for ${id}`,
      120_000,
    );
    const actions = (post.json.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[]).find((b) => b.type === 'actions');
    const approve = actions?.elements?.find((e) => e.action_id === 'ramp_approve');
    assert.ok(approve?.value, `the Slack message has an Approve button: ${JSON.stringify(post.json.blocks)}`);
    return { post, value: approve.value };
  }

  test('dave approves from the link in his e-mail: he signs in, confirms, and the record says "via link"', async () => {
    const id = await releaseWaitingAtProduction('6.0.0');
    const mail = await smtp.waitForMessage((m) => m.rcptTo.includes(DAVE.email) && (m.subject ?? '').includes('6.0.0'), { timeoutMs: 120_000 });
    const url = /(http:\/\/127\.0\.0\.1:\d+\/approve\/[A-Za-z0-9._-]+)/.exec(mail.text ?? '')?.[1];
    assert.ok(url, `the e-mail carries an approval link: ${mail.text}`);
    assert.ok((mail.text ?? '').includes(`${base}/releases/${encodeURIComponent(id)}`), 'the e-mail links to the release page');

    // Opening the link without a session goes through the provider's login and back to the link.
    const browser = new ScriptedBrowser();
    const login = await browser.browse(
      url,
      (form): Record<string, string> => ('login' in form.fields ? { login: DAVE.subject, password: 'any password' } : {}),
      (at) => at.startsWith(`${base}/auth/callback`),
    );
    const callback = await browser.request('GET', login.url);
    const session = callback.headers
      .getSetCookie()
      .find((line) => line.startsWith(`${SESSION_COOKIE}=`))
      ?.split(';')[0];
    assert.ok(session, `signed in: the callback set a session (${callback.status})`);

    // The GET shows the confirm page; only the POST decides.
    const page = await fetch(url, { headers: { cookie: session }, redirect: 'manual' });
    const html = await page.text();
    assert.equal(page.status, 200, html.slice(0, 500));
    assert.match(html, /6\.0\.0/);
    const form = firstForm(html, url);
    assert.ok(form?.fields.csrf, 'the confirm page carries its CSRF token');
    assert.equal((await stack.waitForSnapshot(id, () => true, 'the status')).activeStage?.phase, 'AwaitingApproval', 'opening the link decided nothing');

    const decided = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session, origin: base },
      body: new URLSearchParams({ ...form.fields, decision: 'approve', comment: 'fine for the campaign' }).toString(),
    });
    assert.ok(decided.status < 400, `the approval was taken (${decided.status}): ${(await decided.text()).slice(0, 400)}`);

    const production = await productionWhenDone(id);
    const approval = production.approvals.at(-1)!.approvals[0]!;
    assert.equal(approval.identity?.subject, DAVE.subject);
    assert.equal(approval.identity?.method, 'oidc');
    assert.equal(approval.channel, 'link');
    assert.equal(approval.comment, 'fine for the campaign');

    // The Slack message that asked dave too now says who decided, and offers no buttons.
    const update = await slackUpdated('6.0.0');
    assert.match(JSON.stringify(update.json), /via link/);
    assert.doesNotMatch(JSON.stringify(update.json.blocks ?? []), /ramp_approve/);
  });

  test('dave approves from the Slack button: the record says "via slack" and the message is updated', async () => {
    const id = await releaseWaitingAtProduction('6.1.0');
    const { value } = await slackRequest(id);
    const payload = {
      type: 'block_actions',
      user: { id: 'U0DAVE', username: 'dave', team_id: 'T1' },
      team: { id: 'T1' },
      response_url: `${slack.url}/response/6.1.0`,
      actions: [{ action_id: 'ramp_approve', block_id: 'ramp', type: 'button', value }],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const click = await fetch(`${base}/integrations/slack/interactions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`,
      },
      body,
    });
    assert.equal(click.status, 200, await click.text());

    const production = await productionWhenDone(id);
    const approval = production.approvals.at(-1)!.approvals[0]!;
    assert.equal(approval.identity?.subject, DAVE.subject);
    assert.equal(approval.identity?.method, 'slack');
    assert.equal(approval.channel, 'slack');

    const update = await slackUpdated('6.1.0');
    assert.match(JSON.stringify(update.json), /via slack/);
  });
});
