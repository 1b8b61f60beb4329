// The production worker registers ramp's workflows and activities only: the harness's smoke
// workflow and activity (test/support/smoke/) reach test workers alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createActivities, type ActivityDeps } from '../../activities/index.js';
import * as workflows from '../../workflows/index.js';

test('the production workflow bundle entry exports no test workflow', () => {
  const names = Object.keys(workflows);
  assert.ok(names.includes('promotionWorkflow') && names.includes('stageWorkflow'), `exports: ${names.join(', ')}`);
  assert.deepEqual(
    names.filter((n) => /smoke/i.test(n)),
    [],
  );
});

test('the production activities include no test activity', () => {
  const names = Object.keys(createActivities({ webhooks: [] } as unknown as ActivityDeps));
  assert.ok(names.length > 10, `activities: ${names.join(', ')}`);
  assert.deepEqual(
    names.filter((n) => /smoke/i.test(n)),
    [],
  );
});
