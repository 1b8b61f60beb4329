/**
 * Signed approval links (docs/approval-links.md): GET /approve/:token shows a confirm page and
 * never decides (mail scanners and link previews fetch links); POST /approve/:token decides,
 * only from the confirm page (CSRF token bound to the session and the link, and the Origin),
 * only for the person the link names, and only while the release waits at the gate, commit and
 * attempt the link was signed for. The decision goes the API's way (server/actions.ts
 * stageCommand) with channel `link` and the link's id as the decision id: the workflow refuses
 * a second use, on the record. Every refusal is a page with a 4xx status and an audit line.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import type { JSONWebKeySet } from 'jose';
import { readSnapshot } from '../../cli/temporal-backend.js';
import type { Actor } from '../../src/identity/actor.js';
import { verifyApprovalLink, type ApprovalLinkClaims } from '../../src/identity/approval-link.js';
import { DecisionChannel } from '../../src/identity/decision.js';
import { stageCommand } from '../actions.js';
import type { SessionKeys } from '../auth/session-keys.js';
import { SESSION_COOKIE, verifySession } from '../auth/session.js';
import type { AppEnv, ServerContext } from '../context.js';
import { apiErrorOf } from '../errors.js';
import { renderProblemPage } from '../ui/problem-page.js';
import { PAGE_HEADERS } from '../ui/routes.js';
import { approverRefusal, invalidLinkRefusal, movedOnRefusal, type LinkRefusal } from './check.js';
import { linkCsrfKey, linkCsrfToken, linkCsrfValid, originRefusal } from './csrf.js';
import { renderConfirmPage, renderDecidedPage } from './pages.js';

export interface LinkOptions {
  /** The workers' link public keys (RAMP_SERVER_LINK_KEYS_FILE). */
  publicKeys: JSONWebKeySet;
}

/** A confirm page's form is small: a comment of at most 2000 characters. */
const FORM_MAX_BYTES = 16 * 1024;
const COMMENT_MAX = 2_000;

