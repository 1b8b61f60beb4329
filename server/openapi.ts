/**
 * The OpenAPI 3.1 document of `ramp server`, generated from the zod schemas the routes validate
 * with (schemas.ts) and the published status schema (docs/schemas/status.schema.json).
 * GET /api/v1/openapi.json serves it; `npm run openapi` writes docs/api/openapi.json.
 */
import { readFileSync } from 'node:fs';
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { DeclareFreezeRequest, FreezeAck, FreezeRecord, LiftFreezeRequest } from './routes/freeze.js';
import { GuardAckRequest, GuardStatusSchema } from './routes/guard.js';
import { DoraQueryParams, DoraReport } from './routes/dora.js';
import { PoliciesInForce, PoliciesQuery } from './routes/policies.js';
import {
  Ack,
  Actor,
  type CommentRequest,
  DriftQuery,
  DriftReport,
  EmptyRequest,
  ErrorResponse,
  Health,
  HistoryEntry,
  HistoryQuery,
  ListQuery,
  OptionalReasonRequest,
  PipelineParams,
  PipelineStageParams,
  PromoteRequest,
  PromotionParams,
  PromotionRow,
  PromotionStarted,
  Readiness,
  ReasonRequest,
  RollbackRequest,
  STAGE_ACTIONS,
  StageParams,
  type StageAction,
} from './schemas.js';
import { AuditQuery, AuditRecord, AuditTrailVerification, AuditVerifyQuery } from './audit-schemas.js';

type Schema = z.ZodType;
type SchemaObject = Record<string, unknown>;

const STATUS_REF = { $ref: '#/components/schemas/StatusSnapshot' };

/** docs/schemas/status.schema.json's definitions as components, its top as StatusSnapshot. */
function statusComponents(): Record<string, SchemaObject> {
  let text: string | null = null;
  // Next to the sources (tsx), or two levels up from dist/server/.
  for (const candidate of ['../docs/schemas/status.schema.json', '../../docs/schemas/status.schema.json']) {
    try {
      text = readFileSync(new URL(candidate, import.meta.url), 'utf8');
      break;
    } catch {
      // try the next
    }
  }
  if (text === null) return { StatusSnapshot: { type: 'object', description: 'ramp status --json (docs/schemas/status.schema.json)' } };
  const rewritten = text.replaceAll('"#/definitions/', '"#/components/schemas/');
  const {
    definitions,
    $schema: _schema,
    $id: _id,
    title: _title,
    ...snapshot
  } = JSON.parse(rewritten) as SchemaObject & { definitions: Record<string, SchemaObject> };
  return { ...definitions, StatusSnapshot: { ...snapshot, description: 'the promotion and its active stage, as `ramp status --json` prints them' } };
}

const json = (schema: Schema | SchemaObject, description: string): ResponseConfig => ({
  description,
  content: { 'application/json': { schema: schema as Schema } },
});
const body = (schema: Schema) => ({ content: { 'application/json': { schema } }, required: false });

/** The error answers a route can give, besides 401, 413, 429 and 503 (every /api/v1 route). */
const errors = (...statuses: number[]): Record<string, ResponseConfig> => {
  const what: Record<number, string> = {
    400: 'the request does not match its schema',
    403: 'the caller may not do this (the reason says why), or a write by session cookie lacks the CSRF headers',
    404: 'no such promotion, pipeline or stage',
    409: 'the state refuses it (e.g. not waiting for approval); the workflow says why',
  };
  const common: Record<number, string> = {
    401: 'no valid bearer token or session cookie',
    413: 'the body is too large',
    429: 'too many requests; see Retry-After',
    503: 'Temporal or a worker did not answer',
  };
  const described: [number, string][] = [
    ...statuses.map((s): [number, string] => [s, what[s]!]),
    ...Object.entries(common).map(([s, d]): [number, string] => [Number(s), d]),
  ];
  return Object.fromEntries(described.map(([s, d]) => [String(s), json(ErrorResponse, d)]));
};

