/**
 * The times DORA's commands take (src/dora/period.ts) and `ramp promote`'s release flags
 * (cli/release-flags.ts), the source commit's time read from a real Git repository.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleGit } from 'simple-git';
import { releaseFromFlags } from '../../cli/release-flags.js';
import { UsageError } from '../../src/errors.js';
import { parseInstant, parsePeriod, parseSince } from '../../src/dora/period.js';
import { configureRepo } from '../harness/git.js';
import { PromoteRequest } from '../../server/schemas.js';

const now = new Date('2026-11-30T12:00:00.000Z');

describe('DORA times', () => {
  for (const [text, iso] of [
    ['2026-11-30T14:05:00Z', '2026-11-30T14:05:00.000Z'],
    ['2026-11-30T15:05+01:00', '2026-11-30T14:05:00.000Z'],
    ['2026-11-30T14:05:00.123456Z', '2026-11-30T14:05:00.123Z'],
    ['2026-11-30', '2026-11-30T00:00:00.000Z'],
  ] as const) {
    test(`the instant ${text}`, () => assert.deepEqual(parseInstant(text, '--until'), { ok: true, iso }));
  }
  for (const text of ['2026-11-30T14:05:00', 'yesterday', '2026-13-01', '30d', '', '2026-11-30 14:05Z']) {
    test(`not an instant: "${text}"`, () => {
      const parsed = parseInstant(text, '--source-time');
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.problem, /^--source-time must be an ISO-8601 time with its zone/);
    });
  }
  for (const [text, iso] of [
    ['30d', '2026-10-31T12:00:00.000Z'],
    ['12h', '2026-11-30T00:00:00.000Z'],
    ['90m', '2026-11-30T10:30:00.000Z'],
    ['2w', '2026-11-16T12:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
  ] as const) {
    test(`since ${text}`, () => assert.deepEqual(parseSince(text, '--since', now), { ok: true, iso }));
  }
  for (const text of ['0d', '30 days', '3y', '-2d']) {
    test(`not a start: "${text}"`, () => assert.equal(parseSince(text, '--since', now).ok, false));
  }
  test('the period: the last 30 days by default; a duration counts back from --until; since before until', () => {
    assert.deepEqual(parsePeriod({}, now), { ok: true, since: '2026-10-31T12:00:00.000Z', until: '2026-11-30T12:00:00.000Z' });
    assert.deepEqual(parsePeriod({ since: '1d', until: '2026-11-10' }, now), {
      ok: true,
      since: '2026-11-09T00:00:00.000Z',
      until: '2026-11-10T00:00:00.000Z',
    });
    const backwards = parsePeriod({ since: '2026-11-20', until: '2026-11-10' }, now);
    assert.deepEqual(backwards, { ok: false, problem: '--since (2026-11-20T00:00:00.000Z) must be before --until (2026-11-10T00:00:00.000Z)' });
  });
});

describe('ramp promote: the release flags', () => {
  let dir: string;
  let sha: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-source-'));
    const git = simpleGit(dir);
    await git.init();
    await configureRepo(git);
    await writeFile(path.join(dir, 'app.txt'), 'v1\n');
    await git.add('app.txt');
    await git.commit('app: v1', ['app.txt'], { '--date': '2026-11-29T08:30:00+02:00' });
    sha = (await git.revparse(['HEAD'])).trim();
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('nothing given: no release', async () => assert.equal(await releaseFromFlags({}, dir), undefined));

  test("--source-commit alone: the commit's author time, read from the repository of the current directory", async () => {
    assert.deepEqual(await releaseFromFlags({ 'source-commit': sha.slice(0, 12) }, dir), { commit: sha.slice(0, 12), time: '2026-11-29T06:30:00.000Z' });
  });

  test('--commit is the older name of --source-commit; both given must agree', async () => {
    assert.deepEqual(await releaseFromFlags({ commit: sha }, dir), { commit: sha, time: '2026-11-29T06:30:00.000Z' });
    await assert.rejects(releaseFromFlags({ commit: 'abc1234', 'source-commit': 'def5678' }, dir), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /--commit is the older name of --source-commit, and they differ \(abc1234, def5678\): give one/);
      return true;
    });
  });

  test('every field: the time given wins over the repository, normalised to UTC', async () => {
    const release = await releaseFromFlags(
      { 'source-commit': sha.toUpperCase(), 'source-time': '2026-11-28T10:00:00-05:00', fixes: '1.0.1', author: ['carol@example.com'] },
      dir,
    );
    assert.deepEqual(release, { commit: sha, authors: ['carol@example.com'], time: '2026-11-28T15:00:00.000Z', fixes: '1.0.1' });
  });

  test('a commit the current directory does not hold: promoted without its time, and a warning that says to pass --source-time', async () => {
    const warnings: string[] = [];
    assert.deepEqual(await releaseFromFlags({ 'source-commit': 'abcdef1234567' }, dir, (line) => warnings.push(line)), { commit: 'abcdef1234567' });
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^ramp promote: could not read the time of source commit abcdef1234567 from the Git repository in .+ \(.+\): the release is promoted without it, and DORA's lead time leaves it out\. Pass --source-time/,
    );
    const outside = await mkdtemp(path.join(os.tmpdir(), 'ramp-not-git-'));
    try {
      const outsideWarnings: string[] = [];
      assert.deepEqual(await releaseFromFlags({ 'source-commit': sha }, outside, (line) => outsideWarnings.push(line)), { commit: sha });
      assert.match(outsideWarnings[0]!, /could not read the time of source commit .* \(fatal: not a git repository.*\): .*Pass --source-time/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  for (const [flags, error] of [
    [{ 'source-commit': 'HEAD' }, /--source-commit must be a commit id, 7 to 64 hex digits/],
    [{ 'source-commit': 'abc1234', 'source-time': 'yesterday' }, /--source-time must be an ISO-8601 time with its zone/],
    [{ fixes: '-bad' }, /--fixes names the version this release fixes forward: "-bad" is not a valid version/],
  ] as const) {
    test(`refused: ${JSON.stringify(flags)}`, async () => {
      await assert.rejects(releaseFromFlags(flags, dir), (e: unknown) => e instanceof UsageError && error.test(e.message));
    });
  }
});

describe("the server's promotion request: the release's time and fix", () => {
  const release = (r: Record<string, unknown>) => PromoteRequest.safeParse({ pipeline: 'web', version: '1.1.0', release: r });
  test('a time with its zone and a version to fix are accepted', () => {
    assert.ok(release({ commit: 'abc1234', time: '2026-11-30T14:05:00Z', fixes: '1.0.0' }).success);
    assert.ok(release({ time: '2026-11-30' }).success);
  });
  for (const [r, message] of [
    [{ time: 'yesterday' }, /a time is ISO-8601 with its zone/],
    [{ time: '2026-11-30T14:05:00' }, /a time is ISO-8601 with its zone/],
    [{ fixes: '-1.0.0' }, /a version is an image tag/],
    [{ source: 'abc1234' }, /source/],
  ] as const) {
    test(`refused: ${JSON.stringify(r)}`, () => {
      const parsed = release(r);
      assert.equal(parsed.success, false);
      assert.match(JSON.stringify(parsed.error?.issues), message);
    });
  }
});
