/**
 * Generated route targets and notifications blocks (seeded, test/support/random.ts): the target
 * parser and the schema never throw, answer in bounded words, never echo more than a clip of the
 * input, and what they accept is stable — its normal spelling parses to itself.
 *
 * RAMP_FUZZ_SEED=<n> picks another set; RAMP_FUZZ_CASES=<n> scales it. Failures name the seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTarget } from '../../src/notify/targets.js';
import { Notifications } from '../../src/schema/notifications.js';
import { NOTIFY_EVENTS } from '../../src/notify/events.js';
import { FUZZ_SEED, prng, type Random } from '../support/random.js';

const CASES = Number(process.env.RAMP_FUZZ_CASES ?? 800);
const REPRODUCE = `seed ${FUZZ_SEED}; reproduce with RAMP_FUZZ_SEED=${FUZZ_SEED} npx tsx scripts/test.ts --no-check test/unit/notify-fuzz.test.ts`;

const SCHEMES = ['slack:', 'teams:', 'email:', 'mailto:', 'webhook:', 'SLACK:', 'http:', '', ':', 'pagerduty:'];
const PIECES = [
  '#',
  'deploys',
  'C0123ABCD',
  '@',
  'example.com',
  '.',
  '-',
  '_',
  'https://',
  'http://',
  'user:pw@',
  '?sig=',
  '/',
  ' ',
  '\t',
  '\n',
  '\u0000',
  'é',
  '💥',
  '%',
  '..',
  'a'.repeat(70),
  'x'.repeat(3000),
];

function target(r: Random): string {
  let text = r.pick(SCHEMES);
  const n = r.int(6);
  for (let i = 0; i < n; i++) text += r.pick(PIECES);
  if (r.chance(0.1)) text = [...text].reverse().join('');
  return text;
}

test(`parseTarget: ${CASES} generated targets (${REPRODUCE})`, () => {
  const r = prng(FUZZ_SEED);
  let accepted = 0;
  for (let i = 0; i < CASES; i++) {
    const input = target(r);
    const result = parseTarget(input);
    const where = `case ${i} ${JSON.stringify(input.slice(0, 80))}; ${REPRODUCE}`;
    if (result.ok) {
      accepted++;
      assert.equal(result.target.id, `${result.target.channel}:${result.target.address}`, where);
      const again = parseTarget(result.target.id);
      assert.ok(again.ok && again.target.id === result.target.id, `the normal spelling parses to itself: ${where}`);
      assert.ok(!/\s/.test(result.target.address) && !result.target.address.includes('\u0000'), `no whitespace or NUL in an accepted address: ${where}`);
    } else {
      assert.ok(result.error.length < 400, `bounded message: ${where}`);
      assert.ok(!result.error.includes('x'.repeat(100)), `the input is clipped: ${where}`);
      if (/^teams:\s*https?:/i.test(input.trim())) assert.ok(!result.error.includes('?sig='), `no Teams URL echoed: ${where}`);
    }
  }
  assert.ok(accepted > 0 && accepted < CASES, `some accepted, some refused (${accepted}/${CASES}): ${REPRODUCE}`);
});

function value(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 5 : 8)) {
    case 0:
      return target(r);
    case 1:
      return r.pick([...NOTIFY_EVENTS, '*', 'deployed']);
    case 2:
      return r.pick(['1h', '0s', '30m', '400d', '-1h', 5, null, true]);
    case 3:
      return r.int(1000) - 500;
    case 4:
      return r.pick(['', 'hook-key', '../etc/passwd', 'ok']);
    case 5:
      return Array.from({ length: r.int(4) }, () => value(r, depth + 1));
    default: {
      const keys = ['name', 'on', 'to', 'stages', 'remindAfter', 'escalateAfter', 'escalateTo', 'linkTtl', 'secretRef', 'extra'];
      return Object.fromEntries(Array.from({ length: r.int(6) }, () => [r.pick(keys), value(r, depth + 1)]));
    }
  }
}

test(`the notifications schema: ${CASES} generated blocks (${REPRODUCE})`, () => {
  const r = prng(FUZZ_SEED + 1);
  for (let i = 0; i < CASES; i++) {
    const routes = Array.from({ length: r.int(3) + 1 }, () => {
      const route: Record<string, unknown> = { on: [r.pick([...NOTIFY_EVENTS, '*'])], to: [r.pick(['slack:#x', 'email:a@b.example', 'teams:t'])] };
      const extra = value(r);
      return r.chance(0.5) && extra && typeof extra === 'object' && !Array.isArray(extra) ? { ...route, ...extra } : route;
    });
    const input = r.chance(0.1) ? value(r) : { routes };
    const where = `case ${i}; ${REPRODUCE}`;
    const parsed = Notifications.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) assert.ok(issue.message.length < 400, `bounded: ${issue.message.slice(0, 100)} ${where}`);
      continue;
    }
    for (const route of parsed.data.routes) {
      assert.ok(route.on.length > 0 && route.to.length > 0, where);
      assert.ok(route.linkTtlMs > 0, where);
      if (route.escalateAfterMs !== null) assert.ok(route.escalateTo.length > 0, `escalation needs targets: ${where}`);
      if ([...route.to, ...route.escalateTo].some((t) => t.channel === 'webhook')) assert.ok(route.secretRef !== null, `signed webhooks only: ${where}`);
    }
  }
});
