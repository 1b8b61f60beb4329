/**
 * The default messages (docs/notifications.md): one rendering of an event — title, text, facts,
 * the release page link and, for an approver, the approval link — and its form per channel
 * (Slack blocks with Approve/Reject buttons, a Teams Adaptive Card, an e-mail, a webhook body).
 * Pure functions: no I/O, no clock, no secrets.
 */
import type { GateDecision, NotificationEvent, NotifyEvent } from './events.js';

export type Tone = 'attention' | 'good' | 'warning' | 'bad';

export interface RenderedMessage {
  title: string;
  text: string;
  facts: [string, string][];
  /** `${RAMP_UI_URL}/releases/<promotionId>`, or null without RAMP_UI_URL. */
  releaseUrl: string | null;
  /** `${RAMP_UI_URL}/approve/<token>` for this recipient, or null. */
  approvalUrl: string | null;
  tone: Tone;
}

/** The release page of a promotion, or null when the worker does not know the server's URL. */
export function releaseUrl(uiUrl: string | null, promotionId: string): string | null {
  return uiUrl === null ? null : `${uiUrl.replace(/\/+$/, '')}/releases/${encodeURIComponent(promotionId)}`;
}

/** The approval link for a signed token. */
export function approvalUrl(uiUrl: string | null, token: string | null): string | null {
  return uiUrl === null || token === null ? null : `${uiUrl.replace(/\/+$/, '')}/approve/${token}`;
}

/** Whether an event asks someone to decide a gate (it gets buttons and approval links). */
export function asksForDecision(event: NotifyEvent): boolean {
  return event === 'approval-requested' || event === 'approval-reminder' || event === 'approval-escalated';
}

const TONES: Record<NotifyEvent, Tone> = {
  'approval-requested': 'attention',
  'approval-reminder': 'attention',
  'approval-escalated': 'warning',
  'approval-decided': 'good',
  'canary-aborted': 'bad',
  'rolled-back': 'bad',
  promoted: 'good',
  'analysis-inconclusive': 'warning',
  'drift-detected': 'warning',
  'drift-reverted': 'warning',
  'history-rewritten': 'bad',
  'promotion-finished': 'good',
};

/** `approved by dave via link`, `rejected by erin: "not today"`, `timed out`. */
export function describeDecision(decision: GateDecision): string {
  if (decision.outcome === 'timed-out') return 'timed out without a decision';
  const by = decision.by.length > 0 ? ` by ${decision.by.join(', ')}` : '';
  const via = decision.channel ? ` via ${decision.channel}` : '';
  const comment = decision.comment ? `: "${decision.comment}"` : '';
  return `${decision.outcome}${by}${via}${comment}`;
}

function titleOf(e: NotificationEvent): string {
  const release = `${e.pipeline} ${e.version}`.trim();
  const stage = e.stage ?? '';
  const gate = e.gate ? ` (${e.gate.name})` : '';
  switch (e.event) {
    case 'approval-requested':
      return `${release} waits for approval in ${stage}${gate}`;
    case 'approval-reminder':
      return `Reminder: ${release} still waits for approval in ${stage}${gate}`;
    case 'approval-escalated':
      return `Escalation: ${release} waits for approval in ${stage}${gate}`;
    case 'approval-decided':
      return `${release} in ${stage}${gate}: ${e.decision ? describeDecision(e.decision) : 'decided'}`;
    case 'canary-aborted':
      return `${release}: canary aborted in ${stage}${e.also?.includes('rolled-back') ? ' and rolled back' : ''}`;
    case 'rolled-back':
      return e.also?.includes('canary-aborted') ? `${release}: canary aborted in ${stage}, rolled back` : `${release} rolled back in ${stage}`;
    case 'promoted':
      return `${release} promoted to ${stage}`;
    case 'analysis-inconclusive':
      return `${release}: analysis inconclusive in ${stage}; a person decides`;
    case 'drift-detected':
      return `Drift from Git in ${e.pipeline}/${stage}`;
    case 'drift-reverted':
      return `Drift reverted in ${e.pipeline}/${stage}`;
    case 'history-rewritten':
      return `${release}: the Git history under ${stage} was rewritten`;
    case 'promotion-finished':
      return `${release}: promotion finished`;
  }
}

/** The channel-neutral message of an event. */
export function renderMessage(e: NotificationEvent, links: { uiUrl: string | null; approvalToken?: string | null }): RenderedMessage {
  const facts: [string, string][] = [['Pipeline', e.pipeline]];
  if (e.version) facts.push(['Version', e.version]);
  if (e.stage) facts.push(['Stage', e.stage]);
  if (e.gate) {
    facts.push(['Gate', `${e.gate.name} (attempt ${e.gate.attempt})`]);
    if (e.gate.commit) facts.push(['Commit', e.gate.commit.slice(0, 12)]);
    if (asksForDecision(e.event) && e.gate.eligible.length > 0) facts.push(['Who can approve', e.gate.eligible.join(', ')]);
    if (asksForDecision(e.event) && e.gate.deadline) facts.push(['Times out', e.gate.deadline]);
  }
  return {
    title: titleOf(e),
    text: e.message,
    facts,
    releaseUrl: releaseUrl(links.uiUrl, e.promotionId),
    approvalUrl: asksForDecision(e.event) ? approvalUrl(links.uiUrl, links.approvalToken ?? null) : null,
    tone: TONES[e.event],
  };
}

// ------------------------------------------------------------------ Slack

/** What a Slack button carries back to ramp server (its interaction route parses exactly this). */
export interface SlackButtonValue {
  promotionId: string;
  stage: string;
  gate: string;
  attempt: number;
  commit: string | null;
}

export const SLACK_APPROVE_ACTION = 'ramp_approve';
export const SLACK_REJECT_ACTION = 'ramp_reject';

