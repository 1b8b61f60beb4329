// Harness self-check (not a test of ramp): createGitOpsRemote() seeds a bare remote with the
// canary layout of examples/gitops on main, and workdir() clones it. ramp's own commits, with
// their trailers as Git reads them, are tested in test/integration/gitops-repository.test.ts
// and test/unit/git-trailers.test.ts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { createGitOpsRemote, type GitOpsRemote } from '../git.js';

interface HttpRoute {
  kind: string;
  spec: { rules: { backendRefs: { name: string; weight: number }[] }[] };
}

describe('harness: GitOps remote', () => {
  let remote: GitOpsRemote;

  before(async () => {
    remote = await createGitOpsRemote();
  });

  after(async () => {
    await remote?.cleanup();
  });

  test('is seeded with the canary layout on main, one commit without trailers', async () => {
    const { dir, git } = await remote.workdir();
    assert.equal((await git.revparse(['--abbrev-ref', 'HEAD'])).trim(), 'main');
    assert.equal((await git.revparse(['HEAD'])).trim(), remote.seedCommit);
    assert.equal((await git.raw(['rev-list', '--count', 'HEAD'])).trim(), '1');
    assert.equal((await git.raw(['log', '-1', '--format=%(trailers)'])).trim(), '', "the seed is nobody's promotion");
    const files = (await git.raw(['ls-files'])).trim().split('\n');
    for (const stage of ['staging', 'production']) {
      for (const f of ['kustomization.yaml', 'stable.yaml', 'canary.yaml', 'services.yaml', 'route.yaml']) {
        assert.ok(files.includes(`envs/${stage}/${f}`), `envs/${stage}/${f} is in the seed`);
      }
    }
    assert.ok(files.includes('envs/preview/deployment.yaml'));

    const route = parse(await readFile(path.join(dir, 'envs/staging/route.yaml'), 'utf8')) as HttpRoute;
    assert.equal(route.kind, 'HTTPRoute');
    assert.deepEqual(
      route.spec.rules[0]!.backendRefs.map((b) => [b.name, b.weight]),
      [
        ['web-stable', 100],
        ['web-canary', 0],
      ],
    );
    const canary = await readFile(path.join(dir, 'envs/staging/canary.yaml'), 'utf8');
    assert.match(canary, /replicas: 0 # no canary running/);
  });

  test('each workdir() is a fresh clone of its own', async () => {
    const [a, b] = await Promise.all([remote.workdir(), remote.workdir()]);
    assert.notEqual(a.dir, b.dir);
    assert.equal((await a.git.raw(['remote', 'get-url', 'origin'])).trim(), remote.remoteUrl);
  });
});
