/**
 * Which promotion, pipeline, stage and step a log line concerns (docs/worker.md#logs), from the
 * metadata the Temporal SDK and ramp's own calls attach to it. Pure: no I/O.
 *
 * The SDK gives every workflow and activity line the `workflowId` it belongs to, and ramp's ids
 * say where they are:
 *
 * | workflow id | is | gives |
 * |---|---|---|
 * | `web@1.4.2` | a promotion | promotion, pipeline |
 * | `web@1.3.0:rollback:staging,production` | a rollback promotion | promotion, pipeline |
 * | `web/staging` | a stage (one per environment) | pipeline, stage |
 * | `web/staging/2/step-3` | a stage's analysis (attempt, where) | pipeline, stage |
 * | `web/staging:drift` | a drift watch | pipeline, stage |
 * | `notify:<id>` | the notifications of the promotion or watch `<id>` | as `<id>` |
 * | `guard:…`, `ramp-freeze/…` | organisation-wide workflows | nothing |
 *
 * A stage workflow's id does not name its promotion (an environment holds one promotion at a
 * time): its lines carry the promotion when the caller passes it (`promotion` or `promotionId`
 * in the metadata, as the Git and notification activities do). `stage` and `step` given in the
 * metadata win over what the id says.
 */

export interface LogContext {
  promotion?: string;
  pipeline?: string;
  stage?: string;
  step?: string;
}

/** What `workflowId` says about where a line comes from. */
export function workflowContext(workflowId: string): LogContext {
  if (workflowId.startsWith('notify:')) return workflowContext(workflowId.slice('notify:'.length));
  if (workflowId.startsWith('guard:') || workflowId.startsWith('ramp-freeze/')) return {};
  const at = workflowId.indexOf('@');
  if (at > 0) return { promotion: workflowId, pipeline: workflowId.slice(0, at) };
  const drift = /^([^/:]+)\/([^/:]+):drift$/.exec(workflowId);
  if (drift) return { pipeline: drift[1]!, stage: drift[2]! };
  const stage = /^([^/:]+)\/([^/:]+)(?:\/.*)?$/.exec(workflowId);
  if (stage) return { pipeline: stage[1]!, stage: stage[2]! };
  return {};
}

/** The promotion, pipeline, stage and step of a line with metadata `meta` (absent keys: unknown). */
export function logContext(meta: Readonly<Record<string, unknown>> | undefined): LogContext {
  if (!meta) return {};
  const fromId = typeof meta.workflowId === 'string' ? workflowContext(meta.workflowId) : {};
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  // A caller's `promotion`/`promotionId` is read as an id too: a drift watch's is `web/staging:drift`.
  const given = text(meta.promotion) ?? text(meta.promotionId);
  const fromGiven = given !== undefined ? workflowContext(given) : {};
  // An id of no known shape is taken as the promotion's as given.
  const promotion = fromGiven.promotion ?? (given !== undefined && Object.keys(fromGiven).length === 0 ? given : undefined) ?? fromId.promotion;
  const pipeline = text(meta.pipeline) ?? fromGiven.pipeline ?? fromId.pipeline;
  const stage = text(meta.stage) ?? fromGiven.stage ?? fromId.stage;
  const step = text(meta.step);
  return {
    ...(promotion !== undefined ? { promotion } : {}),
    ...(pipeline !== undefined ? { pipeline } : {}),
    ...(stage !== undefined ? { stage } : {}),
    ...(step !== undefined ? { step } : {}),
  };
}
