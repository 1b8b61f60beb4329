/**
 * Policies are code and get tests (docs/governance.md): a cases file lists example inputs and the
 * decision each must get. `ramp policy test` reads it with every problem located at its line and
 * runs each case through the one evaluator (policy-evaluate.ts) the activity uses.
 *
 *   kind: PolicyTests                   # optional; lets `ramp validate` tell it from a pipeline
 *   cases:
 *     - name: friday afternoon in production needs an SRE
 *       checkpoint: stage-start
 *       input: { stage: { name: production }, now: "2026-11-27T15:30:00+01:00" }
 *       expect: require-approval
 *       policy: friday-afternoon        # optional: this policy's decision, not the overall one
 */
import { z } from 'zod';
import { POLICY_CHECKPOINTS, POLICY_EFFECTS, type PinnedPolicy } from '../schema/policies.js';
import { evaluatePolicies, outcomeOf, type PolicyDecision } from './policy-evaluate.js';
import type { PolicyInput } from './policy-input.js';
import { parseLocated, type Located } from './policy-yaml.js';

const Instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d\d-\d\dT/.test(s), {
  error: 'expected an ISO-8601 instant, e.g. 2026-11-27T15:30:00+01:00',
});
const Actor = z.strictObject({
  subject: z.string().optional(),
  name: z.string(),
  email: z.string().optional(),
  groups: z.array(z.string()).default([]),
  method: z.string().default('oidc'),
});

/** A partial PolicyInput: what a case writes; the rest comes from DEFAULT_INPUT. */
const PartialInput = z.strictObject({
  release: z
    .strictObject({ pipeline: z.string(), version: z.string(), image: z.string(), sourceCommit: z.string(), authors: z.array(z.string()) })
    .partial()
    .optional(),
  stage: z
    .strictObject({ name: z.string(), path: z.string(), index: z.int().min(0), kind: z.enum(['promote', 'rollback']), attempt: z.int().min(1) })
    .partial()
    .optional(),
  diff: z
    .strictObject({ files: z.array(z.string()), changedLines: z.int().min(0), lines: z.array(z.string()) })
    .partial()
    .optional(),
  approvals: z.array(z.strictObject({ gate: z.string().default('gate'), actor: Actor, channel: z.string().default('cli'), at: Instant.optional() })).optional(),
  analysis: z.array(z.strictObject({ name: z.string(), phase: z.string() })).optional(),
  now: Instant.optional(),
  requester: Actor.optional(),
  history: z.strictObject({ lastFailureAt: Instant, lastProductionSuccessAt: Instant }).partial().optional(),
  window: z.strictObject({ open: z.boolean(), reason: z.string(), nextOpen: Instant, nextClose: Instant }).partial().optional(),
});

const Expect = z.enum(['allow', ...POLICY_EFFECTS]);

export const PolicyCasesShape = z.strictObject({
  apiVersion: z.literal('ramp/v1', { error: 'apiVersion is ramp/v1' }).optional(),
  kind: z.literal('PolicyTests', { error: 'kind is PolicyTests in a cases file' }).optional(),
  cases: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        checkpoint: z.enum(POLICY_CHECKPOINTS),
        input: PartialInput.default({}),
        expect: Expect,
        policy: z.string().optional().describe("Expect this policy's decision rather than the overall one."),
      }),
    )
    .min(1, { error: 'a cases file holds at least one case' }),
});
export type PolicyCasesSpec = z.output<typeof PolicyCasesShape>;
export type PolicyCase = PolicyCasesSpec['cases'][number];
export type Expectation = z.output<typeof Expect>;