/** Slack mrkdwn escaping (&, <, >). */
export function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** chat.postMessage's text and blocks; Approve/Reject buttons when it asks for a decision of a gate. */
export function slackMessage(e: NotificationEvent, m: RenderedMessage): SlackMessage {
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${slackEscape(m.title)}*\n${slackEscape(m.text)}` } },
    { type: 'section', fields: m.facts.slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: `*${slackEscape(k)}*\n${slackEscape(v)}` })) },
  ];
  const elements: Record<string, unknown>[] = [];
  if (asksForDecision(e.event) && e.gate && e.stage) {
    const value: SlackButtonValue = { promotionId: e.promotionId, stage: e.stage, gate: e.gate.name, attempt: e.gate.attempt, commit: e.gate.commit };
    const json = JSON.stringify(value);
    elements.push(
      { type: 'button', action_id: SLACK_APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: json },
      { type: 'button', action_id: SLACK_REJECT_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: json },
    );
  }
  if (m.releaseUrl) elements.push({ type: 'button', action_id: 'ramp_open', text: { type: 'plain_text', text: 'Open the release' }, url: m.releaseUrl });
  if (elements.length > 0) blocks.push({ type: 'actions', elements });
  return { text: m.title, blocks };
}

/**
 * chat.update of a message that asked for a decision: the outcome instead of the buttons — or,
 * when the gate was left undecided (the stage rolled back, the promotion ended), what ended it.
 */
export function slackDecidedMessage(e: NotificationEvent, m: RenderedMessage): SlackMessage {
  const outcome = e.decision ? `${e.gate?.name ?? 'approval'} ${describeDecision(e.decision)}` : `no longer waiting for a decision: ${m.title}`;
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${slackEscape(m.title)}*` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(outcome) }] },
  ];
  if (m.releaseUrl)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: 'ramp_open', text: { type: 'plain_text', text: 'Open the release' }, url: m.releaseUrl }],
    });
  return { text: m.title, blocks };
}

// ------------------------------------------------------------------ Teams

const TEAMS_COLORS: Record<Tone, string> = { attention: 'Accent', good: 'Good', warning: 'Warning', bad: 'Attention' };

/** A Teams Workflows webhook body: one message with one Adaptive Card. */
export function teamsMessage(m: RenderedMessage): Record<string, unknown> {
  const actions: Record<string, unknown>[] = [];
  if (m.approvalUrl) actions.push({ type: 'Action.OpenUrl', title: 'Approve or reject', url: m.approvalUrl });
  if (m.releaseUrl) actions.push({ type: 'Action.OpenUrl', title: 'Open the release', url: m.releaseUrl });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', wrap: true, color: TEAMS_COLORS[m.tone] },
            { type: 'TextBlock', text: m.text, wrap: true },
            { type: 'FactSet', facts: m.facts.map(([title, value]) => ({ title, value })) },
          ],
          ...(actions.length > 0 ? { actions } : {}),
        },
      },
    ],
  };
}

// ------------------------------------------------------------------ e-mail

function htmlEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** An e-mail: the approval link first when there is one, the release page, the facts. */
export function emailMessage(m: RenderedMessage): EmailMessage {
  const lines = [m.title, '', m.text, ''];
  for (const [k, v] of m.facts) lines.push(`${k}: ${v}`);
  if (m.approvalUrl) lines.push('', `Approve or reject (the link is yours alone; you sign in first): ${m.approvalUrl}`);
  if (m.releaseUrl) lines.push('', `The release: ${m.releaseUrl}`);
  const html = [
    `<h2>${htmlEscape(m.title)}</h2>`,
    `<p>${htmlEscape(m.text)}</p>`,
    `<table>${m.facts.map(([k, v]) => `<tr><th align="left">${htmlEscape(k)}</th><td>${htmlEscape(v)}</td></tr>`).join('')}</table>`,
    m.approvalUrl ? `<p><a href="${htmlEscape(m.approvalUrl)}">Approve or reject</a> (the link is yours alone; you sign in first)</p>` : '',
    m.releaseUrl ? `<p><a href="${htmlEscape(m.releaseUrl)}">Open the release</a></p>` : '',
  ].join('\n');
  return { subject: `[ramp] ${m.title}`, text: `${lines.join('\n')}\n`, html };
}

// ------------------------------------------------------------------ webhooks

/** The signed webhook body (docs/notifications.md): the event, its rendering and its links. */
export function webhookBody(e: NotificationEvent, m: RenderedMessage, sentAt: string): Record<string, unknown> {
  return {
    source: 'ramp',
    sentAt,
    event: e.event,
    also: e.also ?? [],
    key: e.key,
    kind: e.kind,
    promotionId: e.promotionId,
    pipeline: e.pipeline,
    stage: e.stage,
    version: e.version,
    message: e.message,
    title: m.title,
    at: e.at,
    releaseUrl: m.releaseUrl,
    ...(e.gate ? { gate: e.gate } : {}),
    ...(e.decision ? { decision: e.decision } : {}),
  };
}

/** The legacy RAMP_NOTIFY_WEBHOOKS body: today's fields (source, kind, promotionId, pipeline, stage, version, message) plus the new ones. */
export function legacyBody(e: NotificationEvent, m: RenderedMessage): Record<string, unknown> {
  return {
    source: 'ramp',
    kind: e.kind,
    promotionId: e.promotionId,
    pipeline: e.pipeline,
    stage: e.stage,
    version: e.version,
    message: e.message,
    event: e.event,
    key: e.key,
    title: m.title,
    releaseUrl: m.releaseUrl,
    ...(e.gate ? { gate: e.gate } : {}),
    ...(e.decision ? { decision: e.decision } : {}),
  };
}
