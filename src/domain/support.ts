/**
 * Pipeline features the schema accepts but this engine does not run yet. A promotion refuses
 * to start rather than silently skip a gate someone relies on (a confirm-promotion webhook, a
 * post-promotion verification). Shrinks to nothing as canary analysis lands (judges, background analysis and verification run now; webhooks are next).
 *
 * Reads the spec defensively: a running promotion keeps the spec it was started with, which may
 * predate these fields (replay tests hold such histories).
 */
import type { PipelineSpec } from '../schema/pipeline.js';

type Pinned<T> = { [K in keyof T]?: T[K] | undefined };

export function unsupportedFeatures(spec: PipelineSpec): string[] {
  const found: string[] = [];
  for (const stage of spec.stages as Pinned<PipelineSpec['stages'][number]>[]) {
    if ((stage.webhooks?.length ?? 0) > 0) found.push(`webhooks (stage ${stage.name})`);
  }
  return found;
}
