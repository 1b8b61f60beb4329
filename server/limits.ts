/**
 * Request rate per client: a token bucket per key (the caller's subject once authenticated,
 * else its address). Each bucket holds `burst` tokens and refills at `perSecond`; a request
 * takes one, or is refused with the seconds until one is back. At most 10,000 buckets are kept,
 * the least recently used dropped first, so a flood of addresses cannot grow memory.
 */

export interface Limits {
  /** Largest request body, in bytes. @default 65536 */
  bodyBytes: number;
  /** Sustained requests per second per client. @default 10 */
  ratePerSecond: number;
  /** Requests a client may send at once before the rate applies. @default 40 */
  rateBurst: number;
}

export const DEFAULT_LIMITS: Limits = { bodyBytes: 64 * 1024, ratePerSecond: 10, rateBurst: 40 };

/** Most buckets kept; past it the least recently used are dropped. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for `key`: 0 when allowed, else the whole seconds to wait (at least 1). */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    // Re-inserted: the map's order is the order of last use.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    this.prune();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  /** How many clients are tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  private prune(): void {
    while (this.buckets.size > MAX_BUCKETS) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) return;
      this.buckets.delete(oldest);
    }
  }
}
