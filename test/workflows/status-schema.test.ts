/**
 * What `ramp status --json` prints validates against the published schema
 * (docs/schemas/status.schema.json), mid-flight and at the end, for a promotion that fills most
 * of the status: an approval with a refusal, an overridden Inconclusive analysis, a skip.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Ajv } from 'ajv';
import { STATUS_SCHEMA_FILE } from '../../scripts/generate-status-schema.js';
import { approveUpdate, promotionStatusQuery, resumeUpdate, skipUpdate, stageStatusQuery } from '../../workflows/messages.js';
import { getTestEnv } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { ERRORS_TEMPLATE, webPipeline } from '../support/pipelines.js';
import { runPromotion } from '../support/run-promotion.js';
import { refusalOf, waitFor } from '../support/wait.js';

describe('ramp status --json and its schema', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  test('live and final statuses validate against docs/schemas/status.schema.json', async () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(await readFile(STATUS_SCHEMA_FILE, 'utf8')) as object);
    const check = (what: string, document: unknown) => assert.ok(validate(document), `${what}: ${JSON.stringify(validate.errors?.slice(0, 5))}`);
    const fake = fakeRamp({ 'release-managers': ['carol'] });
    fake.measure = () => ({ phase: 'Inconclusive', value: 0.03 });
    const spec = webPipeline({
      analysisTemplates: ERRORS_TEMPLATE,
      productionSteps: ['setWeight: 20', 'analysis: { templates: [{ templateName: errors }] }', 'pause: {}', 'setWeight: 60'],
    });
    const pipeline = { ...spec, stages: spec.stages.slice(2) };
    let checked = 0;
    const result = await runPromotion(env, fake.activities, pipeline, '1.1.0', async ({ stage, promotionId }) => {
      const production = stage('production');
      const promotion = env.client.workflow.getHandle(promotionId);
      const snapshot = async () => ({ promotion: await promotion.query(promotionStatusQuery), activeStage: await production.query(stageStatusQuery) });
      await waitFor(
        () => production.query(stageStatusQuery),
        (s) => s.phase === 'AwaitingApproval',
        'the approval gate',
      );
      await refusalOf(production.executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'mallory' }] }));
      check('at the gate', await snapshot());
      await production.executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'alice', comment: 'go' }] });
      await waitFor(
        () => production.query(stageStatusQuery),
        (s) => s.pauseReason === 'InconclusiveAnalysis',
        'the inconclusive pause',
      );
      check('paused on an inconclusive analysis', await snapshot());
      await production.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'carol' }] });
      await waitFor(
        () => production.query(stageStatusQuery),
        (s) => s.pauseReason === 'CanaryPauseStep',
        'the pause step',
      );
      await production.executeUpdate(skipUpdate, { args: [{ promotionId, actor: 'alice' }] });
      checked = 2;
    });
    assert.equal(checked, 2, 'both live statuses were checked');
    assert.equal(result.phase, 'Succeeded');
    check('at the end', { promotion: result, activeStage: null });
    assert.ok(result.stages[0]!.result!.overrides!.length === 2, 'the final status holds the overrides the schema describes');
  });
});
