/**
 * Approval rules, GitLab's per-group counts: `require: "2 of group:sre and 1 of group:product"`.
 * One approval counts toward ONE rule, so that gate needs three distinct people even when one
 * of them is in both groups; quorum counts people (`personKey`), never decisions. Pure: the
 * schema parses with it and workflows decide with it.
 */
import { personKey, type Actor } from '../identity/actor.js';

/** `count` distinct people of `group` must approve. */
export interface ApprovalRule {
  count: number;
  group: string;
}

/** The most approvals one rule may ask for: far above any real gate, and it bounds the matching. */
export const MAX_RULE_COUNT = 100;
/** The most rules one gate may have. */
export const MAX_RULES = 20;

export type ApprovalRulesParse = { ok: true; rules: ApprovalRule[] } | { ok: false; error: string };

const EXAMPLE = 'Write rules like "2 of group:sre and 1 of group:product"';
const RULE_RE = /^(\d+)\s+of\s+(\S+)$/i;
const GROUP_RE = /^group:([A-Za-z0-9][A-Za-z0-9._@+-]*)$/;

/** Input quoted in an error, at most 60 characters of it. */
function quote(text: string): string {
  return text.length <= 60 ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 60))}… (${text.length} characters)`;
}

/** Parses `require`: `<count> of group:<name>`, joined by `and`. */
export function parseApprovalRules(text: string): ApprovalRulesParse {
  if (text.trim() === '') return { ok: false, error: `require is empty. ${EXAMPLE}` };
  const parts = text.trim().split(/\s+and\s+/i);
  if (parts.length > MAX_RULES) return { ok: false, error: `require has ${parts.length} rules; a gate has at most ${MAX_RULES}. Merge rules per group` };
  const rules: ApprovalRule[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    const match = RULE_RE.exec(part);
    if (!match) {
      const hint = /^(and|or)\b|\b(and|or)$/i.test(part) || part === '' ? 'a rule is missing around "and"' : 'a rule is <count> of group:<name>';
      return { ok: false, error: `${quote(part)} in require is not a rule: ${hint}. ${EXAMPLE}` };
    }
    const [, digits = '', who = ''] = match;
    const rule = checkRule(Number(digits.length > 6 ? Infinity : digits), who, quote(part));
    if (!rule.ok) return rule;
    rules.push(...rule.rules);
  }
  return distinctGroups(rules);
}

/** Checks the list form, `require: [{ count: 2, of: group:sre }]`, with the string form's rules. */
export function checkApprovalRules(list: readonly { count: number; of: string }[]): ApprovalRulesParse {
  if (list.length === 0) return { ok: false, error: `require is empty. ${EXAMPLE}, or remove require` };
  if (list.length > MAX_RULES) return { ok: false, error: `require has ${list.length} rules; a gate has at most ${MAX_RULES}. Merge rules per group` };
  const rules: ApprovalRule[] = [];
  for (const item of list) {
    const rule = checkRule(item.count, item.of, quote(`${item.count} of ${item.of}`));
    if (!rule.ok) return rule;
    rules.push(...rule.rules);
  }
  return distinctGroups(rules);
}

function checkRule(count: number, who: string, quoted: string): ApprovalRulesParse {
  const group = GROUP_RE.exec(who)?.[1];
  if (group === undefined) {
    const bare = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/.test(who);
    return {
      ok: false,
      error: bare
        ? `${quoted} in require counts ${quote(who)}, which is not a group: rules count the members of a group. Write ${count} of group:${who.length <= 60 ? who : '<name>'}`
        : `${quote(who)} in require is not a group. Write group:<name> (e.g. 2 of group:sre)`,
    };
  }
  if (count > MAX_RULE_COUNT) return { ok: false, error: `${quoted} in require asks for more than ${MAX_RULE_COUNT} approvers. Ask for fewer` };
  if (!Number.isInteger(count) || count < 1) return { ok: false, error: `${quoted} in require needs nobody. A rule counts at least 1 approver` };
  return { ok: true, rules: [{ count, group }] };
}

function distinctGroups(rules: ApprovalRule[]): ApprovalRulesParse {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.group)) {
      return { ok: false, error: `group:${rule.group} has two rules in require. Write one rule per group with the total count` };
    }
    seen.add(rule.group);
  }
  return { ok: true, rules };
}

/** `2 of group:sre and 1 of group:product`: how the record and messages name the rules. */
export function formatApprovalRules(rules: readonly ApprovalRule[]): string {
  return rules.map((r) => `${r.count} of group:${r.group}`).join(' and ');
}

/** How many distinct approvers the rules need at least (one approval counts toward one rule). */
export function rulesTotal(rules: readonly ApprovalRule[]): number {
  return rules.reduce((sum, r) => sum + r.count, 0);
}

/** What a gate needs: its rules (null without `require`) and a number of distinct approvers. */
export interface Quorum {
  require?: readonly ApprovalRule[] | null;
  minApprovals: number;
}

export interface RulesProgress {
  met: boolean;
  /** `sre 1/2, product 1/1`; without rules `1/2`. */
  summary: string;
  /** What is still needed, one entry per rule (`1 more of group:sre`) or `2 more approvers`. */
  missing: string[];
}

/**
 * How far the approvals of `approvers` go toward the gate: each distinct person (personKey)
 * counts once, toward at most one rule, assigned by a maximum bipartite matching between people
 * and the rules' seats. With `minApprovals` above the rules' total, the rest may be any approver
 * (eligibility is checked when a decision is taken, not here).
 */
export function rulesProgress(quorum: Quorum, approvers: readonly Actor[], groupsOf: (actor: Actor) => readonly string[]): RulesProgress {
  const people = distinctPeople(approvers);
  const rules = quorum.require ?? [];
  const need = Math.max(quorum.minApprovals, rulesTotal(rules));
  const total = `${Math.min(people.length, need)}/${need}`;
  if (rules.length === 0) {
    const short = need - people.length;
    return { met: short <= 0, summary: total, missing: short > 0 ? [`${short} more approver${short === 1 ? '' : 's'}`] : [] };
  }
  const filled = matchSeats(rules, people, groupsOf);
  const missing = rules.flatMap((rule, r) => {
    const short = rule.count - filled[r]!;
    return short > 0 ? [`${short} more of group:${rule.group}`] : [];
  });
  const extra = need - rulesTotal(rules);
  const spare = people.length - filled.reduce((a, b) => a + b, 0);
  if (extra > 0 && spare < extra) missing.push(`${extra - spare} more approver${extra - spare === 1 ? '' : 's'}`);
  const parts = rules.map((rule, r) => `${rule.group} ${filled[r]!}/${rule.count}`);
  if (extra > 0) parts.push(`total ${total}`);
  return { met: missing.length === 0, summary: parts.join(', '), missing };
}

/** The first actor of each person, in order. */
function distinctPeople(approvers: readonly Actor[]): Actor[] {
  const seen = new Set<string>();
  return approvers.filter((actor) => {
    const key = personKey(actor);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Seats filled per rule by a maximum matching of people to seats (Kuhn's augmenting paths: for
 * each person, find a free seat of one of their groups, or move a seated person to another).
 * Small by construction: at most MAX_RULES × MAX_RULE_COUNT seats.
 */
function matchSeats(rules: readonly ApprovalRule[], people: readonly Actor[], groupsOf: (actor: Actor) => readonly string[]): number[] {
  const seats = rules.flatMap((rule, r) => Array.from({ length: rule.count }, () => r));
  const fits = people.map((person) => {
    const groups = new Set(groupsOf(person));
    return seats.flatMap((r, s) => (groups.has(rules[r]!.group) ? [s] : []));
  });
  const holder: (number | undefined)[] = seats.map(() => undefined);
  const seat = (p: number, visited: Set<number>): boolean => {
    for (const s of fits[p]!) {
      if (visited.has(s)) continue;
      visited.add(s);
      const current = holder[s];
      if (current === undefined || seat(current, visited)) {
        holder[s] = p;
        return true;
      }
    }
    return false;
  };
  people.forEach((_, p) => seat(p, new Set()));
  const filled = rules.map(() => 0);
  holder.forEach((p, s) => {
    if (p !== undefined) filled[seats[s]!]! += 1;
  });
  return filled;
}
