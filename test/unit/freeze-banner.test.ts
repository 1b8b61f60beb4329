import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderFreezeSection } from '../../server/ui/freeze-banner.js';
import { renderHomeMain, renderHomePage } from '../../server/ui/home-page.js';
import type { HomeView } from '../../server/ui/home-data.js';
import type { Actor } from '../../src/identity/actor.js';
import type { FreezeRecord } from '../../workflows/freeze-messages.js';

const olivia: Actor = { subject: 'sub-o', name: 'olivia', email: null, groups: ['sre-oncall'], issuer: 'https://issuer.test', method: 'oidc' };
const squash = (text: string) => text.replace(/>\s+</g, '><').replace(/\s+/g, ' ');
const render = (record: FreezeRecord | null) => {
  const section = renderFreezeSection(record);
  assert.ok(!(section instanceof Promise), 'the section renders synchronously');
  return squash(section.toString());
};

describe('the home page freeze section', () => {
  test('frozen: who, from where, when, why, until when, and the lift form with a required reason', () => {
    const page = render({
      state: { declaredBy: olivia, channel: 'web', declaredAt: '2026-11-30T10:00:00.000Z', reason: 'INC-42 <db down>', until: '2026-11-30T14:00:00.000Z' },
      events: [],
    });
    assert.match(page, /data-frozen="true"/);
    assert.match(page, /Frozen: every promotion waits/);
    assert.match(
      page,
      /Declared by <strong>olivia<\/strong> \(web\) at <time datetime="2026-11-30T10:00:00\.000Z">2026-11-30 10:00:00 UTC<\/time>, until <time datetime="2026-11-30T14:00:00\.000Z">/,
    );
    assert.match(page, /Reason: INC-42 &lt;db down&gt;/);
    assert.match(page, /<form class="action" data-ramp-action="lift the freeze" method="post" action="\/api\/v1\/freeze\/lift">/);
    assert.match(page, /<textarea id="freeze-lift-reason" name="reason" required rows="2">/);
    assert.doesNotMatch(page, /action="\/api\/v1\/freeze"/);
  });

  test('frozen until lifted, by an unverified name', () => {
    const page = render({
      state: {
        declaredBy: { ...olivia, method: 'local-unverified', issuer: 'local' },
        channel: 'cli',
        declaredAt: '2026-11-30T10:00:00.000Z',
        reason: 'x',
        until: null,
      },
      events: [],
    });
    assert.match(page, /<strong>olivia \(unverified\)<\/strong> \(cli\) at .*, until lifted\./);
  });

  test('not frozen: says so, with the declare form (reason required, duration optional)', () => {
    const page = render({ state: null, events: [] });
    assert.match(page, /data-frozen="false"/);
    assert.match(page, /Not frozen/);
    assert.match(page, /<form class="action" data-ramp-action="declare a freeze" method="post" action="\/api\/v1\/freeze">/);
    assert.match(page, /<textarea id="freeze-reason" name="reason" required rows="2">/);
    assert.match(page, /<input id="freeze-for" name="for" type="text"/);
  });

  test('unreadable: the page says so instead of guessing', () => {
    assert.match(render(null), /could not be read just now/);
  });

  test('the home page carries it, and its content is reloadable from /home/main', () => {
    const view: HomeView = { viewer: olivia, waiting: [], running: [], recent: [], live: [], truncated: false, freeze: { state: null, events: [] } };
    assert.match(renderHomePage(view), /<main id="home" data-fragment="\/home\/main"><h1>Releases<\/h1>/);
    const main = squash(renderHomeMain(view));
    assert.match(main, /^<h1>Releases<\/h1><section class="freeze"/);
    assert.doesNotMatch(main, /<main/);
  });
});
