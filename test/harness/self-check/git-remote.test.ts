// The Git part of the stack: a bare GitOps remote, clones, commits with ramp's trailers.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';

interface HttpRoute {
  kind: string;
  spec: { rules: { backendRefs: { name: string; weight: number }[] }[] };
}

describe('GitOps remote', () => {
  let remote: GitOpsRemote;

  before(async () => {
    remote = await createGitOpsRemote();
  });

  after(async () => {
    await remote?.cleanup();
  });

  test('is seeded with the canary layout on main', async () => {
    const { dir, git } = await remote.workdir();
    assert.equal((await git.revparse(['--abbrev-ref', 'HEAD'])).trim(), 'main');
    assert.equal((await git.revparse(['HEAD'])).trim(), remote.seedCommit);
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
      [['web-stable', 100], ['web-canary', 0]],
    );
    const canary = await readFile(path.join(dir, 'envs/staging/canary.yaml'), 'utf8');
    assert.match(canary, /replicas: 0 # no canary running/);
  });

  test('a pushed commit with ramp trailers is seen by a fresh clone', async () => {
    const { dir, git } = await remote.workdir();
    const routeFile = path.join(dir, 'envs/staging/route.yaml');
    const before = await readFile(routeFile, 'utf8');
    const after = before
      .replace('weight: 100 # percent of requests to stable', 'weight: 90 # percent of requests to stable')
      .replace('weight: 0 # percent of requests to the canary', 'weight: 10 # percent of requests to the canary');
    assert.notEqual(after, before);
    await writeFile(routeFile, after);
    await git.add('envs/staging/route.yaml');
    await git.commit(
      [
        'staging: shift 10% of traffic to web 1.1.0',
        '',
        'Ramp-Promotion: web-1.1.0-0001',
        'Ramp-Stage: staging',
        'Ramp-Step: 0/setWeight=10',
      ].join('\n'),
    );
    await git.push('origin', 'main');
    const pushed = (await git.revparse(['HEAD'])).trim();

    const fresh = await remote.workdir();
    assert.equal((await fresh.git.revparse(['HEAD'])).trim(), pushed);
    assert.equal((await fresh.git.raw(['rev-parse', 'HEAD~1'])).trim(), remote.seedCommit);
    assert.equal(await readFile(path.join(fresh.dir, 'envs/staging/route.yaml'), 'utf8'), after);

    const trailer = (key: string): Promise<string> =>
      fresh.git.raw(['log', '-1', `--format=%(trailers:key=${key},valueonly)`]).then((s) => s.trim());
    assert.equal(await trailer('Ramp-Stage'), 'staging');
    assert.equal(await trailer('Ramp-Promotion'), 'web-1.1.0-0001');
    assert.equal(await trailer('Ramp-Step'), '0/setWeight=10');
    // The seed commit has no trailers: ramp can tell its own commits from everyone else's.
    assert.equal((await fresh.git.raw(['log', '-1', '--format=%(trailers:key=Ramp-Stage,valueonly)', remote.seedCommit])).trim(), '');

    const diff = await fresh.git.raw(['diff', '--stat', remote.seedCommit, pushed]);
    assert.match(diff, /envs\/staging\/route\.yaml \| 4 \+\+--/);
    assert.match(diff, /1 file changed/);
  });
});
