/**
 * Generated delivery histories whose DORA answers are known in advance: a seeded sequence of
 * releases, each with an outcome the generator decides (deployed, caught in canary, rolled back
 * after exposure by its own promotion or by a rollback promotion, reverted by a person, fixed
 * forward, superseded), written as ramp's trailers would record it (DeliveryHistory), with noise
 * (drift, other stages and pipelines). The generator keeps its own ground truth — what it did and
 * when — and the expected report is derived from that truth, not from the commits.
 */
import type { ChangeFailureCause } from '../../src/observability/facts.js';
import { DeliveryHistory, PIPELINE, STAGE } from './delivery-history.js';
import type { Random } from './random.js';

export type Outcome = 'deployed' | 'caught' | 'rolled-back' | 'rollback-promotion' | 'reverted' | 'fixed-forward' | 'superseded';

export const OUTCOMES: readonly Outcome[] = ['deployed', 'caught', 'rolled-back', 'rollback-promotion', 'reverted', 'fixed-forward', 'superseded'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface TruthRelease {
  version: string;
  outcome: Outcome;
  /** Every commit of its own promotion in the stage. */
  commitTimes: number[];
  deployedAt: number | null;
  leadFrom: number | null;
  caughtAt: number | null;
  /** The remediation, as the generator made it (observed: when its first commit shows it). */
  failure: { cause: ChangeFailureCause; detectedAt: number; observedAt: number; recoveredAt: number | null } | null;
  /** Fixed forward: the version of its fix, whose deployment is the recovery. */
  fixedBy: string | null;
}

export interface GeneratedHistory {
  history: DeliveryHistory;
  releases: TruthRelease[];
  start: number;
  end: number;
}

export function generateHistory(random: Random, horizonDays: number): GeneratedHistory {
  const h = new DeliveryHistory();
  const start = Date.parse(h.now);
  const at = () => Date.parse(h.now);
  const releases: TruthRelease[] = [];
  let unshipped: number[] = []; // source times of releases written and not deployed
  let previous = '0.0.0'; // the version live before (a rollback's target)
  let fixFor: TruthRelease | null = null; // the release the next one fixes forward
  const count = 3 + random.int(12);

  const noise = () => {
    if (random.chance(0.15)) h.drift();
    if (random.chance(0.1)) h.raw({ promotion: `${PIPELINE}@9.${random.int(99)}`, stage: 'staging', step: '1/promote', version: '9' });
    if (random.chance(0.1)) h.raw({ promotion: `${PIPELINE}-api@${random.int(99)}`, stage: STAGE, step: '1/promote', version: '1' });
  };
  const remediationDelay = () => (random.chance(0.15) ? (horizonDays + 1 + random.int(3)) * DAY : MINUTE + random.int(48 * HOUR));

  for (let i = 1; i <= count; i++) {
    const version = `1.${i}.0`;
    let outcome: Outcome = random.pick(OUTCOMES);
    if (i === count && outcome === 'fixed-forward') outcome = 'deployed'; // a fix needs a next release
    const fixes = fixFor;
    fixFor = null;
    h.wait(random.int(3 * DAY) + MINUTE);
    noise();
    const firstAt = at() + 1000;
    const source = random.chance(0.15) ? null : random.chance(0.05) ? firstAt + 30 * DAY : firstAt - random.int(72 * HOUR) - 1000;
    const info = {
      ...(source === null ? {} : { source: { commit: 'abc', time: new Date(source).toISOString() } }),
      ...(fixes ? { fixes: fixes.version } : {}),
    };
    const truth: TruthRelease = { version, outcome, commitTimes: [], deployedAt: null, leadFrom: null, caughtAt: null, failure: null, fixedBy: null };
    releases.push(truth);
    const own = (sha: string) => {
      truth.commitTimes.push(at());
      return sha;
    };
    if (fixes) fixes.failure = { cause: 'fix-forward', detectedAt: firstAt, observedAt: firstAt, recoveredAt: null };

    const plainUpdate = random.chance(0.2);
    const canaries: string[] = [];
    const steps = outcome === 'caught' || outcome === 'superseded' ? 1 + random.int(3) : plainUpdate ? 0 : random.int(4);
    for (let s = 0; s < steps; s++) {
      canaries.push(own(h.canary(version, info, 10 * (s + 1))));
      h.wait(random.int(30 * MINUTE));
    }
    if (outcome === 'caught') {
      const detected = h.now;
      h.wait(random.int(5 * MINUTE));
      for (const sha of [...canaries].reverse()) own(h.revert(version, sha, detected));
      truth.caughtAt = truth.commitTimes[canaries.length]!;
      if (source !== null) unshipped.push(source);
      continue;
    }
    if (outcome === 'superseded') {
      if (source !== null) unshipped.push(source);
      continue;
    }
    const full = own(h.promote(version, info, 1, plainUpdate ? 'update' : 'promote'));
    truth.deployedAt = at();
    const times = [...(source === null ? [] : [source]), ...unshipped];
    truth.leadFrom = times.length > 0 ? Math.min(...times) : null;
    unshipped = [];
    if (fixes?.failure) fixes.failure.recoveredAt = truth.deployedAt;
    noise();

    const delay = remediationDelay();
    switch (outcome) {
      case 'rolled-back': {
        h.wait(delay);
        const detected = at();
        h.wait(random.int(10 * MINUTE));
        own(h.revert(version, full, new Date(detected).toISOString()));
        const revertedAt = at();
        for (const sha of [...canaries].reverse()) own(h.revert(version, sha, new Date(detected).toISOString()));
        truth.failure = { cause: 'rollback', detectedAt: detected, observedAt: revertedAt, recoveredAt: revertedAt };
        break;
      }
      case 'rollback-promotion': {
        h.wait(delay);
        const detected = at();
        h.wait(random.int(10 * MINUTE));
        h.rollback(previous, random.chance(0.8) ? new Date(detected).toISOString() : undefined);
        const rolledBackAt = at();
        const detectedAt = Date.parse(h.commits.at(-1)!.detectedAt ?? h.now);
        truth.failure = { cause: 'rollback', detectedAt, observedAt: rolledBackAt, recoveredAt: rolledBackAt };
        // Sometimes rolled back once more: the version a rollback put back is no deployment, so no new failure.
        if (random.chance(0.3)) h.wait(HOUR).rollback('0.0.1', h.now);
        break;
      }
      case 'reverted': {
        h.wait(delay);
        h.humanRevert(random.chance(0.5) ? full : full.slice(0, 12));
        truth.failure = { cause: 'revert', detectedAt: at(), observedAt: at(), recoveredAt: at() };
        break;
      }
      case 'fixed-forward':
        h.wait(delay);
        fixFor = truth;
        truth.fixedBy = `1.${i + 1}.0`;
        break;
      default:
        previous = version;
    }
  }
  // Remediations past the horizon did not count.
  for (const r of releases) {
    if (r.failure && r.deployedAt !== null && r.failure.detectedAt - r.deployedAt > horizonDays * DAY) r.failure = null;
  }
  h.wait(HOUR);
  return { history: h, releases, start, end: at() };
}
