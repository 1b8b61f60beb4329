// The Git provider when things go wrong, against real Git: a cached clone damaged in each way a
// killed git or a bad disk leaves it (stale lock files, a corrupt index, missing objects, broken
// packed-refs) is repaired and the commit or rollback goes through; a force-push is detected
// before any write (`expect`); a server hook's refusal keeps its `remote:` lines; unreachable
// repositories say why, with credential advice only for an authentication failure.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { simpleGit } from 'simple-git';
import { createGitActivities } from '../../activities/git.js';
import type { ExpectedOnBranch } from '../../activities/contract.js';
import type { CommitRequest, CommitResult, RevertRequest, StageChange } from '../../src/domain/changes.js';
import type { RepositorySpec, TrafficRoutingSpec } from '../../src/schema/pipeline.js';
import {
  CachedGitOpsRepositories,
  HistoryRewrittenError,
  RepositoryUnavailableError,
  type GitOpsRepositoriesOptions,
  type GitOpsRepository,
} from '../../src/providers/git/index.js';
import { workspaceDir } from '../../src/providers/git/workspace.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';

const STAGE = 'envs/staging';
const routing: TrafficRoutingSpec = { kind: 'gatewayAPI', file: 'route.yaml', stableBackend: 'web-stable', canaryBackend: 'web-canary' };
const WEIGHTS = [10, 20, 30, 40, 50];

function commitRequest(repository: RepositorySpec, weight: number): CommitRequest {
  const changes: StageChange[] = [{ kind: 'setWeight', routing, weight }];
  return {
    repository,
    stagePath: STAGE,
    image: 'web',
    version: '1.1.0',
    changes,
    subject: `web/staging: canary 1.1.0 at ${weight}%`,
    trailers: { promotion: 'web-1.1.0-f1', stage: 'staging', step: `1/${weight}/setWeight-${weight}`, version: '1.1.0' },
  };
}

function revertRequest(repository: RepositorySpec, commits: string[]): RevertRequest {
  return { repository, promotion: 'web-1.1.0-f1', stage: 'staging', step: '1/rollback', version: '1.1.0', commits, reason: 'aborted by rm' };
}

