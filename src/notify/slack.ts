/**
 * Slack through Slack's own client (@slack/web-api): chat.postMessage with the approval buttons,
 * chat.update once the gate is decided. `apiUrl` (RAMP_SLACK_API_URL) points it elsewhere — the
 * tests' local recorder. The client does not retry: the notification workflow does, with back-off.
 */
import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import type { SlackMessage } from './templates.js';

export interface SlackPoster {
  post(request: { token: string; channel: string; message: SlackMessage; threadTs?: string }): Promise<{ channel: string; ts: string }>;
  update(request: { token: string; channel: string; ts: string; message: SlackMessage }): Promise<void>;
}

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

export function createSlackPoster({ apiUrl, timeoutMs = 15_000 }: { apiUrl?: string | undefined; timeoutMs?: number }): SlackPoster {
  const client = (token: string) =>
    new WebClient(token, {
      ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      logger: quiet,
    });
  return {
    async post({ token, channel, message, threadTs }) {
      const answer = await client(token).chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks as never,
        unfurl_links: false,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      if (!answer.ok || !answer.ts || !answer.channel) throw new Error(`Slack did not post to ${channel}: ${answer.error ?? 'no ts in the answer'}`);
      return { channel: answer.channel, ts: answer.ts };
    },
    async update({ token, channel, ts, message }) {
      const answer = await client(token).chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
      if (!answer.ok) throw new Error(`Slack did not update message ${ts} in ${channel}: ${answer.error ?? 'not ok'}`);
    },
  };
}
