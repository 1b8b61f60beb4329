/**
 * The notification workflow's activities (docs/notifications.md): a promotion's routes, read from
 * the pipeline it pinned when it started; one delivery of one event to one target — Slack,
 * Microsoft Teams (Workflows webhook, an Adaptive Card), e-mail over SMTP, a signed webhook, or
 * one of the worker-wide RAMP_NOTIFY_WEBHOOKS — and the update of a decided gate's Slack
 * message. A delivery that fails throws (the workflow retries it with back-off); one that can
 * never work (no secret, no SMTP server) fails as non-retryable `NotificationConfig`. No secret
 * reaches an error message, a log line or the workflow's history.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { AxiosInstance } from 'axios';
import type { DecisionSigningKey } from '../src/identity/decision-signature.js';
import { createMailer } from '../src/providers/mail.js';
import { redactSecrets } from '../src/providers/redact.js';
import { rampMetric } from '../src/observability/registry.js';
import { secretLocations, type SecretResolver } from '../src/providers/secrets.js';
import { approvalLinkToken } from '../src/notify/links.js';
import { readLinkKey } from '../src/notify/link-key.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from '../src/notify/signature.js';
import { createSlackPoster, type SlackPoster } from '../src/notify/slack.js';
import {
  asksForDecision,
  emailMessage,
  legacyBody,
  renderMessage,
  slackDecidedMessage,
  slackMessage,
  teamsMessage,
  webhookBody,
} from '../src/notify/templates.js';
import type { NotificationsSpec } from '../src/schema/notifications.js';
import type { DeliveryRequest, DeliveryResult, NotificationActivities, PromotionRoutes } from './notify-contract.js';

export const CONFIG_FAILURE = 'NotificationConfig';

export interface DeliveryDeps {
  client: Client;
  http: AxiosInstance;
  secrets: SecretResolver;
  /** RAMP_SECRETS_DIR, for messages that say where a secret is looked for. */
  secretsDir?: string | undefined;
  /** RAMP_NOTIFY_WEBHOOKS. */
  webhooks: readonly string[];
  /** RAMP_UI_URL: the ramp server's public URL (links); unset: messages carry no links. */
  uiUrl?: string | undefined;
  /** RAMP_LINK_SIGNING_KEY_FILE: signs e-mailed approval links; unset: no approval links. */
  linkKeyFile?: string | undefined;
  /** RAMP_SLACK_API_URL. */
  slackApiUrl?: string | undefined;
  /** RAMP_SMTP_URL (+ RAMP_SMTP_PASSWORD_FILE, RAMP_SMTP_FROM); unset: e-mail targets fail as NotificationConfig. */
  smtp?: { url: string; passwordFile?: string | undefined; from?: string | undefined } | undefined;
  /** For tests: another Slack poster. */
  slack?: SlackPoster;
}

function configFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: CONFIG_FAILURE, nonRetryable: true });
}

/** The pipeline's notifications as the promotion pinned them: its workflow's start input. */
async function pinnedNotifications(client: Client, promotionId: string): Promise<NotificationsSpec | null> {
  const history = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: promotionId },
    maximumPageSize: 1,
  });
  const started = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (!payload) throw new Error(`the workflow ${promotionId} has no start input`);
  const input = defaultPayloadConverter.fromPayload<{ pipeline?: { notifications?: NotificationsSpec | null } }>(payload);
  return input.pipeline?.notifications ?? null;
}

/** `web/staging:drift` → `web`: a drift watch's pipeline (src/domain/drift.ts driftWorkflowId). */
export function driftWatchPipeline(id: string): string | null {
  return /^([^/]+)\/[^/]+:drift$/.exec(id)?.[1] ?? null;
}

/** The newest promotion of a pipeline (visibility), whose pinned routes a drift watch uses. */
async function newestPromotion(client: Client, pipeline: string): Promise<string | null> {
  for await (const execution of client.workflow.list({
    query: `WorkflowType = "promotionWorkflow" AND RampPipeline = "${pipeline.replaceAll('"', '')}"`,
    pageSize: 1,
  })) {
    return execution.workflowId;
  }
  return null;
}

