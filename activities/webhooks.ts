/**
 * Webhook calls for a stage's gates (docs/webhooks.md): a JSON POST, signed with HMAC-SHA256
 * when the hook names a secret, retried for gate-type hooks. The answer is data — the workflow
 * decides what it means for the hook's type.
 */
import { createHmac } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { AxiosInstance } from 'axios';
import type { SecretResolver } from '../src/providers/secrets.js';
import { redactSecrets } from '../src/providers/redact.js';
import type { WebhookSpec } from '../src/schema/pipeline.js';

export const SIGNATURE_HEADER = 'X-Ramp-Signature';

export interface WebhookPayload {
  pipeline: string;
  stage: string;
  promotionId: string;
  version: string;
  phase: string;
  /** What happened, for `event` hooks. */
  message?: string;
}

export interface WebhookAnswer {
  /** The hook answered 2xx. */
  ok: boolean;
  /** The last HTTP status, or null when no answer came. */
  status: number | null;
  /** Why it did not answer 2xx, for people. */
  error: string | null;
  attempts: number;
}

/** The signature a receiver recomputes: `sha256=<hex HMAC-SHA256 of the exact body>`. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function createWebhookActivities({ http, secrets }: { http: AxiosInstance; secrets: SecretResolver }) {
  return {
    /** Calls one hook; `confirm-*` hooks are asked once per call (the workflow asks again later). */
    async callWebhook({ hook, payload }: { hook: WebhookSpec; payload: WebhookPayload }): Promise<WebhookAnswer> {
      const body = JSON.stringify({ ...payload, name: hook.name, type: hook.type, metadata: hook.metadata });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'ramp' };
      const secretValues: string[] = [];
      if (hook.secretRef) {
        const secret = await secrets(hook.secretRef);
        if (secret === undefined) {
          return {
            ok: false,
            status: null,
            error: `webhook ${hook.name}: secret ${hook.secretRef} is not on this worker (RAMP_SECRET_* or RAMP_SECRETS_DIR)`,
            attempts: 0,
          };
        }
        headers[SIGNATURE_HEADER] = signature(secret, body);
        secretValues.push(secret);
      }
      const attempts = hook.type.startsWith('confirm-') ? 1 : 1 + hook.retries;
      let last: WebhookAnswer = { ok: false, status: null, error: null, attempts: 0 };
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const response = await http.post(hook.url, body, {
            headers,
            timeout: hook.timeoutMs,
            validateStatus: () => true,
            maxRedirects: 0,
            transformRequest: [(data: unknown) => data],
          });
          const ok = response.status >= 200 && response.status < 300;
          last = { ok, status: response.status, error: ok ? null : `webhook ${hook.name} answered HTTP ${response.status}`, attempts: attempt };
          if (ok) return last;
        } catch (error) {
          last = {
            ok: false,
            status: null,
            error: `webhook ${hook.name} (${new URL(hook.url).origin}) did not answer: ${redactSecrets((error as Error).message, secretValues)}`,
            attempts: attempt,
          };
        }
      }
      log.info(`webhook ${hook.name} (${hook.type}): ${last.error ?? 'ok'}`);
      return last;
    },
  };
}
