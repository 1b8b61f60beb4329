/** The lines a commit changed, parsed from `git show --unified=0` (src/providers/git/diff.ts): tables, bounds and hostile input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DIFF_LINES, MAX_LINE_CHARS, parseUnifiedDiff } from '../../src/providers/git/diff.js';
import { prng, FUZZ_SEED } from '../support/random.js';

const TWO_FILES = [
  'diff --git a/envs/staging/rollout.yaml b/envs/staging/rollout.yaml',
  'index 1111111..2222222 100644',
  '--- a/envs/staging/rollout.yaml',
  '+++ b/envs/staging/rollout.yaml',
  '@@ -4 +4 @@ spec:',
  '-        image: web:1.0.0',
  '+        image: web:1.1.0',
  'diff --git a/envs/staging/route.yaml b/envs/staging/route.yaml',
  '--- a/envs/staging/route.yaml',
  '+++ b/envs/staging/route.yaml',
  '@@ -9,2 +9,2 @@',
  '-      weight: 100',
  '--- not a header: a removed line that starts with two dashes',
  '+      weight: 90',
  '',
].join('\n');

test('files and their removed and added lines, in order; headers and hunk lines are not lines', () => {
  assert.deepEqual(parseUnifiedDiff(TWO_FILES), [
    {
      file: 'envs/staging/rollout.yaml',
      lines: [
        { op: '-', text: '        image: web:1.0.0' },
        { op: '+', text: '        image: web:1.1.0' },
      ],
      omitted: 0,
    },
    {
      file: 'envs/staging/route.yaml',
      lines: [
        { op: '-', text: '      weight: 100' },
        { op: '-', text: '-- not a header: a removed line that starts with two dashes' },
        { op: '+', text: '      weight: 90' },
      ],
      omitted: 0,
    },
  ]);
});

test('a new file, a deleted file and a binary file', () => {
  const text = [
    'diff --git a/new.yaml b/new.yaml',
    'new file mode 100644',
    '--- /dev/null',
    '+++ b/new.yaml',
    '@@ -0,0 +1 @@',
    '+a: 1',
    'diff --git a/gone.yaml b/gone.yaml',
    'deleted file mode 100644',
    '--- a/gone.yaml',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-b: 2',
    'diff --git a/logo.png b/logo.png',
    'Binary files a/logo.png and b/logo.png differ',
  ].join('\n');
  assert.deepEqual(
    parseUnifiedDiff(text).map((f) => [f.file, f.lines.map((l) => l.op + l.text)]),
    [
      ['new.yaml', ['+a: 1']],
      ['gone.yaml', ['-b: 2']],
      ['logo.png', []],
    ],
  );
});

test('bounded: at most MAX_DIFF_LINES lines per commit (the rest counted) and MAX_LINE_CHARS per line', () => {
  const long = 'x'.repeat(MAX_LINE_CHARS + 50);
  const lines = Array.from({ length: MAX_DIFF_LINES + 7 }, (_, i) => `+${i === 0 ? long : `line ${i}`}`);
  const [file] = parseUnifiedDiff(['diff --git a/big.yaml b/big.yaml', '+++ b/big.yaml', '@@ -0,0 +1,47 @@', ...lines].join('\n'));
  assert.equal(file!.lines.length, MAX_DIFF_LINES);
  assert.equal(file!.omitted, 7);
  assert.equal(file!.lines[0]!.text, `${'x'.repeat(MAX_LINE_CHARS)}…`);
});

test('hostile input never throws, never exceeds the bounds, and keeps only lines from hunks', () => {
  const random = prng(FUZZ_SEED);
  const pieces = ['diff --git a/f b/f', '+++ b/f', '--- a/f', '@@ -1 +1 @@', '+', '-', ' ', '\\ No newline', '\u0000', '@@', 'diff --git', '+++ /dev/null'];
  let parsed = 0;
  for (let round = 0; round < 300; round++) {
    const text = Array.from({ length: random.int(80) }, () => {
      const piece = random.pick(pieces);
      return piece + String.fromCharCode(...Array.from({ length: random.int(12) }, () => 32 + random.int(200)));
    }).join('\n');
    const files = parseUnifiedDiff(text);
    const total = files.reduce((n, f) => n + f.lines.length, 0);
    assert.ok(total <= MAX_DIFF_LINES);
    for (const f of files) {
      for (const l of f.lines) {
        assert.ok(l.op === '+' || l.op === '-');
        assert.ok(l.text.length <= MAX_LINE_CHARS + 1);
      }
    }
    parsed += files.length;
  }
  assert.ok(parsed > 0, 'the generated inputs contained diffs');
});
