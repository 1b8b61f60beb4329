/**
 * Slack's interactive messages (docs/approval-links.md): POST /integrations/slack/interactions,
 * where Slack sends a click on a ramp message's Approve or Reject button. The raw body is
 * verified with Slack's own verifier (verify.ts); the clicking Slack user is mapped to a person
 * (users.ts: the users file, or the e-mail Slack verified, via users.info); then the API's
 * decision path (server/actions.ts stageCommand) with channel `slack`, bound to the gate, commit
 * and attempt the button was posted for. Slack wants an answer within 3 seconds: the server
 * answers 200 at once and tells the clicking user the outcome through the payload's
 * response_url, as an ephemeral message (only they see it). Updating the posted message for
 * everyone is the notification workflow's work, on approval-decided.
 */
import { WebClient, LogLevel } from '@slack/web-api';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { readSnapshot } from '../../../cli/temporal-backend.js';
import type { Actor } from '../../../src/identity/actor.js';
import { DecisionChannel, type DecisionTarget } from '../../../src/identity/decision.js';
import { stageCommand } from '../../actions.js';
import type { AppEnv, ServerContext } from '../../context.js';
import { ApiError, apiErrorOf } from '../../errors.js';
import { movedOnRefusal } from '../../links/check.js';
import { parseSlackInteraction, type SlackInteraction } from './payload.js';
import { slackActor, slackPerson, type SlackUsers } from './users.js';
import { slackRequestRefusal } from './verify.js';

export interface SlackOptions {
  /** The app's signing secret (RAMP_SERVER_SLACK_SIGNING_SECRET_FILE). */
  signingSecret: string;
  /** Slack users to people (RAMP_SERVER_SLACK_USERS_FILE); empty: nobody is known. */
  users: SlackUsers;
  /** The bot token (RAMP_SERVER_SLACK_BOT_TOKEN_FILE), to read a user's verified e-mail (users.info, scope users:read.email). */
  botToken?: string;
  /** Slack's Web API base URL. @default https://slack.com/api/ */
  slackApiUrl?: string;
}

/** Slack's interaction bodies are a few kilobytes. */
const BODY_MAX_BYTES = 64 * 1024;
/** How long answering the clicking user may take (Slack keeps a response_url for 30 minutes). */
const RESPONSE_TIMEOUT_MS = 10_000;

