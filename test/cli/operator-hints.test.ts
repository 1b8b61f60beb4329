/**
 * What `ramp status` and `--wait` say when a person must decide, against the real dev server
 * (real workflows, fake activities): an inconclusive analysis says why and how to continue or
 * roll back; a failed stage says how to retry or give up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { fakeRamp, type FakeRamp } from '../support/fake-activities.js';
import { pipelineYaml } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';
import { startCliStack, type CliStack } from './helpers.js';

const TEMPLATES = `    - name: error-rate
      metrics:
        - name: error-ratio
          count: 1
          successCondition: size(result) > 0 && result[0] < 0.05
          failureCondition: size(result) > 0 && result[0] > 0.1
          provider:
            prometheus:
              address: http://prometheus.invalid:9090
              query: sum(rate(errors{version="{{ramp.version}}"}[1m]))
`;

/** One canary stage: 20 %, an analysis of `error-ratio`, 60 %. */
const analysedPipeline = (name: string): string =>
  pipelineYaml({
    name,
    analysisTemplates: TEMPLATES,
    stages: { production: { steps: ['setWeight: 20', 'analysis: { templates: [{ templateName: error-rate }] }', 'setWeight: 60'] } },
  });

describe('operator hints (dev server, fake activities)', () => {
  let stack: CliStack;
  let fake: FakeRamp;

  before(async () => {
    fake = fakeRamp();
    // No series for the canary's version: every measurement is an empty vector, inconclusive.
    fake.measure = () => ({ phase: 'Inconclusive', value: [] });
    stack = await startCliStack(fake.activities);
  });
  after(() => stack?.stop());

  const run = (args: string[]) => stack.run(args);
  const newPipeline = (prefix: string): Promise<string> => stack.pipeline(prefix, analysedPipeline);
  const snapshot = async (id: string) => {
    const r = await run(['status', id, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { promotion: PromotionStatus; activeStage: StageStatus | null };
  };

  test('an inconclusive analysis: why (an empty result), and the commands to continue or roll back', async () => {
    const name = await newPipeline('empty');
    const id = `${name}@1.5.0`;
    assert.equal((await run(['promote', name, '1.5.0'])).code, 0);
    await waitFor(
      () => snapshot(id),
      (s) => s.activeStage?.pauseReason === 'InconclusiveAnalysis',
      'the inconclusive pause',
      60_000,
    );

    const human = await run(['status', id]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Waiting: {6}stage production is paused: analysis inconclusive \(error-ratio: empty result: the query returned no series\)$/m);
    assert.match(human.stdout, new RegExp(`^To continue: {2}ramp resume ${id} --stage production --as USER$`, 'm'));
    assert.match(human.stdout, new RegExp(`^To roll back: ramp abort ${id} --reason "\\.\\.\\."$`, 'm'));
    assert.match(human.stdout, /^ {6}Analysis: {5}‖ step 2: analysis error-rate {2}Inconclusive$/m);
    assert.match(
      human.stdout,
      /^ {22}‖ error-ratio {2}empty result: the query returned no series \(inconclusive\); inconclusive \(1\) > inconclusiveLimit \(0\)$/m,
    );

    // The hint's command, as printed (USER filled in), answers it.
    const resumed = await run(['resume', id, '--stage', 'production', '--as', 'rm']);
    assert.equal(resumed.code, 0, resumed.stderr);
    await waitFor(
      () => snapshot(id),
      (s) => s.promotion.phase === 'Succeeded',
      'the promotion to succeed',
      60_000,
    );
  });

  test('a failed stage: --wait and status say how to retry or give up', async () => {
    const name = await newPipeline('broken');
    const id = `${name}@1.6.0`;
    fake.failCommits(new RegExp(`canary 1\\.6\\.0 at 20%`));
    const waited = await run(['promote', name, '1.6.0', '--wait']);
    assert.equal(waited.code, 1, waited.stderr);
    const lines = waited.stdout.trimEnd().split('\n');
    assert.match(lines.at(-2)!, new RegExp(`^promotion ${id} Failed: `));
    assert.match(
      lines.at(-1)!,
      new RegExp(
        `^waiting: stage production failed \\(attempt 1\\): .*; the promotion waits for a retry\\. To retry: ramp retry ${id} --as USER; To give up: ramp abort ${id} --reason "\\.\\.\\."$`,
      ),
    );

    const human = await run(['status', id]);
    assert.match(human.stdout, new RegExp(`^To retry: {5}ramp retry ${id} --as USER$`, 'm'));
    assert.match(human.stdout, new RegExp(`^To give up: {3}ramp abort ${id} --reason "\\.\\.\\."$`, 'm'));

    const gaveUp = await run(['abort', id, '--reason', 'not today']);
    assert.equal(gaveUp.code, 0, gaveUp.stderr);
    const ended = await waitFor(
      () => snapshot(id),
      (s) => s.promotion.phase === 'Aborted',
      'the promotion to end',
      60_000,
    );
    assert.equal(ended.promotion.phase, 'Aborted');
    assert.doesNotMatch((await run(['status', id])).stdout, /^(Waiting|To \w+):/m);
  });
});
