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
function examples(): { args: string[]; output: string }[] {
  const blocks = [...readme.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block.split(/^(?=\$ )/m).map((chunk) => {
      const [command = '', ...output] = chunk.split('\n');
      return { args: command.replace(/^\$ npx ramp /, '').split(/\s+/), output: `${output.join('\n').trim()}\n` };
    }),
  );
}

describe('README', () => {
  for (const { args, output } of examples()) {
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
