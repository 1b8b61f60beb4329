/** `ramp validate`: output format, exit codes, --json, and the real `ramp` binary. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { main } from '../../cli/main.js';
import type { CommandIo } from '../../cli/command.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

async function ramp(args: string[], cwd = repoRoot) {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, cwd };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('ramp validate', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ramp-validate-'));
    await writeFile(join(dir, 'bad.yaml'), 'apiVersion: ramp/v1\nkind: Pipeline\nmetadata:\n  name: Bad_Name\nspec: {}\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('validates ./pipelines by default and exits 0', async () => {
    const { code, stdout } = await ramp(['validate']);
    assert.equal(code, 0);
    assert.match(stdout, /^pipelines\/web\.yaml: valid$/m);
    assert.match(stdout, /^4 files valid$/m, 'the pipeline and the policy examples of pipelines/policies/');
  });

  test('reports every error as file:line:col  path  message and exits 1', async () => {
    const { code, stdout } = await ramp(['validate', 'bad.yaml'], dir);
    assert.equal(code, 1);
    assert.deepEqual(stdout.trim().split('\n'), [
      'bad.yaml:4:9  metadata.name  error: "Bad_Name" is not a valid name. Use lower-case letters, digits and \'-\', starting and ending with a letter or digit (e.g. web-canary)',
      'bad.yaml:5:1  spec.repository  error: missing required field "repository". The GitOps repository that holds every stage\'s manifests.',
      'bad.yaml:5:1  spec.artifact  error: missing required field "artifact". What is promoted: an image whose tags are the versions.',
      'bad.yaml:5:1  spec.stages  error: missing required field "stages". Environments, in promotion order.',
      '1 of 1 pipeline invalid: 4 errors, 0 warnings',
    ]);
  });

  test('--json gives scripts the same findings', async () => {
    const { code, stdout } = await ramp(['validate', '--json', 'bad.yaml', join(repoRoot, 'pipelines')], dir);
    assert.equal(code, 1);
    const results = JSON.parse(stdout) as { file: string; valid: boolean; errors: { line: number; column: number; path: string; code: string }[] }[];
    // bad.yaml, then pipelines/: the policy file and cases files of pipelines/policies/, and web.yaml.
    assert.deepEqual(
      results.map((r) => r.file.replace(/^.*pipelines\//, 'pipelines/')),
      ['bad.yaml', 'pipelines/policies/org.cases.yaml', 'pipelines/policies/org.yaml', 'pipelines/policies/web.cases.yaml', 'pipelines/web.yaml'],
    );
    assert.equal(results[0]!.valid, false);
    assert.deepEqual(
      results[0]!.errors.map(({ line, column, path, code }) => ({ line, column, path, code })),
      [
        { line: 4, column: 9, path: 'metadata.name', code: 'invalid-format' },
        { line: 5, column: 1, path: 'spec.repository', code: 'missing-field' },
        { line: 5, column: 1, path: 'spec.artifact', code: 'missing-field' },
        { line: 5, column: 1, path: 'spec.stages', code: 'missing-field' },
      ],
    );
    assert.ok(results.slice(1).every((r) => r.valid));
  });

  test('--strict fails on warnings', async () => {
    const file = join(repoRoot, 'test/fixtures/pipelines/valid/warnings.yaml');
    assert.equal((await ramp(['validate', file])).code, 0);
    assert.equal((await ramp(['validate', '--strict', file])).code, 1);
  });

  test('usage errors exit 2 and say what to do', async () => {
    const missing = await ramp(['validate', 'no-such-file.yaml'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read no-such-file\.yaml: no such file or directory\. Pass pipeline files/);
    assert.equal((await ramp(['validate', '--frobnicate'])).code, 2);
    assert.equal((await ramp(['frobnicate'])).code, 2);
    assert.equal((await ramp([])).code, 2);
    assert.equal((await ramp(['--help'])).code, 0);
  });

  test('the installed `ramp` binary runs the same command', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [join(repoRoot, 'bin/ramp.js'), 'validate', 'pipelines'], { cwd: repoRoot });
    assert.match(stdout, /pipelines\/web\.yaml: valid/);
    await assert.rejects(
      run(process.execPath, [join(repoRoot, 'bin/ramp.js'), 'validate', join(dir, 'bad.yaml')], { cwd: repoRoot }),
      (e: { code: number }) => e.code === 1,
    );
  });

  describe('files that are not pipelines', () => {
    let tree: string;
    before(async () => {
      tree = await mkdtemp(join(tmpdir(), 'ramp-validate-tree-'));
      await writeFile(join(tree, 'good.yaml'), await readFile(join(repoRoot, 'test/fixtures/pipelines/valid/minimal.yaml'), 'utf8'));
      await writeFile(join(tree, 'alias.yaml'), 'apiVersion: ramp/v1\nkind: *nope\n');
      await mkdir(join(tree, 'folder.yaml'));
      await writeFile(join(tree, 'folder.yaml', 'inner.yaml'), 'apiVersion: ramp/v1\n');
      await symlink(join(tree, 'missing-target.yaml'), join(tree, 'dangling.yaml'));
      await promisify(execFile)('mkfifo', [join(tree, 'fifo.yaml')]);
    });
    after(() => rm(tree, { recursive: true, force: true }));

    test('a directory named *.yaml is searched, a dangling link and a FIFO are findings, and every other file is reported', async () => {
      const { code, stdout, stderr } = await ramp(['validate', '.'], tree);
      assert.equal(stderr, '');
      assert.equal(code, 1);
      const lines = stdout.trim().split('\n');
      assert.deepEqual(
        lines.filter((l) => !l.startsWith('folder.yaml/inner.yaml:')),
        [
          'alias.yaml:2:7  kind  error: the alias *nope names no anchor before it. Define the anchor (&name) on an earlier value, or write the value here',
          'dangling.yaml:1:1  (document)  error: cannot read the file: no such file (or a link to a file that does not exist). Check the path and its permissions',
          'fifo.yaml:1:1  (document)  error: this is not a regular file, not a pipeline file. Pass a .yaml file',
          'good.yaml: valid',
          '4 of 5 pipelines invalid: 6 errors, 0 warnings',
        ],
      );
      assert.equal(lines.filter((l) => l.startsWith('folder.yaml/inner.yaml:')).length, 3);
    });

    test('a file over the size limit is a finding; it is not read whole', async () => {
      const big = join(tree, 'big', 'big.yaml');
      await mkdir(join(tree, 'big'));
      await writeFile(big, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
      const { code, stdout } = await ramp(['validate', '--json', big], tree);
      assert.equal(code, 1);
      const [result] = JSON.parse(stdout) as { errors: { code: string; message: string }[] }[];
      assert.deepEqual(
        result!.errors.map((e) => e.code),
        ['too-large'],
      );
      assert.match(result!.errors[0]!.message, /^the file is 2\.0 MiB; a pipeline file holds at most 1 MiB/);
    });
  });
});
