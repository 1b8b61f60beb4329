/**
 * The organisation's windows file (RAMP_WINDOWS_FILE): parsing with findings that name the field,
 * which windows select a stage, and the deployWindow activity over a real file with a freeze.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createWindowActivities } from '../../activities/windows.js';
import type { FreezeState } from '../../src/domain/freeze.js';
import { parseWindowsFile, windowsFor } from '../../src/governance/window-file.js';
import { Windows } from '../../src/schema/windows.js';

const FILE = `apiVersion: ramp/v1
kind: Windows
windows:
  timeZone: Europe/Berlin
  deny:
    - { name: friday-afternoon, cron: "0 15 * * 5", duration: 9h, stages: [production] }
    - { name: payments-freeze, start: "2026-12-20T00:00", duration: 15d, pipelines: [payments], reason: "year end" }
`;

describe('the organisation windows file', () => {
  test('windows select stages and pipelines; the stage’s own come first', () => {
    const org = parseWindowsFile(FILE, 'windows.yaml');
    const own = Windows.parse({ allow: [{ name: 'day', cron: '0 8 * * 1-5', duration: '10h' }] });
    assert.deepEqual(
      windowsFor('web', 'production', own, org).map((w) => `${w.scope} ${w.kind} ${w.name} ${w.timeZone}`),
      ['stage allow day UTC', 'organisation deny friday-afternoon Europe/Berlin'],
    );
    assert.deepEqual(
      windowsFor('payments', 'staging', null, org).map((w) => w.name),
      ['payments-freeze'],
    );
  });

  const bad: [string, string, RegExp][] = [
    ['not a windows file', 'apiVersion: ramp/v1\nkind: Pipeline\n', /w\.yaml: kind: .*Expected apiVersion: ramp\/v1, kind: Windows/],
    [
      'a cron that does not parse',
      FILE.replace('0 15 * * 5', '0 15 * * 9'),
      /w\.yaml: windows\.deny\[0\]\.cron: cron of window friday-afternoon does not parse: .*Write e\.g\. "0 9 \* \* 1-5"/,
    ],
    ['an unknown time zone', FILE.replace('Europe/Berlin', 'Europe/Berlinn'), /is not a time zone this worker knows/],
    ['an rrule without start', FILE.replace('cron: "0 15 * * 5"', 'rrule: "FREQ=WEEKLY;BYDAY=FR"'), /has an rrule but no start.*Add start: 2026-01-05T09:00/],
  ];
  for (const [what, text, message] of bad) test(`refused: ${what}`, () => assert.throws(() => parseWindowsFile(text, 'w.yaml'), message));

  test('the activity reads the file and the freeze at each call', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ramp-windows-'));
    const file = join(dir, 'windows.yaml');
    await writeFile(file, FILE);
    let freeze: FreezeState | null = null;
    const activities = createWindowActivities({ windowsFile: file, readFreeze: () => Promise.resolve(freeze) });
    const deployWindow = (request: Parameters<typeof activities.deployWindow>[0]) => activities.deployWindow(request);
    const friday = await deployWindow({ pipeline: 'web', stage: 'production', windows: null, at: '2026-06-05T14:00:00Z' });
    assert.equal(friday.open, false);
    assert.match(friday.reason, /organisation deny window friday-afternoon/);
    assert.equal(friday.nextOpenLocal, 'Sat 2026-06-06 00:00 Europe/Berlin');
    const staging = await deployWindow({ pipeline: 'web', stage: 'staging', windows: null, at: '2026-06-05T14:00:00Z' });
    assert.equal(staging.open, true, 'friday-afternoon selects production only');
    freeze = {
      declaredBy: { name: 'ann' } as FreezeState['declaredBy'],
      channel: 'web',
      declaredAt: '2026-06-05T13:00:00Z',
      reason: 'incident 7',
      until: null,
    };
    const frozen = await deployWindow({ pipeline: 'web', stage: 'staging', windows: null, at: '2026-06-05T14:00:00Z' });
    assert.equal(frozen.open, false);
    assert.equal(frozen.nextOpen, null);
    assert.match(frozen.reason, /frozen by ann: incident 7 \(until lifted\)/);
    await writeFile(file, 'kind: [');
    await assert.rejects(
      deployWindow({ pipeline: 'web', stage: 'staging', windows: null, at: '2026-06-05T14:00:00Z' }),
      /is not YAML[^]*Fix RAMP_WINDOWS_FILE/,
    );
  });
});
