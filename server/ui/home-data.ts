/**
 * What the home page shows, read for one viewer: the approvals waiting for them (the same pure
 * function as the release page's buttons), the running promotions, the recent outcomes, and per
 * pipeline what version is live in each environment — from the workflows' records: the newest
 * promotion (of those listed) that promoted each stage. Temporal visibility lists them.
 */
import { waitingSentence } from '../../cli/render/operator-hint.js';
import type { PromotionRow } from '../../cli/render/list.js';
import { listPromotions } from '../../cli/temporal-list.js';
import type { Actor } from '../../src/identity/actor.js';
import type { FreezeRecord } from '../../workflows/freeze-messages.js';
import type { PromotionStatus } from '../../workflows/messages.js';
import { readFreezeRecord } from '../../cli/freeze-temporal.js';
import type { RampTemporal } from '../../cli/connection.js';
import type { ServerContext } from '../context.js';
import { PageActionName } from './page-actions.js';
import { releaseView } from './release-view.js';

/** How many running promotions and recent outcomes the home page reads. */
export const HOME_RUNNING = 50;
export const HOME_RECENT = 20;

export interface WaitingForMe {
  promotionId: string;
  pipeline: string;
  version: string;
  stage: string;
  /** What it waits for and who can unblock it. */
  sentence: string;
}

export interface LiveVersion {
  stage: string;
  version: string;
  /** ISO-8601: when the stage's promotion finished there. */
  since: string;
  by: string;
  promotionId: string;
}

export interface HomeView {
  viewer: Actor;
  waiting: WaitingForMe[];
  running: PromotionRow[];
  recent: PromotionRow[];
  /** Pipeline name → its stages with what is live, in the pipeline's order. */
  live: { pipeline: string; stages: LiveVersion[] }[];
  /** More promotions exist than were read. */
  truncated: boolean;
  /** The organisation-wide freeze and its record; null: it could not be read; absent: not shown. */
  freeze?: FreezeRecord | null;
}

/**
 * How long the home page waits for a promotion's worker (or the freeze's) to answer: a page is
 * not held up by one promotion whose worker is down; what did not answer is left out (as `ramp
 * list` does, within 3 s; the page allows 5).
 */
const HOME_READ_MS = 5_000;

/**
 * `read`'s answer, or null when it fails or takes longer than HOME_READ_MS. Its Temporal calls are
 * cancelled then (and when the server shuts down): nothing is left running behind the page.
 */
function answered<T>(ctx: ServerContext, temporal: RampTemporal, read: () => Promise<T>): Promise<T | null> {
  const signal = AbortSignal.any([ctx.shutdown, AbortSignal.timeout(HOME_READ_MS)]);
  return temporal.client.withAbortSignal(signal, read).catch(() => null);
}

/** Phases in which a running promotion may wait for an approver. */
const MAY_WAIT_FOR_APPROVAL = ['AwaitingApproval', 'Paused'];

export async function homeView(ctx: ServerContext, viewer: Actor): Promise<HomeView> {
  const temporal = await ctx.temporal.get();
  // A page that cannot say whether a freeze is in force still shows the releases.
  const freeze = answered(ctx, temporal, () => readFreezeRecord(temporal));
  const running = await listPromotions(temporal, { all: false, pipeline: undefined, phase: undefined, limit: HOME_RUNNING });
  const all = await listPromotions(temporal, { all: true, pipeline: undefined, phase: undefined, limit: HOME_RECENT + running.rows.length });
  const recent = all.rows.filter((r) => r.closedAt !== null).slice(0, HOME_RECENT);

  // All at once: a worker slow to answer costs one wait, not one per promotion.
  const candidates = running.rows.filter((r) => MAY_WAIT_FOR_APPROVAL.includes(r.phase));
  const views = await Promise.all(candidates.map((row) => answered(ctx, temporal, () => releaseView(ctx, viewer, row.id))));
  const waiting: WaitingForMe[] = views.flatMap((view, i) => {
    if (!view || !view.actions.some((a) => a.name === PageActionName.Approve && a.refusal === null)) return [];
    const { promotion, activeStage } = view.snapshot;
    return [
      {
        promotionId: promotion.promotionId,
        pipeline: promotion.pipeline,
        version: promotion.version,
        stage: activeStage?.stage ?? candidates[i]!.stage ?? '',
        sentence: view.hint ? waitingSentence(view.hint) : promotion.message,
      },
    ];
  });

  const read = await Promise.all([...running.rows, ...recent].map((row) => answered(ctx, temporal, () => temporal.promotionStatus(row.id))));
  const statuses = read.filter((s): s is PromotionStatus => s !== null);
  return {
    viewer,
    waiting,
    running: running.rows,
    recent,
    live: liveVersions(statuses),
    truncated: running.truncated || all.truncated,
    freeze: await freeze,
  };
}

/** Per pipeline and stage, the newest promotion that promoted the stage (rollbacks included). Pure. */
export function liveVersions(promotions: readonly PromotionStatus[]): HomeView['live'] {
  const byPipeline = new Map<string, { order: string[]; stages: Map<string, LiveVersion> }>();
  for (const p of promotions) {
    const entry = byPipeline.get(p.pipeline) ?? { order: [], stages: new Map<string, LiveVersion>() };
    byPipeline.set(p.pipeline, entry);
    for (const s of p.stages) {
      if (!entry.order.includes(s.name)) entry.order.push(s.name);
      if (s.phase !== 'Promoted') continue;
      const since = s.result?.events.at(-1)?.at ?? p.finishedAt ?? p.startedAt;
      const seen = entry.stages.get(s.name);
      if (seen && seen.since >= since) continue;
      entry.stages.set(s.name, { stage: s.name, version: p.version, since, by: p.requester?.name ?? p.requestedBy, promotionId: p.promotionId });
    }
  }
  return [...byPipeline.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pipeline, { order, stages }]) => ({ pipeline, stages: order.flatMap((name) => (stages.has(name) ? [stages.get(name)!] : [])) }));
}
