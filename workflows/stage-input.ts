/**
 * A stage's input, brought to the current shape once at workflow entry (STYLE.md habit 28).
 * A promotion pins its pipeline for its whole life, so a stage may be started — or replayed —
 * with a spec written by an older ramp: fields added since are absent there. Everything after
 * the entry reads the upgraded input and never guesses.
 */
import type { StageSpec, SyncSpec } from '../src/schema/pipeline.js';
import type { StageInput } from './messages.js';

/** The input as the stage's code reads it: every optional field of older shapes filled in. */
export type CurrentStageInput = Omit<StageInput, 'kind' | 'analysisTemplates' | 'fastTrack' | 'policies'> & {
  kind: NonNullable<StageInput['kind']>;
  analysisTemplates: NonNullable<StageInput['analysisTemplates']>;
  policies: NonNullable<StageInput['policies']>;
};

/** `sync` in specs pinned before sync existed: Git only (the other fields are never read). */
const GIT_ONLY = {
  mode: 'none',
  namespace: 'default',
  context: null,
  timeoutMs: 600_000,
  agent: null,
  application: null,
  kustomization: null,
} satisfies SyncSpec;

export function upgradeStageInput(input: StageInput): CurrentStageInput {
  const { fastTrack, ...rest } = input;
  const old = input.stage as Partial<StageSpec> & Pick<StageSpec, 'name' | 'path' | 'update' | 'strategy' | 'approval' | 'rollback'>;
  const strategy: StageSpec['strategy'] = old.strategy.kind === 'canary' ? { ...old.strategy, analysis: old.strategy.analysis ?? null } : old.strategy;
  const stage: StageSpec = {
    ...old,
    strategy,
    overrides: old.overrides ?? 'approvers',
    verification: old.verification ?? { prePromotion: null, postPromotion: null },
    webhooks: old.webhooks ?? [],
    sync: old.sync ?? GIT_ONLY,
    drift: old.drift ?? null,
    windows: old.windows ?? null,
    soak: old.soak ?? null,
  };
  return {
    ...rest,
    // `fastTrack: true` was a rollback's input before `kind` existed.
    kind: input.kind ?? (fastTrack === true ? 'rollback' : 'promote'),
    analysisTemplates: input.analysisTemplates ?? [],
    policies: input.policies ?? [],
    stage,
    // A resumed input is already upgraded (continue-as-new carries the current shape).
    ...(input.resume ? { resume: input.resume } : {}),
  };
}