export function slackRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  const slack = ctx.options.slack;
  const logger = ctx.options.logger;
  const client = slack?.botToken
    ? new WebClient(slack.botToken, {
        ...(slack.slackApiUrl ? { slackApiUrl: slack.slackApiUrl } : {}),
        logLevel: LogLevel.ERROR,
        retryConfig: { retries: 1 },
        timeout: 5_000,
      })
    : null;

  const audit = (kind: string, reason: string, extra: Record<string, unknown> = {}) =>
    logger.info({ msg: 'refused', audit: true, channel: DecisionChannel.Slack, kind, reason, ...extra });

  app.post(
    '/integrations/slack/interactions',
    bodyLimit({ maxSize: BODY_MAX_BYTES, onError: () => Promise.reject(new ApiError(413, `the request body is larger than ${BODY_MAX_BYTES} bytes`)) }),
    async (c) => {
      if (!slack)
        throw new ApiError(404, 'Slack interactions are not enabled on this server (no RAMP_SERVER_SLACK_SIGNING_SECRET_FILE)', {
          hint: 'set RAMP_SERVER_SLACK_SIGNING_SECRET_FILE to the Slack app’s signing secret (docs/approval-links.md)',
        });
      const body = await c.req.text();
      const forged = slackRequestRefusal(slack.signingSecret, {
        body,
        signature: c.req.header('x-slack-signature'),
        timestamp: c.req.header('x-slack-request-timestamp'),
      });
      if (forged !== null) {
        audit('bad-signature', forged, { address: addressOf(c) });
        throw new ApiError(401, `not a request from Slack: ${forged}`, {
          hint: 'Slack signs its requests with the app’s signing secret; check RAMP_SERVER_SLACK_SIGNING_SECRET_FILE',
        });
      }
      const parsed = parseSlackInteraction(body);
      if (!parsed.ok) {
        if (parsed.ignore) return c.body(null, 200);
        audit('invalid', parsed.reason);
        throw new ApiError(400, `the Slack interaction cannot be read: ${parsed.reason}`);
      }
      // Answered now; decided after (Slack gives up after 3 seconds).
      void decide(parsed.interaction).catch((error: unknown) =>
        logger.error({ msg: 'slack interaction failed', error: error instanceof Error ? error.message : String(error) }),
      );
      return c.body(null, 200);
    },
  );

  /** Who clicked, whether they may, the decision, and the answer to them. */
  async function decide(interaction: SlackInteraction): Promise<void> {
    const { value, action, user } = interaction;
    const about = { slackUser: user.id, action, target: value };
    const refuse = async (kind: string, reason: string, actor: Actor | null = null) => {
      audit(kind, reason, { ...about, actor });
      await answer(interaction, `:no_entry: Not ${action === 'approve' ? 'approved' : 'rejected'}: ${reason}`);
    };
    const person = slackPerson(slack!.users, user.id, await verifiedEmail(user.id));
    if (!person)
      return refuse(
        'unknown-user',
        `ramp does not know who Slack user ${user.id} is (not in the server's Slack users file${client ? ', and no match for the e-mail Slack has for them' : ''}). Ask whoever runs ramp server to add them to RAMP_SERVER_SLACK_USERS_FILE; nothing was decided`,
      );
    const actor = slackActor(person);
    let target: DecisionTarget;
    try {
      const snapshot = await readSnapshot(await ctx.temporal.get(), value.promotionId);
      target = { ...value, pipeline: snapshot.promotion.pipeline, version: snapshot.promotion.version };
      const moved = movedOnRefusal(target, snapshot);
      if (moved) return refuse('moved-on', moved.message, actor);
    } catch (error) {
      const failure = apiErrorOf(error);
      if (failure.status >= 500) throw error;
      return refuse('moved-on', failure.message, actor);
    }
    try {
      const ack = await stageCommand(
        ctx,
        actor,
        { promotionId: value.promotionId, stage: value.stage, action, body: action === 'reject' ? { reason: `rejected in Slack by ${actor.name}` } : {} },
        { channel: DecisionChannel.Slack, target },
      );
      logger.info({ msg: 'slack decision', audit: true, channel: DecisionChannel.Slack, ...about, actor });
      await answer(interaction, `:white_check_mark: ${ack.message}`);
    } catch (error) {
      const failure = apiErrorOf(error);
      if (failure.status >= 500) {
        await answer(interaction, `:warning: ramp could not record the decision now (${failure.message}); try again in a moment`);
        throw error;
      }
      return refuse(failure.status === 403 ? 'forbidden' : 'refused', failure.message, actor);
    }
  }

  /** The e-mail address Slack has verified for the user (users.info), or null without a bot token or on failure. */
  async function verifiedEmail(userId: string): Promise<string | null> {
    if (!client || slack!.users.has(userId)) return null;
    try {
      const info = await client.users.info({ user: userId });
      return info.user?.profile?.email ?? null;
    } catch (error) {
      logger.error({ msg: 'slack users.info failed', slackUser: userId, error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  /** An ephemeral message to the clicking user (only they see it) through the payload's response_url. */
  async function answer(interaction: SlackInteraction, text: string): Promise<void> {
    if (!interaction.responseUrl) return;
    try {
      const response = await fetch(interaction.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
        signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (!response.ok) logger.error({ msg: 'slack response_url refused the answer', status: response.status });
    } catch (error) {
      logger.error({ msg: 'slack response_url did not answer', error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function addressOf(c: Context): string {
  const socket = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket;
  return socket?.remoteAddress ?? 'unknown';
}
