/**
 * The delivery trailers of a stage's commits (docs/dora.md): the release's source commit and
 * time and the version it fixes forward on a promotion's commits, and on a rollback's commits
 * when the failure it remedies was detected. Pure data from the stage's input and record: no
 * command, so adding them changed no workflow's command sequence.
 */
import type { RampTrailers } from '../src/domain/changes.js';
import type { StageEvent } from './messages.js';
import type { CurrentStageInput } from './stage-input.js';

export function deliveryTrailers(
  input: Pick<CurrentStageInput, 'kind' | 'release'>,
  events: readonly StageEvent[],
): Pick<RampTrailers, 'source' | 'fixes' | 'detectedAt'> {
  if (input.kind === 'rollback') {
    // A rollback is asked for when the failure is known: the stage's start stands for the
    // rollback promotion's start (the same moment for its first stage; later stages start later).
    const started = events.find((e) => e.kind === 'started')?.at;
    return started ? { detectedAt: started } : {};
  }
  const release = input.release;
  if (!release) return {};
  const source = {
    ...(release.commit ? { commit: release.commit } : {}),
    ...(release.time ? { time: release.time } : {}),
  };
  return {
    ...(source.commit !== undefined || source.time !== undefined ? { source } : {}),
    ...(release.fixes ? { fixes: release.fixes } : {}),
  };
}
