/**
 * The approval link's pages: the confirm page (GET: what the link decides, for whom, a comment
 * box, Approve and Reject), and the answer after the POST. Pure; every value goes through hono's
 * `html` helper, which escapes it. Refusals use the UI's problem page.
 */
import { html } from 'hono/html';
import { renderDocument } from '../ui/layout.js';
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
  return renderDocument(
    `Approve ${t.pipeline} ${t.version} in ${t.stage}`,
    viewer.name,
    'confirm',
    html`<main id="confirm">
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
    </main>`,
    { referrer: 'same-origin' },
  );
}

/** After a decision: what was recorded. */
export function renderDecidedPage(claims: ApprovalLinkClaims, decision: 'approve' | 'reject', message: string): string {
  const t = claims.target;
  return renderDocument(
    decision === 'approve' ? 'Approved' : 'Rejected',
    null,
    'decided',
    html`<main id="decided">
      <h1>${decision === 'approve' ? 'Approved' : 'Rejected'}</h1>
      <p class="decided" role="status">${message}</p>
      <p><a href="/releases/${encodeURIComponent(t.promotionId)}">See ${t.pipeline} ${t.version} on its release page</a></p>
    </main>`,
  );
}
