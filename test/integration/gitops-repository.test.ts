// The GitOps repository against real Git: a canary in three commits, its rollback, idempotency,
// others pushing in between, conflicts, force-pushes, unreachable remotes, and credentials over
// a real smart-HTTP remote (git http-backend behind a node:http server that demands a token).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { simpleGit } from 'simple-git';
import { createGitActivities } from '../../activities/git.js';
import type { CommitRequest, CommitResult, StageChange } from '../../src/domain/changes.js';
import type { RepositorySpec, TrafficRoutingSpec, UpdateTargetSpec } from '../../src/schema/pipeline.js';
import {
  CachedGitOpsRepositories,
  GitConflictError,
  HistoryRewrittenError,
  RepositoryUnavailableError,
  type GitOpsRepositoriesOptions,
  type GitOpsRepository,
} from '../../src/providers/git/index.js';
import { workspaceDir } from '../../src/providers/git/workspace.js';
import { createGitOpsRemote, SEED_DIR, type GitOpsRemote } from '../harness/git.js';
import { recordingLogger } from '../support/recording-logger.js';

const STAGE = 'envs/staging';
const canaryImage: UpdateTargetSpec = {
  kind: 'yamlUpdate',
  file: 'canary.yaml',
  path: 'spec.template.spec.containers[name=web].image',
  value: '{{ramp.image}}:{{ramp.version}}',
};
const stableImage: UpdateTargetSpec = { ...canaryImage, file: 'stable.yaml' };
const routing: TrafficRoutingSpec = { kind: 'gatewayAPI', file: 'route.yaml', stableBackend: 'web-stable', canaryBackend: 'web-canary' };
const scale = { file: 'canary.yaml', path: 'spec.replicas', replicas: 1 };

/** The three commits of DESIGN.md "A canary in Git", promoting web 1.1.0 in staging. */
const CANARY: { step: string; subject: string; changes: StageChange[] }[] = [
  {
    step: '1/0/setWeight-10',
    subject: 'web/staging: canary 1.1.0 at 10%',
    changes: [
      { kind: 'setVersion', targets: [canaryImage] },
      { kind: 'scaleCanary', scale, replicas: 1 },
      { kind: 'setWeight', routing, weight: 10 },
    ],
  },
  { step: '1/2/setWeight-50', subject: 'web/staging: canary 1.1.0 at 50%', changes: [{ kind: 'setWeight', routing, weight: 50 }] },
  {
    step: '1/4/promote',
    subject: 'web/staging: promote 1.1.0',
    changes: [
      { kind: 'setVersion', targets: [stableImage] },
      { kind: 'setWeight', routing, weight: 0 },
      { kind: 'scaleCanary', scale, replicas: 0 },
    ],
  },
];

const seed = (file: string): string => readFileSync(path.join(SEED_DIR, file), 'utf8');
const seedFiles = (dir: string): string[] =>
  readdirSync(path.join(SEED_DIR, dir))
    .map((f) => `${dir}/${f}`)
    .sort();

/** Staging's files after each canary commit, built from the seed by targeted replacement. */
const EXPECTED: Record<string, string>[] = (() => {
  const canary0 = seed(`${STAGE}/canary.yaml`);
  const route0 = seed(`${STAGE}/route.yaml`);
  const weights = (stable: number, canary: number): string =>
    route0
      .replace('weight: 100 # percent of requests to stable', `weight: ${stable} # percent of requests to stable`)
      .replace('weight: 0 # percent of requests to the canary', `weight: ${canary} # percent of requests to the canary`);
  const canary1 = canary0.replace('image: web:1.0.0\n', 'image: web:1.1.0\n').replace('replicas: 0 # no canary running', 'replicas: 1 # no canary running');
  const expected: Record<string, string>[] = [
    { [`${STAGE}/canary.yaml`]: canary1, [`${STAGE}/route.yaml`]: weights(90, 10) },
    { [`${STAGE}/route.yaml`]: weights(50, 50) },
    {
      [`${STAGE}/stable.yaml`]: seed(`${STAGE}/stable.yaml`).replace('image: web:1.0.0 # the live release', 'image: web:1.1.0 # the live release'),
      [`${STAGE}/route.yaml`]: route0,
      [`${STAGE}/canary.yaml`]: canary1.replace('replicas: 1 # no canary running', 'replicas: 0 # no canary running'),
    },
  ];
  return expected;
})();

