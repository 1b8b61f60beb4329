// The worker's structured logs (src/observability/json-logger.ts, log-context.ts): which
// promotion, pipeline, stage and step a line concerns, the line's shape, and the redaction.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { LogTimestamp } from '@temporalio/worker';
import { jsonLogger, knownSecretValues, workerLogger } from '../../src/observability/json-logger.js';
import { logContext, workflowContext, type LogContext } from '../../src/observability/log-context.js';
import { redactorFor } from '../../src/providers/redact.js';
import { readWorkerConfig } from '../../worker/config.js';
import { promotionWorkflowId, stageWorkflowId } from '../../workflows/messages.js';
import { driftWorkflowId } from '../../src/domain/drift.js';
import { notificationWorkflowId } from '../../src/notify/events.js';
import { guardWorkflowId, pipelineOfPromotion } from '../../src/domain/guard.js';
import { freezeWorkflowId } from '../../src/domain/freeze-rules.js';

describe('workflowContext: what a workflow id says', () => {
  const cases: [string, string, LogContext][] = [
    ['a promotion', promotionWorkflowId('web', '1.4.2'), { promotion: 'web@1.4.2', pipeline: 'web' }],
    ['a pre-release version', promotionWorkflowId('web', '1.2.0-bad.1'), { promotion: 'web@1.2.0-bad.1', pipeline: 'web' }],
    [
      'a rollback promotion',
      promotionWorkflowId('web', '1.3.0', 'rollback', ['staging', 'production']),
      { promotion: 'web@1.3.0:rollback:staging,production', pipeline: 'web' },
    ],
    ['a stage', stageWorkflowId('web', 'production'), { pipeline: 'web', stage: 'production' }],
    ['a stage’s analysis', `${stageWorkflowId('web', 'staging')}/2/step-3`, { pipeline: 'web', stage: 'staging' }],
    ['a drift watch', driftWorkflowId('web', 'staging'), { pipeline: 'web', stage: 'staging' }],
    ['a promotion’s notifications', notificationWorkflowId('web@1.4.2'), { promotion: 'web@1.4.2', pipeline: 'web' }],
    ['a drift watch’s notifications', notificationWorkflowId(driftWorkflowId('web', 'staging')), { pipeline: 'web', stage: 'staging' }],
    ['the history guard', guardWorkflowId({ url: 'https://git.example.com/gitops.git', branch: 'main' }), {}],
    ['the freeze', freezeWorkflowId('ramp'), {}],
    ['something else', 'smoke-1234', {}],
  ];
  for (const [what, id, context] of cases) test(`${what}: ${id}`, () => assert.deepEqual(workflowContext(id), context));

  test('agrees with pipelineOfPromotion on every id that names a pipeline', () => {
    for (const [, id, context] of cases) if (context.pipeline) assert.equal(context.pipeline, pipelineOfPromotion(id.replace(/^notify:/, '')));
  });
});

describe('logContext: a line’s metadata', () => {
  const cases: [string, Record<string, unknown> | undefined, LogContext][] = [
    ['no metadata', undefined, {}],
    ['a workflow line of a promotion', { sdkComponent: 'workflow', workflowId: 'web@1.4.2', runId: 'r' }, { promotion: 'web@1.4.2', pipeline: 'web' }],
    ['an activity of a stage', { sdkComponent: 'activity', workflowId: 'web/staging', activityType: 'runMeasurement' }, { pipeline: 'web', stage: 'staging' }],
    [
      'a Git activity that passes promotion, stage and step',
      { workflowId: 'web/staging', promotion: 'web@1.4.2', stage: 'staging', step: '1/0/canary/10' },
      { promotion: 'web@1.4.2', pipeline: 'web', stage: 'staging', step: '1/0/canary/10' },
    ],
    ['a numeric step', { workflowId: 'web/staging', step: 3 }, { pipeline: 'web', stage: 'staging', step: '3' }],
    ['a notification with its promotionId', { workflowId: 'notify:web@1.4.2', promotionId: 'web@1.4.2' }, { promotion: 'web@1.4.2', pipeline: 'web' }],
    ['a drift notification (its promotionId is the watch’s id)', { promotionId: 'web/staging:drift' }, { pipeline: 'web', stage: 'staging' }],
    ['the stage given wins over the id’s', { workflowId: 'web/staging', stage: 'production' }, { pipeline: 'web', stage: 'production' }],
    ['a promotion id of no known shape is kept as given', { promotion: 'x' }, { promotion: 'x' }],
    ['empty and non-text values are ignored', { promotion: '', stage: { name: 'a' }, step: Number.NaN }, {}],
    ['a worker line', { address: '127.0.0.1:7233', taskQueue: 'ramp' }, {}],
  ];
  for (const [what, meta, context] of cases) test(what, () => assert.deepEqual(logContext(meta), context));
});