export function approvalLinkRoutes(app: Hono<AppEnv>, ctx: ServerContext, sessions: SessionKeys | null): void {
  const links = ctx.options.links;
  const browser = ctx.options.browser;
  const csrfKey = sessions ? linkCsrfKey(sessions) : null;
  const origin = browser ? new URL(browser.publicUrl).origin : null;
  const logger = ctx.options.logger;

  /** A refusal: the page, its status, and a line in the audit log (never the token). */
  const refuse = (c: Context<AppEnv>, refusal: LinkRefusal, about: { claims?: ApprovalLinkClaims; actor?: Actor | null } = {}) => {
    logger.info({
      msg: 'refused',
      audit: true,
      channel: DecisionChannel.Link,
      method: c.req.method,
      kind: refusal.kind,
      ...(about.claims ? { linkId: about.claims.linkId, approver: about.claims.approver, target: about.claims.target } : {}),
      actor: about.actor ?? null,
      reason: refusal.message,
    });
    page(c);
    return c.html(renderProblemPage(refusal.title, refusal.message, refusal.hint), refusal.status);
  };

  const notEnabled = (c: Context<AppEnv>) =>
    refuse(c, {
      status: 404,
      kind: 'not-enabled',
      title: 'Approval links are not enabled here',
      message: links
        ? 'this ramp server has no browser sessions (no OpenID Provider), so nobody can sign in to use an approval link'
        : 'this ramp server has no approval link keys (RAMP_SERVER_LINK_KEYS_FILE)',
      hint: 'decide with ramp approve, or ask whoever runs the server to enable approval links (docs/approval-links.md)',
    });

  /** The signed-in person, or null (no cookie, or an altered or expired one). */
  const viewerOf = async (c: Context<AppEnv>): Promise<{ actor: Actor; session: string } | null> => {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (!sessions || !cookie) return null;
    const actor = await verifySession(cookie, sessions).catch(() => null);
    if (actor) c.set('actor', actor);
    return actor ? { actor, session: cookie } : null;
  };

  /** Whether the release still waits for what the link decides; a refusal otherwise. */
  const stateRefusal = async (claims: ApprovalLinkClaims): Promise<LinkRefusal | null> => {
    let snapshot;
    try {
      snapshot = await readSnapshot(await ctx.temporal.get(), claims.target.promotionId);
    } catch (error) {
      const failure = apiErrorOf(error);
      if (failure.status !== 404) throw error;
      return {
        status: 404,
        kind: 'moved-on',
        title: 'No such release',
        message: failure.message,
        hint: 'the release may have been removed; ask for a new link',
      };
    }
    return movedOnRefusal(claims.target, snapshot);
  };

  app.get('/approve/:token', async (c) => {
    if (!links || !sessions || !browser) return notEnabled(c);
    const token = c.req.param('token');
    const verified = await verifyApprovalLink(token, links.publicKeys);
    if (!verified.ok) return refuse(c, invalidLinkRefusal(verified.reason));
    const { claims } = verified;
    const viewer = await viewerOf(c);
    // Sign in first (as whom the link names), then back to this page.
    if (!viewer) return c.redirect(`/auth/login?return=${encodeURIComponent(`/approve/${token}`)}`, 302);
    const wrong = approverRefusal(claims, viewer.actor);
    if (wrong) return refuse(c, wrong, { claims, actor: viewer.actor });
    const moved = await stateRefusal(claims);
    if (moved) return refuse(c, moved, { claims, actor: viewer.actor });
    logger.info({ msg: 'approval link opened', audit: true, channel: DecisionChannel.Link, linkId: claims.linkId, target: claims.target, actor: viewer.actor });
    page(c);
    return c.html(
      renderConfirmPage({ claims, viewer: viewer.actor, action: `/approve/${token}`, csrf: linkCsrfToken(csrfKey!, viewer.session, claims.linkId) }),
    );
  });

  app.post(
    '/approve/:token',
    bodyLimit({
      maxSize: FORM_MAX_BYTES,
      onError: (c) =>
        refuse(c as Context<AppEnv>, {
          status: 400,
          kind: 'invalid',
          title: 'The form is too large',
          message: `a decision's form is at most ${FORM_MAX_BYTES} bytes`,
          hint: 'shorten the comment and send it again',
        }),
    }),
    async (c) => {
      if (!links || !sessions || !browser) return notEnabled(c);
      const token = c.req.param('token');
      const verified = await verifyApprovalLink(token, links.publicKeys);
      const claims = verified.ok ? verified.claims : undefined;
      const forged = originRefusal(origin!, { origin: c.req.header('origin'), referer: c.req.header('referer') });
      if (forged)
        return refuse(
          c,
          {
            status: 403,
            kind: 'forged-request',
            title: 'This decision did not come from ramp’s confirm page',
            message: forged,
            hint: 'open the approval link and decide on its page',
          },
          { ...(claims ? { claims } : {}) },
        );
      if (!verified.ok) return refuse(c, invalidLinkRefusal(verified.reason));
      const viewer = await viewerOf(c);
      if (!viewer)
        return refuse(
          c,
          {
            status: 401,
            kind: 'not-signed-in',
            title: 'Sign in to decide',
            message: 'no browser session came with the decision (signed out, expired, or sent from another site)',
            hint: 'open the approval link again: it asks you to sign in, then shows the confirm page',
          },
          { claims: verified.claims },
        );
      const form = new URLSearchParams(await c.req.text());
      const about = { claims: verified.claims, actor: viewer.actor };
      if (!linkCsrfValid(csrfKey!, viewer.session, verified.claims.linkId, form.get('csrf') ?? undefined))
        return refuse(
          c,
          {
            status: 403,
            kind: 'forged-request',
            title: 'This decision did not come from ramp’s confirm page',
            message: 'the form’s CSRF token is missing or not this session’s token for this link (cross-site request forgery defence)',
            hint: 'open the approval link again and decide on its page',
          },
          about,
        );
      const wrong = approverRefusal(verified.claims, viewer.actor);
      if (wrong) return refuse(c, wrong, about);
      const decision = form.get('decision');
      const comment = (form.get('comment') ?? '').trim();
      if (decision !== 'approve' && decision !== 'reject')
        return refuse(
          c,
          {
            status: 400,
            kind: 'invalid',
            title: 'Approve or reject?',
            message: 'the form said neither approve nor reject',
            hint: 'use the Approve or Reject button',
          },
          about,
        );
      if (comment.length > COMMENT_MAX || (decision === 'reject' && comment === ''))
        return refuse(
          c,
          {
            status: 400,
            kind: 'incomplete-form',
            title: comment === '' ? 'Say why you reject' : 'The comment is too long',
            message: comment === '' ? 'a rejection needs a reason, written in the comment box' : `a comment is at most ${COMMENT_MAX} characters`,
            hint: 'go back, write the comment, and press the button again',
          },
          about,
        );
      const moved = await stateRefusal(verified.claims);
      if (moved) return refuse(c, moved, about);
      const { target, linkId } = verified.claims;
      try {
        const ack = await stageCommand(
          ctx,
          viewer.actor,
          {
            promotionId: target.promotionId,
            stage: target.stage!,
            action: decision,
            body: decision === 'reject' ? { reason: comment } : comment ? { comment } : {},
          },
          { channel: DecisionChannel.Link, link: { linkId, target } },
        );
        logger.info({ msg: 'approval link used', audit: true, channel: DecisionChannel.Link, decision, linkId, target, actor: viewer.actor });
        page(c);
        return c.html(renderDecidedPage(verified.claims, decision, ack.message));
      } catch (error) {
        const failure = apiErrorOf(error);
        if (failure.status >= 500) throw error;
        const reused = /already used/.test(failure.message);
        return refuse(
          c,
          {
            status: reused ? 409 : failure.status === 403 ? 403 : 409,
            kind: reused ? 'reused' : 'refused',
            title: reused ? 'This approval link was already used' : 'The decision was refused',
            message: failure.message,
            hint: reused ? 'a link decides once; see the release page for where it stands' : failure.hint,
          },
          about,
        );
      }
    },
  );
}

/** A path for logs: /approve/<token> as /approve/… (a link is a credential of sorts: never logged). */
export function withoutLinkToken(path: string): string {
  return path.replace(/^\/approve\/[^/]*/, '/approve/…');
}

function page(c: Context): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) c.header(name, value);
  c.header('Cache-Control', 'no-store');
}