function spec(remote: GitOpsRemote): RepositorySpec {
  return { url: remote.remoteUrl, branch: 'main', secretRef: null };
}

function commitRequest(repository: RepositorySpec, index: number, extra: Partial<CommitRequest['trailers']> = {}): CommitRequest {
  const { step, subject, changes } = CANARY[index]!;
  return {
    repository,
    stagePath: STAGE,
    image: 'web',
    version: '1.1.0',
    changes,
    subject,
    trailers: { promotion: 'web-1.1.0-a1', stage: 'staging', step, version: '1.1.0', ...extra },
  };
}

function revertRequest(repository: RepositorySpec, commits: string[]) {
  return {
    repository,
    promotion: 'web-1.1.0-a1',
    stage: 'staging',
    step: '1/rollback',
    version: '1.1.0',
    commits,
    reason: 'analysis failed: success-rate 0.93 < 0.99',
  };
}

describe('GitOps repository (real Git)', { concurrency: 3 }, () => {
  let cacheDir: string;
  const remotes: GitOpsRemote[] = [];

  before(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'ramp-cache-'));
  });
  after(async () => {
    await Promise.all(remotes.map((r) => r.cleanup()));
    await rm(cacheDir, { recursive: true, force: true });
  });

  async function setup(
    options: (remote: GitOpsRemote) => GitOpsRepositoriesOptions = () => ({}),
  ): Promise<{ remote: GitOpsRemote; repo: GitOpsRepository; repository: RepositorySpec }> {
    const remote = await createGitOpsRemote();
    remotes.push(remote);
    const repository = spec(remote);
    const repo = new CachedGitOpsRepositories({ cacheDir, ...options(remote) }).get(repository);
    return { remote, repo, repository };
  }

  /** Reads the remote (its bare repository) as it is now. */
  function look(remote: GitOpsRemote) {
    const git = simpleGit(remote.bareDir);
    const show = (rev: string, file: string): Promise<string> => git.show([`${rev}:${file}`]);
    const trailer = async (rev: string, key: string): Promise<string> =>
      (await git.raw(['log', '-1', `--format=%(trailers:key=${key},valueonly)`, rev])).trim();
    const count = async (): Promise<number> => Number((await git.raw(['rev-list', '--count', `${remote.seedCommit}..HEAD`])).trim());
    const files = async (rev: string): Promise<string[]> => (await git.raw(['diff', '--name-only', `${rev}^`, rev])).trim().split('\n').sort();
    const head = async (): Promise<string> => (await git.revparse(['HEAD'])).trim();
    return { git, show, trailer, count, files, head };
  }

  /** Pushes an edit of `file` from another clone ("someone else"). */
  async function pushFromElsewhere(remote: GitOpsRemote, file: string, edit: (text: string) => string, message = 'hand edit'): Promise<string> {
    const { dir, git } = await remote.workdir();
    await writeFile(path.join(dir, file), edit(await readFile(path.join(dir, file), 'utf8')));
    await git.add(file);
    await git.commit(message);
    await git.push('origin', 'main');
    return (await git.revparse(['HEAD'])).trim();
  }

  async function runCanary(repo: GitOpsRepository, repository: RepositorySpec): Promise<string[]> {
    const shas: string[] = [];
    for (let i = 0; i < CANARY.length; i++) {
      const result = await repo.commit(commitRequest(repository, i, i === 2 ? { approvedBy: ['alice', 'group:release-managers'] } : {}));
      assert.equal(result.reused, false);
      assert.deepEqual(result.files.sort(), Object.keys(EXPECTED[i]!).sort());
      shas.push(result.sha!);
    }
    return shas;
  }

  describe('a canary in staging, then its rollback (one remote, in order)', { concurrency: 1 }, () => {
    let remote: GitOpsRemote;
    let repo: GitOpsRepository;
    let repository: RepositorySpec;
    let shas: string[];

    before(async () => {
      ({ remote, repo, repository } = await setup());
      shas = await runCanary(repo, repository);
    });

    test('three commits, each changing exactly the intended lines, with trailers', async () => {
      const r = look(remote);
      assert.equal(await r.count(), 3);
      assert.equal(await r.head(), shas[2]);
      for (let i = 0; i < 3; i++) {
        const sha = shas[i]!;
        assert.deepEqual(await r.files(sha), Object.keys(EXPECTED[i]!).sort(), `commit ${i + 1} touches only its files`);
        for (const [file, content] of Object.entries(EXPECTED[i]!)) assert.equal(await r.show(sha, file), content, `${file} after commit ${i + 1}`);
        // Git itself reads the trailers.
        assert.equal(await r.trailer(sha, 'Ramp-Promotion'), 'web-1.1.0-a1');
        assert.equal(await r.trailer(sha, 'Ramp-Stage'), 'staging');
        assert.equal(await r.trailer(sha, 'Ramp-Step'), CANARY[i]!.step);
        assert.equal(await r.trailer(sha, 'Ramp-Version'), '1.1.0');
        assert.equal((await r.git.raw(['log', '-1', '--format=%an <%ae>|%s', sha])).trim(), `ramp <ramp@localhost>|${CANARY[i]!.subject}`);
      }
      assert.equal(await r.trailer(shas[2]!, 'Ramp-Approved-By'), 'alice, group:release-managers');
      // Other environments untouched.
      for (const file of [...seedFiles('envs/production'), ...seedFiles('envs/preview')]) assert.equal(await r.show('HEAD', file), seed(file));
      // One clone served all three commits.
      const reflog = await simpleGit(workspaceDir(cacheDir, remote.remoteUrl, 'main')).raw(['reflog', '--format=%gs']);
      assert.equal(reflog.split('\n').filter((l) => l.startsWith('clone:')).length, 1);
      assert.equal(reflog.split('\n').filter((l) => l.startsWith('commit:')).length, 3);
    });

    test('committing a step again reuses its commit', async () => {
      const { diff, ...again } = await repo.commit(commitRequest(repository, 1));
      assert.deepEqual(again, { sha: shas[1], reused: true, files: Object.keys(EXPECTED[1]!) });
      // The lines it reports are the lines Git says the commit changed, file by file.
      const shown = await look(remote).git.raw(['show', '--format=', '--unified=0', shas[1]!]);
      const changed = shown.split('\n').filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
      assert.ok(changed.length > 0, 'the commit changed lines');
      assert.deepEqual(
        diff?.flatMap((f) => f.lines.map((l) => `${l.op}${l.text}`)),
        changed,
      );
      assert.deepEqual(diff?.map((f) => f.file).sort(), Object.keys(EXPECTED[1]!).sort());
      assert.equal(await look(remote).count(), 3);
    });

    test('reverting newest-first leaves the stage byte-identical to the seed; twice changes nothing', async () => {
      await pushFromElsewhere(remote, 'envs/production/stable.yaml', (t) => t.replace('replicas: 6', 'replicas: 7'), 'production: scale by hand');
      const newestFirst = [...shas].reverse();
      const first = await repo.revert(revertRequest(repository, newestFirst));
      assert.deepEqual(
        first.reverts.map((r) => r.reverted),
        newestFirst,
      );

      const r = look(remote);
      assert.equal(await r.count(), 7);
      assert.equal(await r.head(), first.reverts[2]!.sha);
      const tree = (await r.git.raw(['ls-tree', '--name-only', 'HEAD', `${STAGE}/`])).trim().split('\n').sort();
      assert.deepEqual(tree, seedFiles(STAGE));
      for (const file of seedFiles(STAGE)) assert.equal(await r.show('HEAD', file), seed(file), `${file} is back to the seed`);
      assert.match(await r.show('HEAD', 'envs/production/stable.yaml'), /replicas: 7/, 'the hand edit elsewhere stays');
      for (const { reverted, sha } of first.reverts) {
        const body = await r.git.raw(['log', '-1', '--format=%B', sha]);
        assert.match(body, new RegExp(`^This reverts commit ${reverted}\\.$`, 'm'));
        assert.equal(await r.trailer(sha, 'Ramp-Rollback'), 'analysis failed: success-rate 0.93 < 0.99');
        assert.equal(await r.trailer(sha, 'Ramp-Step'), '1/rollback');
        assert.deepEqual(await r.files(sha), Object.keys(EXPECTED[shas.indexOf(reverted)]!).sort());
      }

      const again = await repo.revert(revertRequest(repository, newestFirst));
      assert.deepEqual(again, first, 'the second revert reports the same reverts');
      assert.equal(await look(remote).count(), 7, 'and makes no commit');
    });

    test("history: ramp's commits newest first, with version, approvers and rollbacks; stage filter and limit", async () => {
      const entries = await repo.history({ repository });
      assert.equal(entries.length, 6, "the hand edit is not ramp's");
      assert.deepEqual(
        entries.slice(3).map((e) => e.sha),
        [...shas].reverse(),
      );
      const [revertOfStart, , revertOfPromote, promote, , start] = entries;
      assert.deepEqual(revertOfStart!.rollback, { of: shas[0], reason: 'analysis failed: success-rate 0.93 < 0.99' });
      assert.deepEqual(revertOfPromote!.rollback?.of, shas[2]);
      assert.equal(revertOfPromote!.subject, 'Revert "web/staging: promote 1.1.0"');
      assert.equal(revertOfPromote!.step, '1/rollback');
      assert.deepEqual(promote!.approvedBy, ['alice', 'group:release-managers']);
      assert.deepEqual(
        { ...start!, committedAt: '' },
        {
          sha: shas[0],
          committedAt: '',
          subject: 'web/staging: canary 1.1.0 at 10%',
          promotion: 'web-1.1.0-a1',
          stage: 'staging',
          step: '1/0/setWeight-10',
          version: '1.1.0',
          approvedBy: [],
          requestedBy: null,
          rollback: null,
        },
      );
      assert.ok(!Number.isNaN(Date.parse(start!.committedAt)));

      assert.deepEqual(
        (await repo.history({ repository, limit: 2 })).map((e) => e.sha),
        entries.slice(0, 2).map((e) => e.sha),
      );
      assert.deepEqual(await repo.history({ repository, stage: 'production' }), []);
      assert.equal((await repo.history({ repository, stage: 'staging' })).length, 6);
    });
  });

  test('a change that is already in the files commits nothing', async () => {
    const { remote, repo, repository } = await setup();
    const noop = await repo.commit({ ...commitRequest(repository, 1), changes: [{ kind: 'setWeight', routing, weight: 0 }] });
    assert.deepEqual(noop, { sha: null, reused: false, files: [] });
    assert.equal(await look(remote).count(), 0);
  });

  test('the remote moving between two ramp commits: the next commit lands on top', async () => {
    const { remote, repo, repository } = await setup();
    const first = await repo.commit(commitRequest(repository, 0));
    const theirs = await pushFromElsewhere(remote, 'envs/production/stable.yaml', (t) => t.replace('replicas: 6', 'replicas: 7'));
    const second = await repo.commit(commitRequest(repository, 1));
    const r = look(remote);
    assert.equal(await r.head(), second.sha);
    assert.equal((await r.git.raw(['rev-parse', `${second.sha}^`])).trim(), theirs);
    assert.equal((await r.git.raw(['rev-parse', `${theirs}^`])).trim(), first.sha);
  });

  test('concurrent operations on one clone run one at a time, and all land', async () => {
    const { remote, repo, repository } = await setup();
    const production = {
      ...commitRequest(repository, 1),
      stagePath: 'envs/production',
      trailers: { ...commitRequest(repository, 1).trailers, stage: 'production' },
    };
    const [a, b, history, c] = await Promise.all([
      repo.commit(commitRequest(repository, 0)),
      repo.commit(production),
      repo.history({ repository }),
      repo.commit(commitRequest(repository, 0)),
    ]);
    assert.equal(history.length, 2, 'history ran after both commits, in call order');
    assert.deepEqual(c, { ...a, reused: true });
    const r = look(remote);
    assert.equal(await r.count(), 2);
    assert.equal(await r.head(), b.sha);
  });

  test('a broken cached clone is replaced by a fresh one', async () => {
    const { remote, repo, repository } = await setup();
    await repo.commit(commitRequest(repository, 0));
    const dir = workspaceDir(cacheDir, remote.remoteUrl, 'main');
    await rm(path.join(dir, '.git', 'HEAD'));
    const { sha } = await repo.commit(commitRequest(repository, 1));
    assert.equal(await look(remote).head(), sha);
  });

  test('a push race (another file): ramp rebases, lands, and returns the sha on the remote', async () => {
    let theirs = '';
    const attempts: number[] = [];
    const { remote, repo, repository } = await setup((other) => ({
      beforePush: async ({ attempt }) => {
        attempts.push(attempt);
        if (attempt === 1) theirs = await pushFromElsewhere(other, 'envs/production/route.yaml', (t) => t.replace('web.example.com', 'www.example.com'));
      },
    }));
    const result = await repo.commit(commitRequest(repository, 0));
    assert.deepEqual(attempts, [1, 2]);
    const r = look(remote);
    assert.equal(await r.head(), result.sha);
    assert.equal((await r.git.raw(['rev-parse', `${result.sha}^`])).trim(), theirs);
    assert.match(await r.show('HEAD', 'envs/production/route.yaml'), /www\.example\.com/);
    assert.equal(await r.show('HEAD', `${STAGE}/route.yaml`), EXPECTED[0]![`${STAGE}/route.yaml`]);
    assert.equal(await r.trailer(result.sha!, 'Ramp-Step'), CANARY[0]!.step);
  });

  test('a true conflict (same lines): GitConflict naming the file, nothing pushed, the clone clean and usable', async () => {
    let theirs = '';
    const { remote, repo, repository } = await setup((other) => ({
      beforePush: async ({ attempt }) => {
        if (attempt === 1 && theirs === '') {
          theirs = await pushFromElsewhere(other, `${STAGE}/route.yaml`, (t) => t.replace('weight: 0 # percent', 'weight: 1 # percent'));
        }
      },
    }));
    await assert.rejects(repo.commit(commitRequest(repository, 0)), (e: Error) => {
      assert.ok(e instanceof GitConflictError, e.message);
      assert.deepEqual(e.files, [`${STAGE}/route.yaml`]);
      assert.match(
        e.message,
        /^the commit "web\/staging: canary 1\.1\.0 at 10%" conflicts with changes pushed to branch main of file:\/\/.*gitops\.git in envs\/staging\/route\.yaml: someone changed the same lines\. ramp pushed nothing\. .*then retry$/,
      );
      return true;
    });
    const r = look(remote);
    assert.equal(await r.head(), theirs, "nothing of ramp's was pushed");

    const clone = simpleGit(workspaceDir(cacheDir, remote.remoteUrl, 'main'));
    assert.equal((await clone.raw(['status', '--porcelain'])).trim(), '');
    assert.equal((await clone.revparse(['HEAD'])).trim(), theirs);
    assert.equal(readdirSync(path.join(workspaceDir(cacheDir, remote.remoteUrl, 'main'), '.git')).filter((f) => /rebase|REVERT|sequencer/.test(f)).length, 0);

    // The next step works on the same clone.
    const next = await repo.commit(commitRequest(repository, 1));
    assert.equal(await look(remote).head(), next.sha);
  });

  test('a revert that conflicts with a later hand edit: GitConflict, nothing pushed', async () => {
    const { remote, repo, repository } = await setup();
    const { sha } = await repo.commit(commitRequest(repository, 0));
    const theirs = await pushFromElsewhere(remote, `${STAGE}/route.yaml`, (t) => t.replace('weight: 10 # percent', 'weight: 20 # percent'));
    await assert.rejects(
      repo.revert(revertRequest(repository, [sha!])),
      (e: Error) =>
        e instanceof GitConflictError &&
        /^reverting [0-9a-f]{12} \("web\/staging: canary 1\.1\.0 at 10%"\) conflicts with .* in envs\/staging\/route\.yaml: .*ramp pushed none of this rollback's reverts/.test(
          e.message,
        ),
    );
    assert.equal(await look(remote).head(), theirs);
  });

  test('a commit someone already reverted by hand is skipped, without a commit', async () => {
    const { remote, repo, repository } = await setup();
    const { sha } = await repo.commit(commitRequest(repository, 0));
    const { git } = await remote.workdir();
    await git.raw(['revert', '--no-edit', sha!]);
    await git.push('origin', 'main');
    const theirs = (await git.revparse(['HEAD'])).trim();
    assert.deepEqual(await repo.revert(revertRequest(repository, [sha!])), { reverts: [] });
    assert.equal(await look(remote).head(), theirs);
  });

  test('a commit no longer on the branch (force-push): HistoryRewritten, nothing reverted', async () => {
    const { remote, repo, repository } = await setup();
    const { sha } = await repo.commit(commitRequest(repository, 0));
    // What a force-push does on the server: main points back at the seed.
    await simpleGit(remote.bareDir).raw(['update-ref', 'refs/heads/main', remote.seedCommit]);
    await assert.rejects(
      repo.revert(revertRequest(repository, [sha!])),
      (e: Error) =>
        e instanceof HistoryRewrittenError &&
        e.message.startsWith(
          `cannot revert ${sha!.slice(0, 12)}: it is no longer on branch main of ${remote.remoteUrl}. Its history was rewritten (a force-push?)`,
        ),
    );
    await assert.rejects(
      repo.revert(revertRequest(repository, ['0'.repeat(40)])),
      (e: Error) => e instanceof HistoryRewrittenError && /no such commit on branch main/.test(e.message),
    );
    assert.equal(await look(remote).head(), remote.seedCommit);
  });

  test('an unreachable repository: RepositoryUnavailable naming the URL and what to check', async () => {
    const repositories = new CachedGitOpsRepositories({ cacheDir });
    const missing: RepositorySpec = { url: path.join(cacheDir, 'no-such-repo.git'), branch: 'main', secretRef: null };
    await assert.rejects(
      repositories.get(missing).history({ repository: missing }),
      (e: Error) =>
        e instanceof RepositoryUnavailableError &&
        e.message ===
          `cannot clone ${missing.url} (branch main): there is no repository at this URL (or it is private and not visible with the credential sent): fatal: repository '${missing.url}' does not exist. Check repository.url in the pipeline`,
    );
    const { remote } = await setup();
    const badBranch: RepositorySpec = { ...spec(remote), branch: 'nope' };
    await assert.rejects(
      repositories.get(badBranch).history({ repository: badBranch }),
      (e: Error) =>
        e instanceof RepositoryUnavailableError &&
        /: the repository has no such branch: fatal: Remote branch nope not found .*Check repository\.branch in the pipeline/.test(e.message),
    );
  });

  describe('over HTTP with a worker-side token', { concurrency: 1 }, () => {
    const TOKEN = 'ramp_t0ken_' + Math.random().toString(36).slice(2);
    const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
    let server: http.Server;
    let url: string;
    let remote: GitOpsRemote;
    const authorizations: string[] = [];

    before(async () => {
      remote = await createGitOpsRemote();
      remotes.push(remote);
      server = http.createServer((req, res) => serveGit(req, res, path.dirname(remote.bareDir), `Basic ${BASIC}`, authorizations));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${path.basename(remote.bareDir)}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    const secret = (text: string): boolean => text.includes(TOKEN) || text.includes(BASIC);

    test('clone, commit and push authenticate; the token is in no config, history or message', async () => {
      const repository: RepositorySpec = { url, branch: 'main', secretRef: 'gitops-deploy' };
      const repositories = new CachedGitOpsRepositories({ cacheDir, credentials: { env: { RAMP_SECRET_GITOPS_DEPLOY: TOKEN } } });
      const { sha } = await repositories.get(repository).commit(commitRequest(repository, 0));
      assert.equal(await look(remote).head(), sha);
      assert.ok(authorizations.length > 0 && authorizations.every((a) => a === `Basic ${BASIC}`), 'every request carried the header');

      const dir = workspaceDir(cacheDir, url, 'main');
      const config = await readFile(path.join(dir, '.git', 'config'), 'utf8');
      assert.ok(!secret(config), '.git/config holds no token');
      assert.match(config, new RegExp(`url = ${url.replace(/[.]/g, '\\.')}\\n`));
      const history = await repositories.get(repository).history({ repository });
      assert.ok(!secret(JSON.stringify(history)));
      assert.ok(!secret(await simpleGit(dir).raw(['log', '--all', '--format=%H %an %ae %B'])));
    });

    test('a wrong token: RepositoryUnavailable that names the credential and prints no token', async () => {
      const repository: RepositorySpec = { url, branch: 'main', secretRef: 'gitops-deploy' };
      const wrong = `${TOKEN}-revoked`;
      const repositories = new CachedGitOpsRepositories({ cacheDir: path.join(cacheDir, 'wrong'), credentials: { env: { RAMP_SECRET_GITOPS_DEPLOY: wrong } } });
      await assert.rejects(repositories.get(repository).commit(commitRequest(repository, 1)), (e: Error) => {
        assert.ok(e instanceof RepositoryUnavailableError);
        assert.ok(!e.message.includes(wrong) && !e.message.includes(Buffer.from(`x-access-token:${wrong}`).toString('base64')), e.message);
        assert.match(
          e.message,
          new RegExp(
            `^cannot clone ${url.replace(/[.]/g, '\\.')} \\(branch main\\): the server refused the credentials \\(authentication failed\\): .*Check that credential "gitops-deploy" \\(RAMP_SECRET_GITOPS_DEPLOY or \\$RAMP_SECRETS_DIR/gitops-deploy\\) holds a valid token that may read this repository$`,
          ),
        );
        return true;
      });
    });

    test('an unreachable host: RepositoryUnavailable without the token', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const repository: RepositorySpec = { url: `http://127.0.0.1:${port}/gitops.git`, branch: 'main', secretRef: 'gitops-deploy' };
      const repositories = new CachedGitOpsRepositories({ cacheDir, credentials: { env: { RAMP_SECRET_GITOPS_DEPLOY: TOKEN } } });
      await assert.rejects(
        repositories.get(repository).history({ repository }),
        (e: Error) =>
          e instanceof RepositoryUnavailableError &&
          !secret(e.message) &&
          !/RAMP_SECRET|credential/.test(e.message) &&
          e.message.includes(
            `cannot clone http://127.0.0.1:${port}/gitops.git (branch main): connection refused: nothing answers at that host and port: fatal: unable to access`,
          ),
      );
    });
  });

  test('activities: a real commit, and a conflict as a non-retryable GitConflict failure', async () => {
    let conflict = false;
    const { remote, repository } = await setup();
    const repositories = new CachedGitOpsRepositories({
      cacheDir,
      beforePush: async () => {
        if (conflict)
          await pushFromElsewhere(remote, `${STAGE}/route.yaml`, (t) =>
            t.replace(/weight: \d+ # percent of requests to the canary/, 'weight: 33 # percent of requests to the canary'),
          );
        conflict = false;
      },
    });
    const activities = createGitActivities({ repositories });
    const commit = (request: CommitRequest): Promise<CommitResult> => activities.commitStageChange(request);
    const logger = recordingLogger();
    const env = new MockActivityEnvironment(undefined, { logger });
    const result: CommitResult = await env.run<[CommitRequest], CommitResult, typeof commit>(commit, commitRequest(repository, 0));
    assert.equal(result.reused, false);
    assert.equal(await look(remote).head(), result.sha);
    const line = logger.lines.find((l) => l.message === 'git: committed and pushed');
    assert.deepEqual(line?.meta && { sha: line.meta.sha, step: line.meta.step }, { sha: result.sha, step: CANARY[0]!.step });

    conflict = true;
    await assert.rejects(
      env.run(commit, commitRequest(repository, 1)),
      (e: unknown) => e instanceof ApplicationFailure && e.type === 'GitConflict' && e.nonRetryable && /envs\/staging\/route\.yaml/.test(e.message),
    );
  });
});

/** A smart-HTTP Git server: `git http-backend` as CGI behind node:http, demanding `authorization`. */
function serveGit(req: http.IncomingMessage, res: http.ServerResponse, projectRoot: string, authorization: string, seen: string[]): void {
  seen.push(req.headers.authorization ?? '');
  if (req.headers.authorization !== authorization) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="gitops"' }).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: 'ramp',
      REMOTE_ADDR: '127.0.0.1',
      REQUEST_METHOD: req.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    },
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (started) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const match = /\r?\n\r?\n/.exec(head.toString('latin1'));
    if (!match) return;
    let status = 200;
    for (const line of head.subarray(0, match.index).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      const [key, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
      if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(key, value);
    }
    res.writeHead(status);
    started = true;
    res.write(head.subarray(match.index + match[0].length));
  });
  cgi.stdout.on('end', () => res.end());
  cgi.on('error', () => res.destroy());
}
