/**
 * Links into the Temporal UI (RAMP_TEMPORAL_UI_URL): the URL shapes, the release page's links
 * (only when the setting is there, only for stages that ran), and where the CLI finds the UI —
 * the variable, else the running dev stack's state file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chooseBackend } from '../../cli/backend.js';
import type { CommandIo } from '../../cli/command.js';
import { cliTemporalUi } from '../../cli/temporal-ui.js';
import { writeStackFile, type DevStackState } from '../../dev/stack-file.js';
import { renderReleaseMain, type ReleaseView } from '../../server/ui/release-page.js';
import { UsageError } from '../../src/errors.js';
import type { Actor } from '../../src/identity/actor.js';
import { parseSettings } from '../../src/settings/parse.js';
import { stageRunsQuery, temporalUiQueryUrl, temporalUiWorkflowUrl } from '../../src/settings/temporal-ui.js';
import { cliVariables, serverVariables } from '../../src/settings/variables.js';
import { at, production, promotion } from '../cli/status-fixtures.js';

describe('temporalUiWorkflowUrl', () => {
  test('base without its trailing slashes; namespace, workflow id and run id each encoded as one path segment', () => {
    const cases: [string, string, string, string | undefined, string][] = [
      ['http://127.0.0.1:8233', 'default', 'web@1.4.2', undefined, 'http://127.0.0.1:8233/namespaces/default/workflows/web%401.4.2'],
      ['http://127.0.0.1:8233/', 'default', 'web@1.4.2', undefined, 'http://127.0.0.1:8233/namespaces/default/workflows/web%401.4.2'],
      ['https://temporal.example.com///', 'default', 'web/staging', undefined, 'https://temporal.example.com/namespaces/default/workflows/web%2Fstaging'],
      [
        'https://cloud.temporal.io',
        'my-ns.a1b2c',
        'web@1.3.0:rollback:production,dr',
        undefined,
        'https://cloud.temporal.io/namespaces/my-ns.a1b2c/workflows/web%401.3.0%3Arollback%3Aproduction%2Cdr',
      ],
      [
        'https://ops.example.com/temporal/',
        'team a',
        'a b/c?d#e',
        undefined,
        'https://ops.example.com/temporal/namespaces/team%20a/workflows/a%20b%2Fc%3Fd%23e',
      ],
      [
        'http://localhost:8233',
        'default',
        'web@1.4.2',
        '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
        'http://localhost:8233/namespaces/default/workflows/web%401.4.2/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      ],
      ['http://localhost:8233', 'default', 'web@1.4.2', '', 'http://localhost:8233/namespaces/default/workflows/web%401.4.2'],
    ];
    for (const [base, namespace, id, runId, url] of cases) {
      assert.equal(temporalUiWorkflowUrl(base, namespace, id, runId), url, `${base} ${namespace} ${id} ${runId}`);
      // What the UI's router sees: the same segments back.
      const segments = new URL(url).pathname.split('/').slice(-(runId ? 4 : 3));
      assert.deepEqual(segments.map(decodeURIComponent), ['namespaces', namespace, 'workflows', id, ...(runId ? [runId] : [])].slice(-segments.length));
    }
  });

  test("a stage's runs for one promotion: a visibility query on its workflow id and RampPromotion, quotes escaped", () => {
    assert.equal(stageRunsQuery('web/staging', 'web@1.4.2'), 'WorkflowId = "web/staging" AND RampPromotion = "web@1.4.2"');
    assert.equal(stageRunsQuery('a"b', 'c\\d'), 'WorkflowId = "a\\"b" AND RampPromotion = "c\\\\d"');
    const url = temporalUiQueryUrl('http://127.0.0.1:8233/', 'default', stageRunsQuery('web/staging', 'web@1.4.2'));
    assert.equal(
      url,
      'http://127.0.0.1:8233/namespaces/default/workflows?query=WorkflowId%20%3D%20%22web%2Fstaging%22%20AND%20RampPromotion%20%3D%20%22web%401.4.2%22',
    );
    assert.equal(new URL(url).searchParams.get('query'), 'WorkflowId = "web/staging" AND RampPromotion = "web@1.4.2"');
  });
});

describe('RAMP_TEMPORAL_UI_URL', () => {
  test('read by the CLI and ramp server: an http(s) URL, optional', () => {
    for (const shape of [cliVariables, serverVariables]) {
      assert.equal(parseSettings(shape, {}).RAMP_TEMPORAL_UI_URL, undefined);
      assert.equal(parseSettings(shape, { RAMP_TEMPORAL_UI_URL: ' https://temporal.example.com ' }).RAMP_TEMPORAL_UI_URL, 'https://temporal.example.com');
      assert.throws(
        () => parseSettings(shape, { RAMP_TEMPORAL_UI_URL: 'temporal.example.com' }),
        (e: unknown) => e instanceof UsageError && /RAMP_TEMPORAL_UI_URL/.test(e.message),
      );
    }
  });
});

const sam: Actor = { subject: 'sub-sam', name: 'sam', email: 'sam@example.com', groups: [], issuer: 'https://issuer.test', method: 'oidc' };
const squash = (page: string) => page.replace(/\s+/g, ' ').replace(/> ?</g, '><');

function view(temporalUi: ReleaseView['temporalUi']): ReleaseView {
  return { snapshot: { promotion: promotion(), activeStage: production() }, viewer: sam, pinned: null, actions: [], hint: null, temporalUi };
}

describe('the release page links into the Temporal UI', () => {
  test('the promotion workflow, and the runs of each stage that ran, for this promotion', () => {
    const main = squash(renderReleaseMain(view({ url: 'http://127.0.0.1:8233/', namespace: 'default' })));
    assert.match(
      main,
      /<dt>Promotion<\/dt><dd><code>web@1\.4\.2<\/code> ?<a class="temporal" href="http:\/\/127\.0\.0\.1:8233\/namespaces\/default\/workflows\/web%401\.4\.2" aria-label="the promotion workflow in the Temporal UI">in Temporal<\/a><\/dd>/,
    );
    for (const stage of ['preview', 'production']) {
      const query = encodeURIComponent(`WorkflowId = "web/${stage}" AND RampPromotion = "web@1.4.2"`);
      assert.ok(
        main.includes(
          `<a class="temporal" href="http://127.0.0.1:8233/namespaces/default/workflows?query=${query}" aria-label="the ${stage} stage workflow in the Temporal UI">in Temporal</a>`,
        ),
        `${stage}'s link in ${main}`,
      );
    }
    assert.equal(main.match(/class="temporal"/g)?.length, 3, 'the promotion, preview and production; dr never started');
    assert.doesNotMatch(main.slice(main.indexOf('data-stage="dr"')), /class="temporal"/);
  });

  test('no setting, no link', () => {
    for (const ui of [null, undefined]) assert.doesNotMatch(renderReleaseMain(view(ui)), /Temporal|8233/);
  });

  test('the namespace and ids are escaped as path segments and as HTML', () => {
    const v = view({ url: 'https://t.example.com', namespace: 'team "a"' });
    const main = renderReleaseMain({ ...v, snapshot: { ...v.snapshot, promotion: promotion({ promotionId: 'web@1.4.2<x>' }) } });
    assert.ok(main.includes('href="https://t.example.com/namespaces/team%20%22a%22/workflows/web%401.4.2%3Cx%3E"'), main);
    assert.doesNotMatch(main, /<x>/);
  });
});

describe('where the CLI finds the Temporal UI', () => {
  let dir: string;
  const stack = (uiUrl: string | null): DevStackState => ({
    pid: process.pid,
    startedAt: at(0),
    temporal: { address: '127.0.0.1:17233', namespace: 'default', uiUrl },
    taskQueue: 'ramp',
    pipelinesDir: dir,
    pipelines: ['web'],
    pipelineSource: 'examples/demo.yaml',
    repository: { url: 'file:///tmp/gitops.git', dir },
    prometheusUrl: 'http://127.0.0.1:9090',
  });
  const io = (env: Record<string, string>): CommandIo => ({
    stdout: () => {},
    stderr: () => {},
    isTty: false,
    cwd: dir,
    env: { RAMP_DEV_DIR: dir, HOME: dir, ...env },
  });
  const ui = (env: Record<string, string>) => {
    const given = io(env);
    return cliTemporalUi(given, chooseBackend(given, {}));
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-temporal-ui-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('RAMP_TEMPORAL_UI_URL first, in the namespace the command uses; else none without a dev stack', () => {
    assert.equal(ui({}), null);
    assert.deepEqual(ui({ RAMP_TEMPORAL_UI_URL: 'https://t.example.com/', TEMPORAL_NAMESPACE: 'prod' }), { url: 'https://t.example.com/', namespace: 'prod' });
    // Through a ramp server: the namespace is TEMPORAL_NAMESPACE's, else default; no dev stack.
    assert.deepEqual(ui({ RAMP_TEMPORAL_UI_URL: 'https://t.example.com', RAMP_SERVER: 'http://127.0.0.1:8480' }), {
      url: 'https://t.example.com',
      namespace: 'default',
    });
  });

  test("the running dev stack's UI when the command talks to it, and only then", async () => {
    await writeStackFile(dir, stack('http://127.0.0.1:18233'));
    assert.deepEqual(ui({}), { url: 'http://127.0.0.1:18233', namespace: 'default' });
    assert.deepEqual(ui({ RAMP_TEMPORAL_UI_URL: 'https://t.example.com' }), { url: 'https://t.example.com', namespace: 'default' });
    assert.equal(ui({ TEMPORAL_ADDRESS: 'temporal.example.com:7233' }), null, 'another Temporal: not the stack');
    assert.equal(ui({ RAMP_SERVER: 'http://127.0.0.1:8480' }), null, 'through a server: not the stack');
    await writeStackFile(dir, stack(null));
    assert.equal(ui({}), null, 'a headless dev server');
  });
});
