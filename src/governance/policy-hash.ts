/**
 * A policy's content hash (docs/governance.md): sha256 of its canonical JSON (keys sorted, the
 * spec only), so that a decision names exactly the rule that made it. node:crypto: activities
 * and the CLI only, never workflow code.
 */
import { createHash } from 'node:crypto';
import type { PinnedPolicy, PolicySpec } from '../schema/policies.js';

/** JSON with object keys sorted at every level: the same policy always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hex sha256 of the policy's spec (hash and source left out). */
export function policyHash(policy: PolicySpec | PinnedPolicy): string {
  const { name, at, when, effect, message, require } = policy;
  return createHash('sha256').update(canonicalJson({ name, at, when, effect, message, require })).digest('hex');
}

/** The policy with its hash and source, as a promotion pins it. */
export function pin(policy: PolicySpec, source: string): PinnedPolicy {
  const { name, at, when, effect, message, require } = policy;
  return { name, at, when, effect, message, ...(require !== undefined ? { require } : {}), hash: policyHash(policy), source };
}