export function createDeliveryActivities(deps: DeliveryDeps): NotificationActivities {
  const slack = deps.slack ?? createSlackPoster({ apiUrl: deps.slackApiUrl });
  const uiUrl = deps.uiUrl ?? null;
  let linkKey: Promise<DecisionSigningKey> | null = null;

  async function secret(ref: string, what: string): Promise<string> {
    const value = await deps.secrets(ref);
    if (value === undefined) throw configFailure(`${what}: the worker has no secret ${ref} (${secretLocations(ref, deps.secretsDir)})`);
    return value;
  }

  async function post(url: string, body: string, headers: Record<string, string>, what: string, secrets: string[]): Promise<void> {
    try {
      await deps.http.post(url, body, { headers: { 'Content-Type': 'application/json', ...headers }, timeout: 15_000, transformRequest: [(b: unknown) => b] });
    } catch (error) {
      const e = error as Error & { response?: { status?: number } };
      const why = e.response?.status !== undefined ? `HTTP ${e.response.status}` : e.message;
      throw new Error(redactSecrets(`${what} did not take the notification: ${why}`, secrets));
    }
  }

  async function approvalToken(request: DeliveryRequest, recipient: string): Promise<string | null> {
    if (uiUrl === null || deps.linkKeyFile === undefined || !asksForDecision(request.event.event)) return null;
    linkKey ??= readLinkKey(deps.linkKeyFile);
    const key = await linkKey.catch((error: unknown) => {
      linkKey = null;
      throw configFailure((error as Error).message);
    });
    return approvalLinkToken(request.event, recipient, request.delivery.linkTtlMs, key);
  }

  const activities: NotificationActivities = {
    async notificationRoutes({ promotionId }): Promise<PromotionRoutes> {
      const legacy = deps.webhooks.length;
      try {
        // A drift watch has no routes of its own: those of its pipeline's newest promotion.
        const pipeline = driftWatchPipeline(promotionId);
        const source = pipeline === null ? promotionId : await newestPromotion(deps.client, pipeline);
        if (source === null) return { routes: [], slackTokenRef: 'slack-bot-token', legacy, problem: `no promotion of ${pipeline} to take routes from` };
        const spec = await pinnedNotifications(deps.client, source);
        return { routes: spec?.routes ?? [], slackTokenRef: spec?.slackTokenRef ?? 'slack-bot-token', legacy };
      } catch (error) {
        // A drift watch, or a promotion gone from Temporal: only the worker-wide route.
        return { routes: [], slackTokenRef: 'slack-bot-token', legacy, problem: `no pipeline routes for ${promotionId}: ${(error as Error).message}` };
      }
    },

    async deliverNotification(request): Promise<DeliveryResult> {
      const { event, delivery } = request;
      const target = delivery.target;
      const sentAt = new Date().toISOString();
      const deliveryId = createHash('sha256').update(`${event.key}|${target.id}`).digest('hex').slice(0, 32);
      switch (target.channel) {
        case 'legacy': {
          const url = deps.webhooks[Number(target.address)];
          if (url === undefined) throw configFailure(`RAMP_NOTIFY_WEBHOOKS has no URL number ${Number(target.address) + 1} any more`);
          const body = JSON.stringify(legacyBody(event, renderMessage(event, { uiUrl })));
          await post(url, body, {}, `the RAMP_NOTIFY_WEBHOOKS webhook at ${new URL(url).origin}`, [url]);
          return {};
        }
        case 'webhook': {
          if (delivery.secretRef === null) throw configFailure(`the webhook ${target.address} has no secretRef to sign with`);
          const key = await secret(delivery.secretRef, `signing the webhook ${target.address}`);
          const body = JSON.stringify(webhookBody(event, renderMessage(event, { uiUrl }), sentAt));
          await post(
            target.address,
            body,
            { [SIGNATURE_HEADER]: signBody(key, body), [TIMESTAMP_HEADER]: String(Math.floor(Date.parse(sentAt) / 1000)), [DELIVERY_HEADER]: deliveryId },
            `the webhook ${new URL(target.address).origin}`,
            [key],
          );
          return {};
        }
        case 'teams': {
          const url = await secret(target.address, `the Teams target teams:${target.address}`);
          const body = JSON.stringify(teamsMessage(renderMessage(event, { uiUrl })));
          await post(url, body, {}, `the Teams workflow of teams:${target.address}`, [url]);
          return {};
        }
        case 'email': {
          if (!deps.smtp) throw configFailure(`e-mail to ${target.address}: the worker has no SMTP server (set RAMP_SMTP_URL)`);
          const token = await approvalToken(request, target.address);
          const message = emailMessage(renderMessage(event, { uiUrl, approvalToken: token }));
          const url = await smtpUrl(deps.smtp);
          let mailer: ReturnType<typeof createMailer>;
          try {
            mailer = createMailer({ url, ...(deps.smtp.from ? { from: deps.smtp.from } : {}), timeoutMs: 20_000 });
          } catch (error) {
            throw configFailure(`RAMP_SMTP_URL: ${(error as Error).message}`);
          }
          try {
            await mailer.send({ to: [target.address], ...message });
          } finally {
            mailer.close();
          }
          return {};
        }
        case 'slack': {
          const token = await secret(request.slackTokenRef, `posting to Slack ${target.address}`);
          const channel = target.address;
          try {
            const posted = await slack.post({
              token,
              channel: request.thread?.channel ?? channel,
              message: slackMessage(event, renderMessage(event, { uiUrl })),
              ...(request.thread ? { threadTs: request.thread.ts } : {}),
            });
            log.info(`notification ${event.event} posted to Slack ${channel}`, { promotionId: event.promotionId, ts: posted.ts });
            return { slack: posted };
          } catch (error) {
            throw new Error(redactSecrets(`posting to Slack ${channel}: ${(error as Error).message}`, [token]));
          }
        }
      }
    },

    async updateSlackMessage({ event, message, slackTokenRef }): Promise<void> {
      const token = await secret(slackTokenRef, `updating a Slack message in ${message.channel}`);
      try {
        await slack.update({ token, channel: message.channel, ts: message.ts, message: slackDecidedMessage(event, renderMessage(event, { uiUrl })) });
      } catch (error) {
        throw new Error(redactSecrets(`updating Slack message ${message.ts} in ${message.channel}: ${(error as Error).message}`, [token]));
      }
    },
  };
  // Every delivery counted by channel and outcome for the worker's metrics (docs/metrics.md).
  return {
    ...activities,
    async deliverNotification(request): Promise<DeliveryResult> {
      const channel = request.delivery.target.channel;
      try {
        const result = await activities.deliverNotification(request);
        rampMetric('ramp_notifications_total').inc({ channel, outcome: 'delivered' });
        return result;
      } catch (error) {
        rampMetric('ramp_notifications_total').inc({ channel, outcome: 'failed' });
        throw error;
      }
    },
  };
}

/** RAMP_SMTP_URL with the password of RAMP_SMTP_PASSWORD_FILE, when there is one. */
async function smtpUrl(smtp: NonNullable<DeliveryDeps['smtp']>): Promise<string> {
  if (smtp.passwordFile === undefined) return smtp.url;
  const password = await readFile(smtp.passwordFile, 'utf8').then(
    (text) => text.trim(),
    (error: unknown) => {
      throw configFailure(`cannot read RAMP_SMTP_PASSWORD_FILE ${smtp.passwordFile}: ${(error as { code?: string }).code ?? 'unreadable'}`);
    },
  );
  const url = new URL(smtp.url);
  url.password = encodeURIComponent(password);
  return url.href;
}
