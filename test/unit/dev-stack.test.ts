/**
 * The dev stack as the CLI meets it: the state file `ramp dev` writes, which pipeline a command
 * next to it loads (and the line that says so), and which versions the demo app serves.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CommandIo } from '../../cli/command.js';
import { cliSettings } from '../../cli/connection.js';
import { devStackInUse, repositoryHost } from '../../cli/dev-stack.js';
import { loadPipeline } from '../../cli/pipelines.js';
import { imageTags, isBadRelease, releaseBehaviour } from '../../dev/gitops-traffic.js';
import { parseStackState, writeStackFile, type DevStackState } from '../../dev/stack-file.js';
import { UserError } from '../../src/errors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the demo app serves what Git says', () => {
  test('imageTags: every tag of the image, once, in order', () => {
    const cases: [string, string, string[]][] = [
      ['image: web:1.0.0', 'web', ['1.0.0']],
      ['  image: web:1.4.2 # live\n  image: "web:1.5.0-bad"\n  image: web:1.4.2', 'web', ['1.4.2', '1.5.0-bad']],
      ["image: 'registry.example.com/shop/web:2026.11.21-abc'", 'registry.example.com/shop/web', ['2026.11.21-abc']],
      ['image: webapp:1.0.0\nimage: other/web:9', 'web', []],
      ['image: registry.example.com/shop/webXcom:1', 'registry.example.com/shop/web', []],
      ['', 'web', []],
    ];
    for (const [text, image, tags] of cases) assert.deepEqual(imageTags(text, image), tags, text);
  });

  test('1.2.0 and tags ending in -bad fail with 30 % errors; every other version is healthy', () => {
    const cases: [string, boolean][] = [
      ['1.2.0', true],
      ['1.3.0-bad', true],
      ['1.2.0-rc1', false],
      ['1.4.2', false],
      ['bad-1.0', false],
      ['1.1.0', false],
    ];
    for (const [version, bad] of cases) {
      assert.equal(isBadRelease(version), bad, version);
      assert.equal(releaseBehaviour(version).errorRate, bad ? 0.3 : 0.001, version);
    }
  });
});

describe('the state file and the repository host', () => {
  test('parseStackState accepts the shape ramp dev writes and nothing cut short', () => {
    const state = stackState('/x', 1);
    assert.deepEqual(parseStackState(JSON.stringify(state)), state);
    const text = JSON.stringify(state);
    assert.equal(parseStackState(text.slice(0, text.length - 5)), null);
    assert.equal(parseStackState('null'), null);
    assert.equal(parseStackState(JSON.stringify({ ...state, temporal: null })), null);
    assert.equal(parseStackState(JSON.stringify({ ...state, pid: '12' })), null);
  });

  test('repositoryHost names the host a worker would contact, none for local repositories', () => {
    const cases: [string, string | null][] = [
      ['https://git.example.com/platform/gitops.git', 'git.example.com'],
      ['http://127.0.0.1:3000/x.git', '127.0.0.1'],
      ['ssh://git@github.com:22/acme/gitops.git', 'github.com'],
      ['git@github.com:acme/gitops.git', 'github.com'],
      ['https://[::1]:8443/x.git', '::1'],
      ['file:///tmp/gitops.git', null],
      ['/srv/gitops.git', null],
      ['../gitops.git', null],
      ['C:/gitops.git', null],
    ];
    for (const [url, host] of cases) assert.equal(repositoryHost(url), host, url);
  });
});

describe('pipelines next to a running dev stack', () => {
  let dir: string;
  let devDir: string;
  const errors: string[] = [];
  const io = (env: Record<string, string>): CommandIo => ({ stdout: () => {}, stderr: (t) => void errors.push(t), isTty: false, cwd: ROOT, env });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-dev-stack-'));
    devDir = path.join(dir, 'dev');
    await mkdir(path.join(devDir, 'pipelines'), { recursive: true });
    await cp(path.join(ROOT, 'examples/demo.yaml'), path.join(devDir, 'pipelines/web.yaml'));
    await writeStackFile(devDir, stackState(devDir, process.pid)); // this process: alive
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("a name is the stack's pipeline, and the CLI says it talks to the dev stack", async () => {
    errors.length = 0;
    const spec = await loadPipeline('web', io({ RAMP_DEV_DIR: devDir }));
    assert.equal(spec.repository.url, 'file:///set-by-ramp-dev/gitops.git');
    assert.match(
      errors.join(''),
      /^ramp: talking to the dev stack \(ramp dev, pid \d+, Temporal at 127\.0\.0\.1:7299, \S+\/dev\/stack\.json\)\nramp: pipeline web is \S+\/dev\/pipelines\/web\.yaml \(examples\/demo\.yaml on its local GitOps repository\)/,
    );
  });

  test("a command given no Temporal address uses the dev stack's, and says so once", () => {
    errors.length = 0;
    const command = io({ RAMP_DEV_DIR: devDir });
    assert.equal(cliSettings(command, {}).address, '127.0.0.1:7299');
    assert.equal(cliSettings(command, {}).address, '127.0.0.1:7299');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^ramp: talking to the dev stack \(ramp dev, pid \d+, Temporal at 127\.0\.0\.1:7299, /);
    errors.length = 0;
    assert.equal(cliSettings(io({ RAMP_DEV_DIR: devDir }), { address: '127.0.0.1:7300' }).address, '127.0.0.1:7300');
    assert.equal(cliSettings(io({ RAMP_DEV_DIR: devDir, TEMPORAL_ADDRESS: '127.0.0.1:7301' }), {}).address, '127.0.0.1:7301');
    assert.deepEqual(errors, []);
  });

  test("--address elsewhere: pipelines are not the dev stack's either", async () => {
    errors.length = 0;
    const command = io({ RAMP_DEV_DIR: devDir });
    cliSettings(command, { address: '127.0.0.1:7300' });
    assert.equal((await loadPipeline('web', command)).repository.url, 'https://git.example.com/platform/gitops.git');
    const atStack = io({ RAMP_DEV_DIR: devDir });
    cliSettings(atStack, { address: '127.0.0.1:7299' });
    assert.equal((await loadPipeline('web', atStack)).repository.url, 'file:///set-by-ramp-dev/gitops.git');
  });

  test('RAMP_PIPELINES_DIR says where pipelines are, still on the dev stack', async () => {
    const own = path.join(dir, 'own');
    await mkdir(own);
    await writeFile(
      path.join(own, 'web.yaml'),
      (await readFile(path.join(ROOT, 'examples/demo.yaml'), 'utf8')).replace('file:///set-by-ramp-dev/gitops.git', 'file:///tmp/gitops.git'),
    );
    errors.length = 0;
    const spec = await loadPipeline('web', io({ RAMP_DEV_DIR: devDir, RAMP_PIPELINES_DIR: own }));
    assert.equal(spec.repository.url, 'file:///tmp/gitops.git');
    assert.match(errors.join(''), /^ramp: talking to the dev stack .*\nramp: \S+own\/web\.yaml uses its GitOps repository/);
  });

  test('TEMPORAL_ADDRESS elsewhere is not the dev stack', async () => {
    errors.length = 0;
    const elsewhere = await loadPipeline('web', io({ RAMP_DEV_DIR: devDir, TEMPORAL_ADDRESS: '127.0.0.1:7233' }));
    assert.equal(elsewhere.repository.url, 'https://git.example.com/platform/gitops.git');
    assert.deepEqual(errors, []);
    assert.equal(devStackInUse(io({ RAMP_DEV_DIR: devDir, TEMPORAL_ADDRESS: '127.0.0.1:7299' }))?.pid, process.pid);
  });

  test("a pipeline whose repository is not the stack's: refused when its host does not resolve here, else a note", async () => {
    errors.length = 0;
    await writeFile(
      path.join(dir, 'elsewhere.yaml'),
      (await readFile(path.join(ROOT, 'examples/demo.yaml'), 'utf8')).replace('file:///set-by-ramp-dev/gitops.git', 'https://gitops.ramp-test.invalid/x.git'),
    );
    const resolves = await lookup('gitops.ramp-test.invalid').then(
      () => 'yes',
      (e: NodeJS.ErrnoException) => e.code,
    );
    const loading = loadPipeline(path.join(dir, 'elsewhere.yaml'), io({ RAMP_DEV_DIR: devDir }));
    if (resolves === 'ENOTFOUND') {
      await assert.rejects(
        loading,
        (e: unknown) =>
          e instanceof UserError &&
          /gitops\.ramp-test\.invalid does not resolve on this machine, where the dev stack's worker runs .* Nothing was started/.test(e.message),
      );
    } else {
      await loading; // no DNS answer here (offline): the note still says what will fail
      assert.match(
        errors.join(''),
        /points at https:\/\/gitops\.ramp-test\.invalid\/x\.git, not at the dev stack's GitOps repository file:\/\/\/tmp\/gitops\.git/,
      );
    }
  });

  test('a state file whose process is gone is ignored', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = path.join(dir, 'stale');
    await mkdir(stale);
    await writeStackFile(stale, stackState(stale, gone));
    assert.equal(devStackInUse(io({ RAMP_DEV_DIR: stale })), null);
    errors.length = 0;
    const spec = await loadPipeline('web', io({ RAMP_DEV_DIR: stale }));
    assert.equal(spec.repository.url, 'https://git.example.com/platform/gitops.git');
    assert.deepEqual(errors, []);
  });
});

function stackState(dir: string, pid: number): DevStackState {
  return {
    pid,
    startedAt: '2026-11-30T12:00:00.000Z',
    temporal: { address: '127.0.0.1:7299', namespace: 'default', uiUrl: null },
    taskQueue: 'ramp',
    pipelinesDir: path.join(dir, 'pipelines'),
    pipelines: ['web'],
    pipelineSource: 'examples/demo.yaml',
    repository: { url: 'file:///tmp/gitops.git', dir: '/tmp/gitops.git' },
    prometheusUrl: 'http://127.0.0.1:9090',
  };
}
