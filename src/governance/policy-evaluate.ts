/**
 * The one policy evaluator (docs/governance.md): which policies name a checkpoint, and what each
 * decides over a PolicyInput. Pure; it runs in the `evaluatePolicies` activity (CEL's timestamp
 * functions read time-zone data, which must not run in workflow code) and in `ramp policy test`.
 * A `when` that fails to evaluate (a missing field read without has()) counts as matched: a
 * policy that cannot be judged does not let a change through silently; its message says why.
 */
import type { ParseResult } from '@marcbachmann/cel-js';
import type { PinnedPolicy, PolicyCheckpoint, PolicyEffect } from '../schema/policies.js';
import { policyEnvironment, toCelContext, type PolicyInput } from './policy-input.js';

/** One policy's decision at one checkpoint. */
export interface PolicyDecision {
  policy: string;
  /** The pinned content hash ('' for a policy not pinned, e.g. under `ramp policy test`). */
  hash: string;
  source: string;
  effect: PolicyEffect;
  /** Whether `when` held (the effect applies). */
  matched: boolean;
  message: string;
  /** Set when `when` could not be evaluated (then matched is true). */
  error?: string;
}

/** The policies evaluated at `checkpoint`, in their order. */
export function policiesAt<P extends Pick<PinnedPolicy, 'at'>>(policies: readonly P[], checkpoint: PolicyCheckpoint): P[] {
  return policies.filter((p) => p.at.includes(checkpoint));
}

/** Every policy of `policies` that names input.checkpoint, decided. */
export function evaluatePolicies(policies: readonly PinnedPolicy[], input: PolicyInput): PolicyDecision[] {
  const context = toCelContext(input);
  return policiesAt(policies, input.checkpoint).map((policy) => decide(policy, context));
}

function decide(policy: PinnedPolicy, context: Record<string, unknown>): PolicyDecision {
  const base = { policy: policy.name, hash: policy.hash ?? '', source: policy.source ?? 'pipeline', effect: policy.effect };
  let value: unknown;
  try {
    value = compiled(policy.when)(context) as unknown;
  } catch (error) {
    const why = firstLine(error instanceof Error ? error.message : String(error));
    return { ...base, matched: true, message: `${policy.message} (its condition could not be evaluated: ${why})`, error: why };
  }
  if (typeof value !== 'boolean') {
    const why = `the condition evaluates to ${typeof value}, not a bool`;
    return { ...base, matched: true, message: `${policy.message} (${why})`, error: why };
  }
  return { ...base, matched: value, message: policy.message };
}

/** The strongest matched effect (deny over require-approval over warn), or allow. */
export function outcomeOf(decisions: readonly Pick<PolicyDecision, 'matched' | 'effect'>[]): PolicyEffect | 'allow' {
  const matched = new Set(decisions.filter((d) => d.matched).map((d) => d.effect));
  for (const effect of ['deny', 'require-approval', 'warn'] as const) if (matched.has(effect)) return effect;
  return 'allow';
}

const programs = new Map<string, ParseResult>();
const MAX_PROGRAMS = 256;

function compiled(expression: string): ParseResult {
  let program = programs.get(expression);
  if (program === undefined) {
    program = policyEnvironment.parse(expression);
    if (programs.size >= MAX_PROGRAMS) programs.clear();
    programs.set(expression, program);
  }
  return program;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