describe('Git faults (real Git)', { concurrency: 3 }, () => {
  let root: string;
  const remotes: GitOpsRemote[] = [];
  before(async () => (root = await mkdtemp(path.join(os.tmpdir(), 'ramp-git-faults-'))));
  after(async () => {
    await Promise.all(remotes.map((r) => r.cleanup()));
    await rm(root, { recursive: true, force: true });
  });

  let caches = 0;
  async function setup(
    options: (remote: GitOpsRemote) => GitOpsRepositoriesOptions = () => ({}),
  ): Promise<{ remote: GitOpsRemote; repo: GitOpsRepository; repository: RepositorySpec; dir: string; repairs: string[]; cacheDir: string }> {
    const remote = await createGitOpsRemote();
    remotes.push(remote);
    const repository: RepositorySpec = { url: remote.remoteUrl, branch: 'main', secretRef: null };
    const repairs: string[] = [];
    const cacheDir = path.join(root, `cache-${++caches}`);
    const repo = new CachedGitOpsRepositories({ cacheDir, onRepair: (m) => repairs.push(m), ...options(remote) }).get(repository);
    return { remote, repo, repository, dir: workspaceDir(cacheDir, remote.remoteUrl, 'main'), repairs, cacheDir };
  }

  const head = async (remote: GitOpsRemote): Promise<string> => (await simpleGit(remote.bareDir).revparse(['main'])).trim();

  /** Someone else pushes (so the next fetch must update the clone's refs). */
  async function pushFromElsewhere(remote: GitOpsRemote, message = 'hand edit'): Promise<string> {
    const { dir, git } = await remote.workdir();
    const file = path.join(dir, 'envs/production/stable.yaml');
    await writeFile(file, `${await readFile(file, 'utf8')}# ${message}\n`);
    await git.add('.');
    await git.commit(message);
    await git.push('origin', 'main');
    return (await git.revparse(['HEAD'])).trim();
  }

  /** A lock file as a killed git leaves it: empty, and from a while ago. */
  async function plantLock(dir: string, lock: string): Promise<void> {
    const file = path.join(dir, '.git', lock);
    await writeFile(file, '');
    const past = new Date(Date.now() - 60_000);
    await utimes(file, past, past);
  }

  const looseObject = (dir: string, sha: string): string => path.join(dir, '.git', 'objects', sha.slice(0, 2), sha.slice(2));

  // Each kind of damage, planted into the clone after ramp used it, then a commit and a rollback.
  // `repair` is what the provider must report having done (evidence that it noticed).
  const damages: { name: string; plant: (dir: string, shas: string[]) => Promise<void>; repair: RegExp }[] = [
    {
      name: "a stale refs/remotes/origin/main.lock (the issue's case: every fetch failed)",
      plant: (dir) => plantLock(dir, 'refs/remotes/origin/main.lock'),
      repair: /removed stale lock files left by a git process that died: \.git\/refs\/remotes\/origin\/main\.lock/,
    },
    { name: 'a stale index.lock', plant: (dir) => plantLock(dir, 'index.lock'), repair: /removed stale lock files .*\.git\/index\.lock/ },
    { name: 'a stale HEAD.lock', plant: (dir) => plantLock(dir, 'HEAD.lock'), repair: /removed stale lock files .*\.git\/HEAD\.lock/ },
    {
      name: 'a stale refs/heads/main.lock',
      plant: (dir) => plantLock(dir, 'refs/heads/main.lock'),
      repair: /removed stale lock files .*\.git\/refs\/heads\/main\.lock/,
    },
    { name: 'a stale config.lock', plant: (dir) => plantLock(dir, 'config.lock'), repair: /removed stale lock files .*\.git\/config\.lock/ },
    {
      name: 'stale packed-refs.lock and shallow.lock go with the lock that failed the fetch',
      plant: async (dir) => {
        for (const lock of ['packed-refs.lock', 'shallow.lock', 'refs/remotes/origin/main.lock']) await plantLock(dir, lock);
      },
      repair: /removed stale lock files .*(?=.*packed-refs\.lock)(?=.*shallow\.lock)(?=.*origin\/main\.lock)/,
    },
    {
      name: 'a half-written index',
      plant: async (dir) => truncate(path.join(dir, '.git', 'index'), Math.floor((await stat(path.join(dir, '.git', 'index'))).size / 2)),
      repair: /moved the damaged clone aside .*(index file|invalid path '')/,
    },
    {
      name: 'a garbage index',
      plant: (dir) => writeFile(path.join(dir, '.git', 'index'), 'not an index\n'),
      repair: /moved the damaged clone aside .*(index|signature)/,
    },
    {
      name: "a missing object (ramp's first commit, deleted from .git/objects)",
      plant: (dir, shas) => rm(looseObject(dir, shas[0]!)),
      repair: /moved the damaged clone aside .*its files are damaged/,
    },
    {
      name: 'a missing object (a blob of the checked-out tree)',
      plant: async (dir) => {
        const blob = (await simpleGit(dir).revparse([`HEAD:${STAGE}/route.yaml`])).trim();
        await rm(looseObject(dir, blob));
        await writeFile(path.join(dir, STAGE, 'route.yaml'), 'edited by a crashed operation\n'); // so the reset must read it
      },
      repair: /moved the damaged clone aside .*(unable to read|Could not read)/,
    },
    {
      name: 'a truncated packed-refs',
      plant: async (dir) => {
        await simpleGit(dir).raw(['pack-refs', '--all']);
        const file = path.join(dir, '.git', 'packed-refs');
        await truncate(file, (await stat(file)).size - 20);
      },
      repair: /cloned again: the clone had no readable HEAD|moved the damaged clone aside .*packed-refs/,
    },
  ];

  for (const damage of damages) {
    test(`${damage.name}: repaired; the next commit and a rollback go through`, async () => {
      const { remote, repo, repository, dir, repairs } = await setup();
      const shas: string[] = [];
      for (const weight of WEIGHTS.slice(0, 2)) shas.push((await repo.commit(commitRequest(repository, weight))).sha!);
      await pushFromElsewhere(remote);

      await damage.plant(dir, shas);
      const next = await repo.commit(commitRequest(repository, WEIGHTS[2]!));
      assert.equal(next.reused, false);
      assert.equal(await head(remote), next.sha, 'the commit landed');
      shas.push(next.sha!);
      assert.equal(repairs.length, 1, repairs.join('\n'));
      assert.match(repairs[0]!, damage.repair);
      assert.match(repairs[0]!, new RegExp(`^ramp git: repaired the cached clone of ${remote.remoteUrl} \\(branch main\\): `));

      await pushFromElsewhere(remote, 'another hand edit');
      await damage.plant(dir, shas).catch(() => undefined); // after a fresh clone an object may be packed: the lock and index kinds still apply
      const rollback = await repo.revert(revertRequest(repository, [...shas].reverse()));
      assert.deepEqual(
        rollback.reverts.map((r) => r.reverted),
        [...shas].reverse(),
      );
      assert.equal(await head(remote), rollback.reverts[2]!.sha, 'the rollback landed');
      assert.equal(
        await readFile(path.join(dir, STAGE, 'route.yaml'), 'utf8'),
        await simpleGit(remote.bareDir).show([`${remote.seedCommit}:${STAGE}/route.yaml`]),
      );
    });
  }

  test('a lock younger than the operation (a live git) is left alone: retryable, no repair', async () => {
    const { remote, repo, repository, dir, repairs } = await setup();
    await repo.commit(commitRequest(repository, 10));
    await pushFromElsewhere(remote);
    await writeFile(path.join(dir, '.git', 'refs/remotes/origin/main.lock'), '');
    await assert.rejects(repo.commit(commitRequest(repository, 20)), (e: Error) => {
      assert.ok(e instanceof RepositoryUnavailableError, e.message);
      assert.match(
        e.message,
        /a lock file is in the way: .*\.git\/refs\/remotes\/origin\/main\.lock is less than 2 s old: another git process may be working in this clone/,
      );
      return true;
    });
    assert.deepEqual(repairs, []);
    assert.ok((await readdir(path.join(dir, '.git/refs/remotes/origin'))).includes('main.lock'), 'the live lock stays');
  });

  describe('force-push detection (expect)', () => {
    async function rewritten() {
      const s = await setup();
      const shas: string[] = [];
      for (const weight of WEIGHTS.slice(0, 2)) shas.push((await s.repo.commit(commitRequest(s.repository, weight))).sha!);
      // Someone rewrites main from another clone: back to the seed, one commit of theirs, force-pushed.
      const { git } = await s.remote.workdir();
      await git.raw(['reset', '--hard', s.remote.seedCommit]);
      await git.raw(['commit', '--allow-empty', '-m', 'rewritten by hand']);
      await git.raw(['push', '--force', 'origin', 'HEAD:main']);
      const theirs = (await git.revparse(['HEAD'])).trim();
      return { ...s, shas, theirs };
    }

    test('a commit refuses when recorded commits left the branch; the remote is unchanged', async () => {
      const { remote, repo, repository, shas, theirs } = await rewritten();
      await assert.rejects(repo.commit(commitRequest(repository, 30), shas), (e: Error) => {
        assert.ok(e instanceof HistoryRewrittenError, e.message);
        assert.deepEqual(e.missing, shas);
        assert.equal(
          e.message,
          `branch main of ${remote.remoteUrl} was rewritten (a force-push?): commits ${shas.map((s) => s.slice(0, 12)).join(', ')} that ramp recorded are no longer on it ` +
            `(its head is now ${theirs.slice(0, 12)}). ramp wrote nothing (the commit "web/staging: canary 1.1.0 at 30%"): writing on top of a rewritten branch could undo or bury someone's work. ` +
            'Decide: restore the branch (push the missing commits back) and `ramp resume` to check again, or `ramp abort` and put the environment right by hand',
        );
        return true;
      });
      assert.equal(await head(remote), theirs);
    });

    test('a rollback refuses too, and reverts nothing', async () => {
      const { remote, repo, repository, shas, theirs } = await rewritten();
      await assert.rejects(
        repo.revert(revertRequest(repository, [...shas].reverse()), shas),
        (e: Error) => e instanceof HistoryRewrittenError && /was rewritten \(a force-push\?\).*ramp wrote nothing \(the rollback of staging\)/.test(e.message),
      );
      assert.equal(await head(remote), theirs);
    });

    test('the activities: a non-retryable HistoryRewritten failure naming the commits; nothing pushed', async () => {
      const { remote, repository, cacheDir, shas, theirs } = await rewritten();
      const activities = createGitActivities({ repositories: new CachedGitOpsRepositories({ cacheDir }) });
      const env = new MockActivityEnvironment();
      const commit = (r: CommitRequest & ExpectedOnBranch): Promise<CommitResult> => activities.commitStageChange(r);
      await assert.rejects(env.run(commit, { ...commitRequest(repository, 30), expect: shas }), (e: unknown) => {
        assert.ok(e instanceof ApplicationFailure, String(e));
        assert.equal(e.type, 'HistoryRewritten');
        assert.equal(e.nonRetryable, true);
        assert.deepEqual(e.details, [{ commit: shas[0], missing: shas }]);
        assert.match(e.message, new RegExp(`commits ${shas[0]!.slice(0, 12)}, ${shas[1]!.slice(0, 12)} that ramp recorded are no longer on it`));
        return true;
      });
      const revert = (r: RevertRequest & ExpectedOnBranch) => activities.revertStageCommits(r);
      await assert.rejects(
        env.run(revert, { ...revertRequest(repository, [...shas].reverse()), expect: shas }),
        (e: unknown) => e instanceof ApplicationFailure && e.type === 'HistoryRewritten' && e.nonRetryable,
      );
      assert.equal(await head(remote), theirs);
    });

    test('a force-push between the check and the push: the retry does not rebase onto the rewrite', async () => {
      let theirs = '';
      let armed = false;
      const { remote, repo, repository } = await setup((other) => ({
        beforePush: async ({ attempt }) => {
          if (!armed || attempt !== 1 || theirs !== '') return;
          const { git } = await other.workdir();
          await git.raw(['reset', '--hard', other.seedCommit]);
          await git.raw(['commit', '--allow-empty', '-m', 'rewritten while ramp pushed']);
          await git.raw(['push', '--force', 'origin', 'HEAD:main']);
          theirs = (await git.revparse(['HEAD'])).trim();
        },
      }));
      const first = await repo.commit(commitRequest(repository, 10));
      armed = true;
      await assert.rejects(
        repo.commit(commitRequest(repository, 20), [first.sha!]),
        (e: Error) =>
          e instanceof HistoryRewrittenError &&
          e.message.includes(`commit ${first.sha!.slice(0, 12)} that ramp recorded is no longer on it (its head is now ${theirs.slice(0, 12)})`),
      );
      assert.equal(await head(remote), theirs, 'ramp pushed nothing onto the rewritten branch');
    });

    test('recorded commits still on the branch (others pushed on top): the commit goes through', async () => {
      const { remote, repo, repository } = await setup();
      const first = await repo.commit(commitRequest(repository, 10));
      await pushFromElsewhere(remote);
      const next = await repo.commit(commitRequest(repository, 20), [first.sha!]);
      assert.equal(await head(remote), next.sha);
    });
  });

  test("a push refused by a pre-receive hook keeps the hook's reason (bounded, redacted)", async () => {
    const { remote, repo, repository } = await setup();
    const hook = path.join(remote.bareDir, 'hooks', 'pre-receive');
    await writeFile(
      hook,
      '#!/bin/sh\n' +
        'echo "policy: envs/staging changes need a change ticket (CHG-1234) in the commit message" >&2\n' +
        'echo "details: https://ci-bot:hunter2hunter2@checks.example.com/policy" >&2\n' +
        'i=0; while [ $i -lt 200 ]; do echo "noise line $i of a chatty hook"; i=$((i+1)); done\n' +
        'exit 1\n',
    );
    await chmod(hook, 0o755);
    await assert.rejects(repo.commit(commitRequest(repository, 10)), (e: Error) => {
      assert.ok(e instanceof RepositoryUnavailableError, e.message);
      assert.match(
        e.message,
        /^cannot push to file:\/\/.* \(branch main\): the server refused the push: remote: policy: envs\/staging changes need a change ticket \(CHG-1234\) in the commit message; remote: details: https:\/\/checks\.example\.com\/policy;/,
      );
      assert.match(e.message, /\[remote rejected\] HEAD -> main \(pre-receive hook declined\)/);
      assert.ok(!e.message.includes('hunter2'), e.message);
      assert.ok(e.message.length < 1500, `bounded: ${e.message.length} characters`);
      assert.ok(!/RAMP_SECRET|credential/.test(e.message), 'no credential advice for a refused push');
      return true;
    });
    assert.equal(await head(remote), remote.seedCommit);
  });

  describe('an unreachable repository says which cause, and credential advice only for authentication', () => {
    const cases: { name: string; url: () => string | Promise<string>; secretRef: string | null; message: RegExp }[] = [
      {
        name: 'a wrong path',
        url: () => `file://${path.join(root, 'no-such.git')}`,
        secretRef: null,
        message: /: there is no repository at this URL .*does not appear to be a git repository.*\. Check repository\.url in the pipeline$/,
      },
      {
        name: 'an unknown host',
        url: () => 'https://no-such-host.invalid/gitops.git',
        secretRef: null,
        message:
          /: the host name does not resolve: fatal: unable to access .*Could not resolve host: no-such-host\.invalid\. Check the host and port in repository\.url/,
      },
      {
        name: 'connection refused',
        url: async () => {
          const closed = http.createServer();
          await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
          const port = (closed.address() as AddressInfo).port;
          await new Promise((resolve) => closed.close(resolve));
          return `http://127.0.0.1:${port}/gitops.git`;
        },
        secretRef: 'gitops-deploy',
        message: /: connection refused: nothing answers at that host and port: .*\. Check the host and port in repository\.url/,
      },
      {
        name: 'authentication required and no credential named',
        url: () => authServerUrl,
        secretRef: null,
        message:
          /: the server refused the credentials \(authentication failed\): .*\. The repository needs a credential: name one in the pipeline \(repository\.credentials\.secretRef\) and give the worker its token \(RAMP_SECRET_<NAME>/,
      },
    ];
    let authServer: http.Server;
    let authServerUrl = '';
    before(async () => {
      authServer = http.createServer((_req, res) => res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="gitops"' }).end());
      await new Promise<void>((resolve) => authServer.listen(0, '127.0.0.1', resolve));
      authServerUrl = `http://127.0.0.1:${(authServer.address() as AddressInfo).port}/gitops.git`;
    });
    after(async () => {
      authServer.closeAllConnections();
      await new Promise((resolve) => authServer.close(resolve));
    });

    test("the credential is not configured, the host does not resolve: the unreachable host is the cause (the README's pipeline)", async () => {
      const repository: RepositorySpec = { url: 'https://no-such-host.invalid/platform/gitops.git', branch: 'main', secretRef: 'gitops-deploy-token' };
      const repositories = new CachedGitOpsRepositories({ cacheDir: path.join(root, 'unreachable'), credentials: { env: {} } });
      await assert.rejects(repositories.get(repository).history({ repository }), (e: Error) => {
        assert.ok(e instanceof RepositoryUnavailableError, e.message);
        assert.match(
          e.message,
          /^cannot reach https:\/\/no-such-host\.invalid\/platform\/gitops\.git \(branch main\): the host name does not resolve: fatal: unable to access .*Could not resolve host: no-such-host\.invalid\. Check the host and port in repository\.url/,
        );
        assert.match(e.message, /the credential "gitops-deploy-token" it names is not configured on this worker either/);
        assert.ok(!/RAMP_SECRET/.test(e.message), e.message);
        return true;
      });
    });

    test('the credential is not configured, the server wants one: set RAMP_SECRET_…', async () => {
      const repository: RepositorySpec = { url: authServerUrl, branch: 'main', secretRef: 'gitops-deploy-token' };
      const repositories = new CachedGitOpsRepositories({ cacheDir: path.join(root, 'unreachable'), credentials: { env: {} } });
      await assert.rejects(
        repositories.get(repository).history({ repository }),
        (e: Error) =>
          e instanceof RepositoryUnavailableError &&
          /^credential "gitops-deploy-token" for http:\/\/127\.0\.0\.1:\d+\/gitops\.git is not configured on this worker\. Set RAMP_SECRET_GITOPS_DEPLOY_TOKEN/.test(
            e.message,
          ),
      );
    });

    for (const c of cases) {
      test(c.name, async () => {
        const url = await c.url();
        const repository: RepositorySpec = { url, branch: 'main', secretRef: c.secretRef };
        const repositories = new CachedGitOpsRepositories({
          cacheDir: path.join(root, 'unreachable'),
          credentials: { env: { RAMP_SECRET_GITOPS_DEPLOY: 'tok-abcdef-123456' } },
        });
        await assert.rejects(repositories.get(repository).history({ repository }), (e: Error) => {
          assert.ok(e instanceof RepositoryUnavailableError, e.message);
          assert.ok(e.message.startsWith(`cannot clone ${url} (branch main): `), e.message);
          assert.match(e.message, c.message);
          if (!/authentication/.test(c.name)) assert.ok(!/RAMP_SECRET|credential "/.test(e.message), `no credential advice: ${e.message}`);
          assert.ok(!e.message.includes('tok-abcdef-123456'));
          return true;
        });
      });
    }
  });
});
