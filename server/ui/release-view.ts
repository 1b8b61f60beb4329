/**
 * What the release page needs, read for one viewer: the snapshot (as the API serves it), what
 * the promotion pinned, what the server's authorizer says, then the pure parts — the actions
 * and their refusals (page-actions.ts) and the waiting sentence (cli/render/operator-hint.ts).
 */
import { operatorHint } from '../../cli/render/operator-hint.js';
import { readSnapshot } from '../../cli/temporal-backend.js';
import { Permission } from '../../src/domain/permissions.js';
import type { Actor } from '../../src/identity/actor.js';
import type { ServerContext } from '../context.js';
import { apiErrorOf } from '../errors.js';
import { loadServerPipeline } from '../pipelines.js';
import { pageActions, type ServerVerdicts } from './page-actions.js';
import { readPinned } from './pinned.js';
import type { ReleaseSnapshot, ReleaseView } from './release-page.js';

export async function releaseView(ctx: ServerContext, viewer: Actor, promotionId: string): Promise<ReleaseView> {
  const temporal = await ctx.temporal.get();
  // Both on every render, the fragment the live island fetches too: read side by side.
  const [snapshot, pinned] = await Promise.all([readSnapshot(temporal, promotionId), readPinned(temporal, promotionId)]);
  const server = await serverVerdicts(ctx, viewer, snapshot);
  const actions = pageActions({ snapshot, viewer, pinned, server });
  const hint = operatorHint(
    snapshot,
    { throughServer: true, timeZone: 'utc' },
    pinned ? { access: pinned.pipeline.access ?? null, stages: pinned.pipeline.stages } : null,
  );
  const ui = ctx.options.temporalUiUrl;
  return { snapshot, viewer, pinned, actions, hint, temporalUi: ui ? { url: ui, namespace: ctx.options.temporal.settings.namespace } : null };
}

/**
 * The server's own answers: `operate` as the server asks it for a command to a running promotion
 * (by the pipeline's name: service-token scopes), `rollback` per promoted stage as it asks it for
 * a start (against the server's pipeline file — a rollback starts a new promotion).
 */
async function serverVerdicts(ctx: ServerContext, viewer: Actor, snapshot: ReleaseSnapshot): Promise<ServerVerdicts> {
  const { promotion } = snapshot;
  const operate = await ctx.options.authorize(viewer, Permission.Operate, { name: promotion.pipeline }, promotion.activeStage?.name ?? null);
  const rollback: Record<string, string | null> = {};
  if (promotion.finishedAt !== null && promotion.kind === 'promote') {
    const promoted = promotion.stages.filter((s) => s.phase === 'Promoted').map((s) => s.name);
    if (promoted.length > 0) {
      try {
        const spec = await loadServerPipeline(ctx.options.pipelinesDir, promotion.pipeline);
        for (const stage of promoted) rollback[stage] = await ctx.options.authorize(viewer, Permission.Rollback, spec, stage);
      } catch (error) {
        const why = `this server cannot start a rollback of ${promotion.pipeline}: ${apiErrorOf(error).message}`;
        for (const stage of promoted) rollback[stage] = why;
      }
    }
  }
  return { operate, rollback };
}
