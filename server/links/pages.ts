/**
 * The approval link's pages: the confirm page (GET: what the link decides, for whom, a comment
 * box, Approve and Reject), and the answer after the POST. Pure; every value goes through hono's
 * `html` helper, which escapes it. Refusals use the UI's problem page.
 */
import { html } from 'hono/html';
import type { Actor } from '../../src/identity/actor.js';
import type { ApprovalLinkClaims } from '../../src/identity/approval-link.js';

export interface ConfirmPage {
  claims: ApprovalLinkClaims;
  viewer: Actor;
  /** Where the form posts: /approve/<token>. */
  action: string;
  csrf: string;
}

export function renderConfirmPage({ claims, viewer, action, csrf }: ConfirmPage): string {
  const t = claims.target;
  const release = `/releases/${encodeURIComponent(t.promotionId)}`;
  return done(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          <title>Approve ${t.pipeline} ${t.version} in ${t.stage} · ramp</title>
          <link rel="stylesheet" href="/assets/ramp.css" />
        </head>
        <body>
          <header><span class="brand">ramp</span> <span class="viewer">signed in as ${viewer.name}</span></header>
          <main>
            <h1>Approve ${t.pipeline} <span class="version">${t.version}</span> in ${t.stage}?</h1>
            <dl class="release">
              <dt>Release</dt>
              <dd><a href="${release}">${t.pipeline} ${t.version}</a> (<code>${t.promotionId}</code>)</dd>
              <dt>Stage</dt>
              <dd>${t.stage}${t.attempt !== null && t.attempt > 1 ? `, attempt ${t.attempt}` : ''}</dd>
              <dt>Gate</dt>
              <dd>${t.gate}</dd>
              <dt>Commit</dt>
              <dd><code>${t.commit ?? '(none)'}</code></dd>
              <dt>For</dt>
              <dd>${claims.approver}</dd>
              <dt>Link valid until</dt>
              <dd><time datetime="${claims.expiresAt}">${claims.expiresAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time></dd>
            </dl>
            <form method="post" action="${action}" class="decide">
              <input type="hidden" name="csrf" value="${csrf}" />
              <p>
                <label for="comment">Comment (a reason is needed to reject)</label><br />
                <textarea id="comment" name="comment" rows="3" cols="60" maxlength="2000"></textarea>
              </p>
              <p>
                <button type="submit" name="decision" value="approve">Approve</button>
                <button type="submit" name="decision" value="reject">Reject</button>
              </p>
            </form>
            <p class="hint">The link decides once. Opening it decided nothing.</p>
          </main>
        </body>
      </html> `,
  );
}

/** After a decision: what was recorded. */
export function renderDecidedPage(claims: ApprovalLinkClaims, decision: 'approve' | 'reject', message: string): string {
  const t = claims.target;
  return done(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>${decision === 'approve' ? 'Approved' : 'Rejected'} · ramp</title>
          <link rel="stylesheet" href="/assets/ramp.css" />
        </head>
        <body>
          <header><span class="brand">ramp</span></header>
          <main>
            <h1>${decision === 'approve' ? 'Approved' : 'Rejected'}</h1>
            <p class="decided" role="status">${message}</p>
            <p><a href="/releases/${encodeURIComponent(t.promotionId)}">See ${t.pipeline} ${t.version} on its release page</a></p>
          </main>
        </body>
      </html> `,
  );
}

function done(page: ReturnType<typeof html>): string {
  if (page instanceof Promise) throw new Error('an approval link page rendered asynchronously: a fragment returned a promise');
  return page.toString();
}