export function apiRoutes(): RouteConfig[] {
  const secured = { security: [{ bearer: [] }, { session: [] }] as Record<string, string[]>[] };
  const redirect = (description: string): ResponseConfig => ({ description, headers: { Location: { schema: { type: 'string' } } } });
  const browserOff = { 404: json(ErrorResponse, 'browser sessions are not enabled (no OpenID Provider configured)') };
  const routes: RouteConfig[] = [
    { method: 'get', path: '/healthz', summary: 'The process answers', responses: { 200: json(Health, 'up') } },
    {
      method: 'get',
      path: '/metrics',
      summary: "The server's Prometheus metrics (docs/metrics.md)",
      description:
        'The Prometheus text exposition, without credentials (Prometheus scrapes with none): counts by pipeline, stage and route pattern, never a version, a promotion id, a person or a secret.',
      responses: { 200: { description: 'the exposition', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
    {
      method: 'get',
      path: '/readyz',
      summary: 'Temporal answers',
      responses: { 200: json(Readiness, 'ready'), 503: json(Readiness, 'Temporal does not answer') },
    },
    {
      method: 'get',
      path: '/releases/{id}',
      summary: 'The release page: a promotion, as HTML for people (docs/ui.md)',
      description:
        'Rendered on the server from the same snapshot as GET /api/v1/promotions/{id}; needs a browser session (else 302 to /auth/login?return=…). Served with a strict Content-Security-Policy.',
      request: { params: z.object({ id: z.string().describe('a promotion id, such as web@1.4.2') }) },
      responses: {
        200: { description: 'the page', content: { 'text/html': { schema: { type: 'string' } } } },
        302: redirect('to /auth/login, without a session'),
        404: { description: 'no such release (an HTML page)', content: { 'text/html': { schema: { type: 'string' } } } },
      },
    },
    {
      method: 'get',
      path: '/releases/{id}/main',
      summary: "The release page's main content alone (the live island swaps it in)",
      description: 'The same HTML as the <main> of GET /releases/{id}, rendered by the same function; the same session rule; Cache-Control: no-store.',
      request: { params: z.object({ id: z.string().describe('a promotion id, such as web@1.4.2') }) },
      responses: {
        200: { description: 'the fragment', content: { 'text/html': { schema: { type: 'string' } } } },
        302: redirect('to /auth/login, without a session'),
        404: { description: 'no such release (an HTML page)', content: { 'text/html': { schema: { type: 'string' } } } },
      },
    },
    {
      method: 'get',
      path: '/',
      summary: 'The home page: approvals waiting for you, running promotions, recent outcomes, what is live where (docs/ui.md)',
      description: 'Needs a browser session (else 302 to /auth/login?return=/). Served with a strict Content-Security-Policy.',
      responses: {
        200: { description: 'the page', content: { 'text/html': { schema: { type: 'string' } } } },
        302: redirect('to /auth/login, without a session'),
      },
    },
    {
      method: 'get',
      path: '/home/main',
      summary: "The home page's main content alone (its island swaps it in after a freeze is declared or lifted)",
      description: 'The same HTML as the <main> of GET /, rendered by the same function; the same session rule; Cache-Control: no-store.',
      responses: {
        200: { description: 'the fragment', content: { 'text/html': { schema: { type: 'string' } } } },
        302: redirect('to /auth/login, without a session'),
      },
    },
    {
      method: 'get',
      path: '/pipelines/{pipeline}/dora',
      summary: "A pipeline's DORA page: one environment's four keys, canary catches and releases, as HTML for people (docs/dora.md)",
      description:
        'The same report as GET /api/v1/pipelines/{pipeline}/dora, read the same way; needs a browser session (else 302 to /auth/login?return=…). Query: stage (default the last), since (default 30d), until.',
      request: { params: PipelineParams, query: DoraQueryParams },
      responses: {
        200: { description: 'the page (it says so when the figures could not be read in time)', content: { 'text/html': { schema: { type: 'string' } } } },
        302: redirect('to /auth/login, without a session'),
        400: { description: 'a period ramp cannot read (an HTML page)', content: { 'text/html': { schema: { type: 'string' } } } },
        404: { description: 'no such pipeline or stage (an HTML page)', content: { 'text/html': { schema: { type: 'string' } } } },
      },
    },
    {
      method: 'get',
      path: '/assets/ramp.css',
      summary: "The pages' stylesheet",
      responses: { 200: { description: 'the stylesheet', content: { 'text/css': { schema: { type: 'string' } } } } },
    },
    {
      method: 'get',
      path: '/assets/ramp.js',
      summary: "The pages' script: live updates and the action forms (docs/ui.md)",
      description: 'One ES module. `Cache-Control: no-cache` with an ETag (its content hash): If-None-Match answers 304.',
      responses: {
        200: { description: 'the script', content: { 'text/javascript': { schema: { type: 'string' } } } },
        304: { description: 'unchanged (If-None-Match matched the ETag)' },
      },
    },
    {
      method: 'get',
      path: '/auth/login',
      summary: 'Start a browser login (authorization code + PKCE at the OpenID Provider)',
      description:
        'Redirects to the provider with PKCE (S256), state and nonce; the login in progress is kept in an encrypted, HttpOnly, SameSite=Lax cookie for 10 minutes. `return` is where to go afterwards: a path on this server only.',
      request: { query: z.object({ return: z.string().optional().describe('a path on this server, such as /api/v1/me (default /)') }) },
      responses: {
        302: redirect("to the provider's authorization endpoint"),
        400: json(ErrorResponse, 'return is not a path on this server'),
        ...browserOff,
        503: json(ErrorResponse, 'the OpenID Provider could not be reached'),
      },
    },
    {
      method: 'get',
      path: '/auth/callback',
      summary: 'Where the provider returns the browser: the code exchange, then the session cookie',
      description:
        'Checks state, PKCE and nonce and the ID token, verifies the access token like a bearer token, sets `ramp_session` (HttpOnly, SameSite=Strict, Secure unless on loopback http; at most 8 h and never past the access token) and answers a small page that goes on to the return path by itself (a meta refresh, and a link): a 302 would still be part of the cross-site navigation from the provider, on which browsers do not send a SameSite=Strict cookie.',
      responses: {
        200: { description: 'the session cookie is set; the page goes on to the return path', content: { 'text/html': { schema: { type: 'string' } } } },
        400: json(ErrorResponse, 'no login in progress, or the provider refused, or a check (state, PKCE, nonce) failed'),
        401: json(ErrorResponse, 'the access token was refused'),
        ...browserOff,
        503: json(ErrorResponse, 'the OpenID Provider could not be reached'),
      },
    },
    {
      method: 'post',
      path: '/auth/logout',
      summary: 'End the browser session (clears the session cookie)',
      responses: { 204: { description: 'the cookie is cleared' }, ...browserOff },
    },
    {
      method: 'get',
      path: '/approve/{token}',
      summary: 'An approval link: the confirm page (decides nothing; docs/approval-links.md)',
      description:
        'Verifies the link (signed by a worker, RAMP_SERVER_LINK_KEYS_FILE), then, after sign-in as the approver it names (else 302 to /auth/login?return=…), shows the release, stage, gate, commit, a comment box and Approve / Reject. A GET never decides: mail scanners fetch links. Refusals are HTML pages with a 4xx status, each written to the audit log.',
      request: { params: z.object({ token: z.string().describe('the signed link (a JWS)') }) },
      responses: {
        200: { description: 'the confirm page', content: { 'text/html': { schema: { type: 'string' } } } },
        302: redirect('to /auth/login, without a session'),
        400: { description: 'not a valid link (altered, foreign, malformed)', content: { 'text/html': { schema: { type: 'string' } } } },
        403: { description: 'the link is for someone else', content: { 'text/html': { schema: { type: 'string' } } } },
        404: { description: 'approval links are not enabled, or no such release', content: { 'text/html': { schema: { type: 'string' } } } },
        409: {
          description: 'the release has moved on (another stage, gate, commit or attempt, or decided)',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        410: { description: 'the link has expired', content: { 'text/html': { schema: { type: 'string' } } } },
      },
    },
    {
      method: 'post',
      path: '/approve/{token}',
      summary: "An approval link's decision (the confirm page's form)",
      description:
        'A form POST (application/x-www-form-urlencoded: csrf, decision = approve | reject, comment) from the confirm page: the Origin must be this server, the CSRF token must be the session’s for this link, the signed-in person must be the link’s approver and the release must still wait at the gate, commit and attempt the link names. The decision goes to the workflow with channel `link` and the link’s id as its decision id, so a second use is refused there and recorded.',
      request: { params: z.object({ token: z.string().describe('the signed link (a JWS)') }) },
      responses: {
        200: { description: 'decided: what was recorded', content: { 'text/html': { schema: { type: 'string' } } } },
        400: {
          description: 'not a valid link, or the form is incomplete (a rejection needs a reason)',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        401: { description: 'no browser session', content: { 'text/html': { schema: { type: 'string' } } } },
        403: {
          description: 'another origin, a missing or wrong CSRF token, someone else, or the workflow refused the person',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        404: { description: 'approval links are not enabled, or no such release', content: { 'text/html': { schema: { type: 'string' } } } },
        409: { description: 'the release has moved on, or the link was already used', content: { 'text/html': { schema: { type: 'string' } } } },
        410: { description: 'the link has expired', content: { 'text/html': { schema: { type: 'string' } } } },
      },
    },
    {
      method: 'post',
      path: '/integrations/slack/interactions',
      summary: "Slack's interactive messages: a click on a ramp message's Approve or Reject button",
      description:
        'Slack’s request, verified with Slack’s own verifier over the raw body (v0 HMAC-SHA256 with RAMP_SERVER_SLACK_SIGNING_SECRET_FILE; timestamps more than 5 minutes off refused). The clicking user is mapped to a person (RAMP_SERVER_SLACK_USERS_FILE, or the e-mail Slack verified for them); the decision goes to the workflow with channel `slack`. Answered 200 at once; the outcome goes to the clicking user as an ephemeral message through the payload’s response_url.',
      request: {
        headers: z.object({ 'x-slack-signature': z.string(), 'x-slack-request-timestamp': z.string() }),
        body: {
          content: {
            'application/x-www-form-urlencoded': { schema: z.object({ payload: z.string().describe('the interaction, as JSON (a block_actions payload)') }) },
          },
          required: true,
        },
      },
      responses: {
        200: { description: 'received: the outcome goes to the clicking user through response_url' },
        400: json(ErrorResponse, 'the payload cannot be read'),
        401: json(ErrorResponse, 'not signed by Slack with the app’s signing secret, or the timestamp is more than 5 minutes off'),
        404: json(ErrorResponse, 'Slack interactions are not enabled (no signing secret)'),
        413: json(ErrorResponse, 'the body is too large'),
      },
    },
    { method: 'get', path: '/api/v1/openapi.json', summary: 'This document', responses: { 200: json({ type: 'object' }, 'the OpenAPI document') } },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/me',
      summary: 'Who the server takes the caller for',
      responses: { 200: json(Actor, 'the caller'), ...errors() },
    },
    {
      ...secured,
      method: 'post',
      path: '/api/v1/promotions',
      summary: 'Start promoting a version (ramp promote --json)',
      request: { body: { ...body(PromoteRequest), required: true } },
      responses: { 201: json(PromotionStarted, 'started'), ...errors(400, 403, 404, 409) },
    },
    {
      ...secured,
      method: 'post',
      path: '/api/v1/rollbacks',
      summary: 'Put an earlier version back in one stage (ramp rollback --json)',
      request: { body: { ...body(RollbackRequest), required: true } },
      responses: { 201: json(PromotionStarted, 'started'), ...errors(400, 403, 404, 409) },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/promotions',
      summary: 'List promotions (ramp list --json)',
      request: { query: ListQuery },
      responses: { 200: json(PromotionRow.array(), 'newest first'), ...errors(400) },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/promotions/{id}',
      summary: 'A promotion and its active stage (ramp status --json)',
      request: { params: PromotionParams },
      responses: { 200: json(STATUS_REF, 'the status'), ...errors(400, 404) },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/promotions/{id}/events',
      summary: 'Live status as Server-Sent Events',
      description:
        '`event: status` with the status (as GET /api/v1/promotions/{id}) whenever it changes; `event: error` with an error body when a read failed (the stream goes on); `event: end` when the promotion finished or the server shuts down. Comment lines are heartbeats.',
      request: { params: PromotionParams },
      responses: { 200: { description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors(400, 404) },
    },
    ...(Object.keys(STAGE_ACTIONS) as StageAction[]).map((action): RouteConfig => ({
      ...secured,
      method: 'post',
      path: `/api/v1/promotions/{id}/stages/{stage}/${action}`,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)} the stage the promotion is running (ramp ${action})`,
      request: { params: StageParams, body: body(STAGE_ACTIONS[action] as typeof CommentRequest) },
      responses: { 200: json(Ack, "the workflow's answer"), ...errors(400, 403, 404, 409) },
    })),
    {
      ...secured,
      method: 'post',
      path: '/api/v1/promotions/{id}/abort',
      summary: 'Stop the promotion; its active stage rolls back (ramp abort)',
      request: { params: PromotionParams, body: { ...body(ReasonRequest), required: true } },
      responses: { 200: json(Ack, "the workflow's answer"), ...errors(400, 403, 404, 409) },
    },
    {
      ...secured,
      method: 'post',
      path: '/api/v1/promotions/{id}/retry',
      summary: 'Re-run the stage that failed (ramp retry)',
      request: { params: PromotionParams, body: body(EmptyRequest) },
      responses: { 200: json(Ack, "the workflow's answer"), ...errors(400, 403, 404, 409) },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/pipelines/{pipeline}/history',
      summary: "What ramp committed to the pipeline's GitOps repository (ramp history --json)",
      request: { params: PipelineParams, query: HistoryQuery },
      responses: { 200: json(HistoryEntry.array(), 'newest first'), ...errors(400, 404) },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/pipelines/{pipeline}/dora',
      summary: "A stage's DORA figures over a period, from ramp's own commits (ramp dora --json; docs/dora.md)",
      request: { params: PipelineParams, query: DoraQueryParams },
      responses: { 200: json(DoraReport, "the stage's four keys, canary catches and releases"), ...errors(400, 404) },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/audit',
      summary: 'The audit trail of decisions, oldest first (ramp audit --json): one JSON record per line',
      request: { query: AuditQuery },
      responses: {
        200: { description: 'one AuditRecord per line', content: { 'application/x-ndjson': { schema: AuditRecord } } },
        ...errors(400, 404),
      },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/audit/verify',
      summary: 'Whether the audit trails are intact (ramp audit verify --json)',
      request: { query: AuditVerifyQuery },
      responses: { 200: json(AuditTrailVerification.array(), 'one entry per trail'), ...errors(400, 404) },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/pipelines/{pipeline}/drift',
      summary: 'Where the cluster differs from Git, per stage (ramp drift --json)',
      request: { params: PipelineParams, query: DriftQuery },
      responses: { 200: json(DriftReport.array(), 'one entry per watched stage'), ...errors(400, 404) },
    },
    ...(['accept', 'reject'] as const).map((decision): RouteConfig => ({
      ...secured,
      method: 'post',
      path: `/api/v1/pipelines/{pipeline}/stages/{stage}/drift/${decision}`,
      summary: decision === 'accept' ? 'The cluster is right: commit its values to Git' : "Git is right: re-apply Git's state",
      request: { params: PipelineStageParams, body: body(OptionalReasonRequest) },
      responses: { 200: json(Ack, "the drift watch's answer"), ...errors(400, 403, 404, 409) },
    })),
    {
      ...secured,
      method: 'get',
      path: '/api/v1/freeze',
      summary: 'The organisation-wide freeze in force, if any, and its record (ramp freeze --json)',
      responses: { 200: json(FreezeRecord, 'state null: nothing is frozen') },
    },
    {
      ...secured,
      method: 'post',
      path: '/api/v1/freeze',
      summary: 'Declare an organisation-wide freeze: every stage waits until it is lifted or ends (ramp freeze declare)',
      request: { body: { ...body(DeclareFreezeRequest), required: true } },
      responses: { 200: json(FreezeAck, "the freeze workflow's answer"), ...errors(400, 403, 409) },
    },
    {
      ...secured,
      method: 'post',
      path: '/api/v1/freeze/lift',
      summary: 'Lift the freeze in force (ramp freeze lift)',
      request: { body: { ...body(LiftFreezeRequest), required: true } },
      responses: { 200: json(FreezeAck, "the freeze workflow's answer"), ...errors(400, 403, 409) },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/guard',
      summary: "Every GitOps repository's history guard: ok, or rewritten (force-push) with the missing commits (ramp guard --json)",
      responses: { 200: json(GuardStatusSchema.array(), 'one entry per watched repository'), ...errors(400) },
    },
    {
      ...secured,
      method: 'post',
      path: '/api/v1/guard/ack',
      summary: "Acknowledge the rewritten history of the pipeline's repository, with a reason: ramp writes to it again (ramp guard ack)",
      request: { body: { ...body(GuardAckRequest), required: true } },
      responses: { 200: json(Ack, "the guard's answer"), ...errors(400, 403, 404, 409) },
    },
    {
      ...secured,
      method: 'get',
      path: '/api/v1/policies',
      summary:
        "The policies in force: the organisation's (RAMP_POLICY_FILES), and with ?pipeline= the pipeline's own first, each with its source and content hash",
      request: { query: PoliciesQuery },
      responses: { 200: json(PoliciesInForce, 'the policies, in the order a promotion pins them'), ...errors(400, 404) },
    },
  ];
  return routes;
}

/** The document (the same for every server: no host in it). */
export function openApiDocument(version: string): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: "an OpenID Connect access token from the server's issuer, or a ramp service token",
  });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'ramp_session',
    description:
      'the browser session of /auth/login. A request other than GET, HEAD or OPTIONS made with it must send `Content-Type: application/json` and `X-Ramp-Request: 1` (else 403): a custom header forces a CORS preflight, which ramp server does not grant to other sites.',
  });
  for (const [name, schema] of Object.entries(statusComponents())) registry.registerComponent('schemas', name, schema);
  for (const route of apiRoutes()) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'ramp server',
      version,
      description: 'Progressive delivery on Temporal: the API behind `ramp` for people and automation. Every error is `{ error, message, hint }`.',
    },
  });
}