/** What a case does not say: a Monday morning promotion of a compliant release to staging, approved by nobody. */
export const DEFAULT_INPUT: Omit<PolicyInput, 'checkpoint'> = {
  release: { pipeline: 'example', version: '1.0.0', image: 'registry.example.com/example', authors: [] },
  stage: { name: 'staging', path: 'envs/staging', index: 1, kind: 'promote', attempt: 1 },
  diff: { files: [], changedLines: 0, lines: [] },
  approvals: [],
  analysis: [],
  now: '2026-01-05T09:00:00Z',
  requester: { subject: 'tester', name: 'tester', groups: [], method: 'oidc' },
  history: {},
  window: { open: true, reason: 'no windows' },
};

/** Reads a cases file; a `policy` that names no policy of the file under test is an error at its line. */
export function loadCasesSource(source: string, file: string, policies: readonly PinnedPolicy[]): Located<PolicyCasesSpec> {
  const names = new Set(policies.map((p) => p.name));
  const schema = PolicyCasesShape.superRefine((spec, ctx) => {
    spec.cases.forEach((c, i) => {
      if (c.policy !== undefined && !names.has(c.policy))
        ctx.addIssue({ code: 'custom', path: ['cases', i, 'policy'], input: c.policy, message: unknownPolicy(c.policy, names) });
    });
  });
  return parseLocated(source, file, schema, 'cases file');
}

function unknownPolicy(name: string, names: Set<string>): string {
  return `no policy is named ${JSON.stringify(name)}. The file under test has ${[...names].join(', ') || 'no policies'}`;
}

/** The full input of a case: its partial input over DEFAULT_INPUT. */
export function caseInput(c: PolicyCase, pipeline?: string): PolicyInput {
  const i = c.input;
  const actor = (a: z.output<typeof Actor>) => ({ ...a, subject: a.subject ?? a.name });
  return {
    checkpoint: c.checkpoint,
    release: { ...DEFAULT_INPUT.release, ...(pipeline ? { pipeline } : {}), ...i.release },
    stage: { ...DEFAULT_INPUT.stage, ...(c.checkpoint === 'rollback' ? { kind: 'rollback' as const } : {}), ...i.stage },
    diff: { ...DEFAULT_INPUT.diff, ...i.diff, ...(i.diff?.changedLines === undefined && i.diff?.lines ? { changedLines: i.diff.lines.length } : {}) },
    approvals: (i.approvals ?? []).map((a) => ({ gate: a.gate, actor: actor(a.actor), channel: a.channel, at: a.at ?? i.now ?? DEFAULT_INPUT.now })),
    analysis: i.analysis ?? [],
    now: i.now ?? DEFAULT_INPUT.now,
    requester: i.requester ? actor(i.requester) : DEFAULT_INPUT.requester,
    history: { ...i.history },
    window: { ...DEFAULT_INPUT.window, ...i.window },
  };
}

export interface CaseResult {
  name: string;
  checkpoint: PolicyCase['checkpoint'];
  expect: Expectation;
  got: Expectation;
  pass: boolean;
  policy?: string;
  decisions: PolicyDecision[];
}

/** Runs every case; `got` is the named policy's decision, or the strongest matched effect. */
export function runCases(policies: readonly PinnedPolicy[], spec: PolicyCasesSpec, pipeline?: string): CaseResult[] {
  return spec.cases.map((c) => {
    const decisions = evaluatePolicies(policies, caseInput(c, pipeline));
    const relevant = c.policy === undefined ? decisions : decisions.filter((d) => d.policy === c.policy);
    const got = outcomeOf(relevant);
    return { name: c.name, checkpoint: c.checkpoint, expect: c.expect, got, pass: got === c.expect, ...(c.policy ? { policy: c.policy } : {}), decisions };
  });
}

/** What differed, for people: `expected deny, got allow (no-friday: allow; images: warn)`. */
export function describeMismatch(result: CaseResult): string {
  const each = result.decisions.map((d) => `${d.policy}: ${d.matched ? d.effect : 'allow'}${d.error ? ` (error: ${d.error})` : ''}`);
  return `expected ${result.expect}, got ${result.got}${each.length > 0 ? ` (${each.join('; ')})` : ` (no policy is evaluated at ${result.checkpoint})`}`;
}
