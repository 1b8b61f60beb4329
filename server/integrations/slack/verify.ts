/**
 * Whether a request really comes from Slack: Slack's own verifier (@slack/bolt's
 * `verifySlackRequest`: `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the app's signing
 * secret, compared in constant time; timestamps older than 5 minutes refused), plus the other
 * side of the window, which bolt does not check: timestamps more than 5 minutes ahead.
 */
import { verifySlackRequest } from '@slack/bolt';

/** Slack's window, both ways. */
export const SLACK_MAX_SKEW_S = 5 * 60;

export interface SlackSignedRequest {
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

/** Why the request is not Slack's, or null when it is. Never echoes the signature. */
export function slackRequestRefusal(signingSecret: string, request: SlackSignedRequest, nowMs: number = Date.now()): string | null {
  if (!request.signature || !request.timestamp) return 'the request has no X-Slack-Signature or X-Slack-Request-Timestamp header';
  if (!/^\d{1,12}$/.test(request.timestamp)) return 'X-Slack-Request-Timestamp is not a Unix time in seconds';
  const timestamp = Number(request.timestamp);
  if (timestamp > Math.floor(nowMs / 1000) + SLACK_MAX_SKEW_S) return 'X-Slack-Request-Timestamp is more than 5 minutes in the future';
  try {
    verifySlackRequest({
      signingSecret,
      body: request.body,
      headers: { 'x-slack-signature': request.signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: nowMs,
    });
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/stale/.test(message)) return 'X-Slack-Request-Timestamp is more than 5 minutes old (a replay, or a clock far off)';
    if (/version/.test(message)) return 'X-Slack-Signature is not a v0 signature';
    return "X-Slack-Signature does not match the request (signed with another app's secret, or altered)";
  }
}
