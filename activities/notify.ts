/** Notifications to webhooks (chat bridges, incident tools). Best effort: never fails a stage. */
import { log } from '@temporalio/activity';
import type { AxiosInstance } from 'axios';
import type { Notification } from './contract.js';

export interface NotifyDeps {
  http: AxiosInstance;
  /** URLs that receive every notification as JSON. */
  webhooks: readonly string[];
}

export function createNotifyActivities({ http, webhooks }: NotifyDeps) {
  return {
    async notify(notification: Notification): Promise<void> {
      log.info(`notify ${notification.kind}: ${notification.message}`, { promotionId: notification.promotionId });
      await Promise.all(
        webhooks.map(async (url) => {
          try {
            await http.post(url, { source: 'ramp', ...notification }, { timeout: 5_000 });
          } catch (error) {
            log.warn(`webhook ${new URL(url).origin} did not take the notification: ${(error as Error).message}`);
          }
        }),
      );
    },
  };
}