function capture(level: 'INFO' | 'DEBUG' = 'INFO', secrets: string[] = []) {
  const lines: string[] = [];
  const logger = jsonLogger(level, { write: (l) => lines.push(l), redact: redactorFor(secrets) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('jsonLogger', () => {
  test('writes one JSON object a line: at, level, msg, the context, then the metadata (without the activity task token)', () => {
    const { logger, lines, parsed } = capture();
    logger.info('git: committed and pushed', {
      workflowId: 'web/staging',
      promotion: 'web@1.4.2',
      step: '1/promote',
      sha: 'abc',
      files: ['a.yaml'],
      taskToken: 'CiQwMWEyMmVhZC00OGI3',
    });
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('}\n') && !lines[0]!.slice(0, -1).includes('\n'));
    const [line] = parsed();
    assert.deepEqual(Object.keys(line!).slice(0, 7), ['at', 'level', 'msg', 'promotion', 'pipeline', 'stage', 'step']);
    assert.deepEqual(line, {
      at: line!.at,
      level: 'INFO',
      msg: 'git: committed and pushed',
      promotion: 'web@1.4.2',
      pipeline: 'web',
      stage: 'staging',
      step: '1/promote',
      workflowId: 'web/staging',
      sha: 'abc',
      files: ['a.yaml'],
    });
    assert.ok(Math.abs(Date.parse(String(line.at)) - Date.now()) < 60_000, `at ${String(line.at)} is an ISO time of now`);
  });

  test('uses the SDK’s timestamp when the entry has one', () => {
    const { logger, parsed } = capture();
    logger.info('from core', { [LogTimestamp]: 1_700_000_000_123_456_789n });
    assert.equal(parsed()[0]!.at, '2023-11-14T22:13:20.123Z');
  });

  test('filters by level', () => {
    const { logger, parsed } = capture('INFO');
    logger.debug('hidden');
    logger.trace('hidden');
    logger.warn('shown');
    logger.log('ERROR', 'also shown');
    assert.deepEqual(
      parsed().map((l) => [l.level, l.msg]),
      [
        ['WARN', 'shown'],
        ['ERROR', 'also shown'],
      ],
    );
  });

  test('keeps metadata that clashes with the line’s own keys under meta, and serialises errors, bigints and cycles', () => {
    const { logger, parsed } = capture();
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    logger.error('failed', { msg: 'inner', level: 7, error: new Error('boom'), big: 12n, cyclic });
    const [line] = parsed();
    assert.equal(line!.msg, 'failed');
    assert.equal(line!.level, 'ERROR');
    assert.deepEqual(line!.meta, { msg: 'inner', level: 7 });
    assert.equal((line!.error as { message: string }).message, 'boom');
    assert.match(String((line!.error as { stack: string }).stack), /Error: boom/);
    assert.equal(line!.big, '12');
    assert.deepEqual(line!.cyclic, { name: 'c', self: '[repeated]' });
  });

  test('masks every secret and URL userinfo, in the message and the metadata alike', () => {
    const token = 'not-a-real-credential-0123456789';
    const { logger, lines } = capture('INFO', [token]);
    logger.warn(`push to https://x-access-token:${token}@git.example.com/gitops.git failed`, {
      header: `Bearer ${token}`,
      encoded: Buffer.from(token).toString('base64'),
      remote: 'https://alice:hunter2hunter2@git.example.com/r.git',
    });
    assert.ok(!lines[0]!.includes(token), lines[0]);
    assert.ok(!lines[0]!.includes('hunter2'), lines[0]);
    assert.ok(!lines[0]!.includes(Buffer.from(token).toString('base64').replace(/=+$/, '')), lines[0]);
    assert.match(lines[0]!, /https:\/\/git\.example\.com\/gitops\.git failed/);
    JSON.parse(lines[0]!);
  });
});

describe('workerLogger (RAMP_LOG_FORMAT)', () => {
  test('json is the default; text and any case are accepted; anything else is refused', () => {
    assert.equal(readWorkerConfig({}).logFormat, 'json');
    assert.equal(readWorkerConfig({ RAMP_LOG_FORMAT: 'TEXT' }).logFormat, 'text');
    assert.throws(() => readWorkerConfig({ RAMP_LOG_FORMAT: 'pino' }), /RAMP_LOG_FORMAT="pino": expected json or text/);
  });

  test('the secrets it masks: RAMP_SECRET_* values and the files of RAMP_SECRETS_DIR', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-log-secrets-'));
    try {
      await writeFile(path.join(dir, 'gitops-deploy-token'), 'file-secret-value\n');
      await writeFile(path.join(dir, '.hidden'), 'not-read');
      const values = knownSecretValues({ env: { RAMP_SECRET_GIT: ' env-secret-value ', PATH: '/bin' }, secretsDir: dir });
      assert.deepEqual(values.sort(), ['env-secret-value', 'file-secret-value']);
      assert.deepEqual(knownSecretValues({ env: {}, secretsDir: path.join(dir, 'missing') }), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('text is the SDK’s DefaultLogger', () => {
    const logger = workerLogger({ logFormat: 'text', logLevel: 'INFO', secrets: { env: {} } });
    assert.equal(logger.constructor.name, 'DefaultLogger');
  });
});
