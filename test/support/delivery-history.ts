/**
 * A stage's history as ramp's trailers would record it, for DORA's tests: each call appends one
 * commit (at the builder's clock) the way the stage workflow, the rollback and a person's
 * `git revert` write them; `log()` gives them newest first, as `git log` does.
 */
import type { DeliveryCommit } from '../../src/dora/report.js';

export const PIPELINE = 'web';
export const STAGE = 'production';

export interface ReleaseInfo {
  source?: { commit?: string; time?: string };
  fixes?: string;
}

export class DeliveryHistory {
  readonly commits: DeliveryCommit[] = [];
  #clock: number;
  #n = 0;

  constructor(start = '2026-11-02T00:00:00.000Z') {
    this.#clock = Date.parse(start);
  }

  /** Moves the clock on (every commit is at least one second after the previous). */
  wait(ms: number): this {
    this.#clock += ms;
    return this;
  }

  get now(): string {
    return new Date(this.#clock).toISOString();
  }

  /** A canary step of `version`'s promotion (`attempt/index/setWeight-w`). */
  canary(version: string, release: ReleaseInfo = {}, weight = 10, attempt = 1): string {
    return this.#commit({ promotion: `${PIPELINE}@${version}`, step: `${attempt}/0/setWeight-${weight}`, version, ...delivery(release) });
  }

  /** The full promotion of `version` (`attempt/promote`, or `attempt/update` for a plain update). */
  promote(version: string, release: ReleaseInfo = {}, attempt = 1, step: 'promote' | 'update' = 'promote'): string {
    return this.#commit({ promotion: `${PIPELINE}@${version}`, step: `${attempt}/${step}`, version, ...delivery(release) });
  }

  /** ramp's revert of `sha`, by `version`'s promotion (its rollback). */
  revert(version: string, sha: string, detectedAt?: string, attempt = 1): string {
    return this.#commit({ promotion: `${PIPELINE}@${version}`, step: `${attempt}/rollback`, version, revertOf: sha, detectedAt: detectedAt ?? null });
  }

  /** A person's `git revert` of `sha`: no trailers. */
  humanRevert(sha: string): string {
    return this.#commit({ promotion: '', stage: '', step: '', version: null, revertOf: sha });
  }

  /** A rollback promotion back to `version`: its full promotion, with when the failure was detected. */
  rollback(version: string, detectedAt?: string): string {
    return this.#commit({ promotion: `${PIPELINE}@${version}:rollback:${STAGE}`, step: '1/promote', version, detectedAt: detectedAt ?? null });
  }

  /** An accepted drift written back to Git. */
  drift(): string {
    return this.#commit({ promotion: `drift:${PIPELINE}/${STAGE}`, step: 'drift-accept-1-1', version: null });
  }

  /** Any other commit, as given. */
  raw(commit: Partial<DeliveryCommit>): string {
    return this.#commit(commit);
  }

  log(): DeliveryCommit[] {
    return [...this.commits].reverse();
  }

  #commit(fields: Partial<DeliveryCommit>): string {
    this.#clock += 1000;
    const sha = (++this.#n).toString(16).padStart(8, '0').padEnd(40, 'c');
    this.commits.push({
      sha,
      committedAt: this.now,
      promotion: '',
      stage: STAGE,
      step: '',
      version: null,
      revertOf: null,
      source: null,
      fixes: null,
      detectedAt: null,
      ...fields,
    });
    return sha;
  }
}

function delivery(release: ReleaseInfo): Partial<DeliveryCommit> {
  return {
    source: release.source ? { commit: release.source.commit ?? null, time: release.source.time ?? null } : null,
    fixes: release.fixes ?? null,
  };
}
