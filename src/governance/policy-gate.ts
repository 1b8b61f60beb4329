/**
 * The extra approval a `require-approval` policy adds (docs/governance.md): a gate named
 * `policy:<name>` whose approvers are the groups of its rule ("1 of group:sre"). Pure, so that
 * the stage opens the gate and judges its decisions (src/domain/gate-decision.ts) from the
 * pinned policies alone.
 */
import { parseApprovalRules, rulesTotal } from '../domain/approval-rules.js';
import type { ApprovalSpec, PinnedPolicy } from '../schema/pipeline.js';

export const POLICY_GATE_PREFIX = 'policy:';

/** The gate a policy opens: `policy:<name>`. */
export function policyGateName(policy: string): string {
  return `${POLICY_GATE_PREFIX}${policy}`;
}

/** The approval a require-approval policy asks for; null for other effects or an unreadable rule (validation refuses those). */
export function policyApproval(policy: Pick<PinnedPolicy, 'effect' | 'require'>): ApprovalSpec | null {
  if (policy.effect !== 'require-approval' || policy.require === undefined) return null;
  const parsed = parseApprovalRules(policy.require);
  if (!parsed.ok) return null;
  return {
    approvers: parsed.rules.map((rule) => ({ kind: 'group' as const, name: rule.group })),
    minApprovals: rulesTotal(parsed.rules),
    require: parsed.rules,
    allowSelfApproval: false,
    timeoutMs: null,
    onTimeout: 'reject',
  };
}

/** The gates the pinned policies may open, by gate name. */
export function policyGates(policies: readonly PinnedPolicy[]): Record<string, ApprovalSpec> {
  const gates: Record<string, ApprovalSpec> = {};
  for (const policy of policies) {
    const approval = policyApproval(policy);
    if (approval) gates[policyGateName(policy.name)] = approval;
  }
  return gates;
}
