/**
 * What to tell a person, politely (an aria-live region), when the release changed: one short
 * sentence from two snapshots (the JSON of the event stream), or null when nothing they would
 * notice changed. Pure and DOM-free (test/unit/ui-announce.test.ts).
 */

/** The parts of a status snapshot (GET /api/v1/promotions/{id}) a change is told from. */
export interface SnapshotView {
  promotion: { phase: string; message: string; finished: boolean };
  activeStage: { stage: string; phase: string; message: string; currentStep?: number; steps?: readonly unknown[] } | null;
}

/** Reads the parts of an event's JSON this module needs; null when it is not a snapshot. */
export function snapshotView(json: unknown): SnapshotView | null {
  if (typeof json !== 'object' || json === null) return null;
  const { promotion, activeStage } = json as { promotion?: unknown; activeStage?: unknown };
  if (typeof promotion !== 'object' || promotion === null) return null;
  const p = promotion as { phase?: unknown; message?: unknown; finishedAt?: unknown };
  if (typeof p.phase !== 'string' || typeof p.message !== 'string') return null;
  let stage: SnapshotView['activeStage'] = null;
  if (typeof activeStage === 'object' && activeStage !== null) {
    const s = activeStage as { stage?: unknown; phase?: unknown; message?: unknown; currentStep?: unknown; steps?: unknown };
    if (typeof s.stage === 'string' && typeof s.phase === 'string' && typeof s.message === 'string')
      stage = {
        stage: s.stage,
        phase: s.phase,
        message: s.message,
        ...(typeof s.currentStep === 'number' ? { currentStep: s.currentStep } : {}),
        ...(Array.isArray(s.steps) ? { steps: s.steps as unknown[] } : {}),
      };
  }
  return { promotion: { phase: p.phase, message: p.message, finished: typeof p.finishedAt === 'string' }, activeStage: stage };
}

/**
 * The sentence for going from `before` to `after`: the release's phase when it changed, else the
 * active stage's message when the stage, its phase, its step or its message changed; null when
 * nothing did (the first snapshot, which the page already shows, is `before === null`: null).
 */
export function changeSummary(before: SnapshotView | null, after: SnapshotView): string | null {
  if (before === null) return null;
  if (before.promotion.phase !== after.promotion.phase) return `Release ${after.promotion.phase}: ${after.promotion.message}`;
  const was = before.activeStage;
  const now = after.activeStage;
  if (now === null) return was !== null || before.promotion.message !== after.promotion.message ? after.promotion.message : null;
  const changed = was === null || was.stage !== now.stage || was.phase !== now.phase || was.currentStep !== now.currentStep || was.message !== now.message;
  return changed ? `${now.stage}: ${now.message}` : null;
}
