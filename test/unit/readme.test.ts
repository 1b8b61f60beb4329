/**
 * The README is the first thing a user reads: its `ramp` examples must print what it says,
 * and its two commands must be the ones package.json and .ci/run actually use.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../cli/main.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = await readFile(new URL('README.md', `file://${root}`), 'utf8');

/** `$ npx ramp ...` lines from ```console blocks, with the output lines that follow them. */
function examples(): { command: string; args: string[]; output: string }[] {
  const blocks = [...readme.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block.split(/^(?=\$ )/m).map((chunk) => {
      const [command = '', ...output] = chunk.split('\n');
      return { command, args: command.replace(/^\$ npx ramp /, '').split(/\s+/), output: `${output.join('\n').trim()}\n` };
    }),
  );
}

describe('README', () => {
  const found = examples();
  // A parser that finds nothing would pass every example it did not find: guard the set.
  test('has its ramp examples (at least 2), each a `$ npx ramp` command with the output it prints', () => {
    assert.ok(found.length >= 2, `found ${found.length} example(s) in the README's console blocks`);
    for (const { command, output } of found) {
      assert.match(command, /^\$ npx ramp \S/, 'every console block line starting a chunk is a ramp command');
      assert.notEqual(output.trim(), '', `${command} shows its output`);
    }
  });

  for (const { args, output } of found) {
    test(`ramp ${args.join(' ')}`, async () => {
      let stdout = '';
      await main(args, { stdout: (t) => (stdout += t), stderr: () => {}, isTty: false, cwd: root });
      assert.equal(stdout, output);
    });
  }

  test('its two commands exist, and CI runs the test one', async () => {
    const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
    assert.match(readme, /^npm install && npm start /m);
    assert.match(readme, /^npm install && npm test /m);
    assert.ok(pkg.scripts.start && pkg.scripts.test);
    const ci = await readFile(`${root}.ci/run`, 'utf8');
    assert.match(ci, /^npm install --no-audit --no-fund\nnpm test$/m);
  });
});
