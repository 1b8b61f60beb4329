/**
 * What the server is made of: its dependencies (injected, so tests run without an OpenID
 * Provider) and the per-process parts every route shares.
 */
import type { LoadedPolicyFile } from '../src/governance/policy-files.js';
import type { CliSettings } from '../cli/connection.js';
import type { Actor } from '../src/identity/actor.js';
import type { Permission } from '../src/domain/permissions.js';
import type { Authenticator } from '../src/identity/authenticator.js';
import type { DecisionChannel } from '../src/identity/decision.js';
import type { DecisionSigningKey } from '../src/identity/decision-signature.js';
import type { PipelineSpec } from '../src/schema/pipeline.js';
import type { BrowserLoginOptions } from './auth/browser-login.js';
import type { DecisionSigner } from './decisions.js';
import type { SlackOptions } from './integrations/slack/routes.js';
import type { Limits } from './limits.js';
import type { LinkOptions } from './links/routes.js';
import type { ServerLogger } from './log.js';
import type { StatusFeed } from './sse.js';
import type { TemporalLink } from './temporal.js';

/** What a decision needs permission for (src/domain/permissions.ts decides). */
export type { Permission };

/**
 * The pipeline a permission is asked about: its name, and — for starts and drift decisions, which
 * the server decides — the access block of the server's definition. Commands to a running
 * promotion carry no access block: the workflow decides them against the spec it pinned.
 */
export type AuthorizedPipeline = Pick<PipelineSpec, 'name'> & { access?: PipelineSpec['access'] };

/** Why `actor` may not do this to the pipeline (or its stage), or null when it may: a refusal is 403. */
export type Authorize = (actor: Actor, permission: Permission, pipeline: AuthorizedPipeline, stage: string | null) => Promise<string | null> | string | null;

export interface ServerOptions {
  authenticator: Authenticator;
  authorize: Authorize;
  signingKey: DecisionSigningKey;
  /** Where Temporal is, and the environment those settings came from (the CLI's list, history and drift read it). */
  temporal: { settings: CliSettings; env: Readonly<Record<string, string | undefined>> };
  /** The server's pipelines: callers name them, never send them. */
  pipelinesDir: string;
  limits?: Partial<Limits>;
  logger: ServerLogger;
  /** How often a watched promotion is read, and how often an idle event stream gets a comment. @default 1000, 15000 */
  events?: { pollMs?: number; heartbeatMs?: number };
  /** Browser sessions (/auth/*, the `ramp_session` cookie): absent without an OpenID Provider. */
  browser?: BrowserLoginOptions;
  /** Signed approval links (/approve/:token, server/links/): absent without RAMP_SERVER_LINK_KEYS_FILE. */
  links?: LinkOptions;
  /** Slack interactions (/integrations/slack/interactions, server/integrations/slack/): absent without a signing secret. */
  slack?: SlackOptions;
  /** RAMP_POLICY_FILES, read at start (GET /api/v1/policies lists them; the workers decide). @default none */
  policyFiles?: LoadedPolicyFile[];
  /** RAMP_TEMPORAL_UI_URL: the Temporal UI the release pages link their workflows to (in `temporal.settings.namespace`). @default no links */
  temporalUiUrl?: string;
}

export interface ServerContext {
  options: ServerOptions;
  limits: Limits;
  temporal: TemporalLink;
  sign: DecisionSigner;
  feed: StatusFeed;
  /** Aborted when the server shuts down: event streams end. */
  shutdown: AbortSignal;
  heartbeatMs: number;
}

/** The request's own values (hono's context variables). */
export interface AppEnv {
  Variables: {
    actor: Actor;
    /** Where the request's decisions are taken: `web` with the browser session cookie, `cli` with a bearer token. */
    channel: DecisionChannel;
  };
}
