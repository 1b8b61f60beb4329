/** What git's output says went wrong (src/providers/git/git-failure.ts), on git's real messages (git 2.39, LC_ALL=C). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyGitFailure, gitErrorSummary, isLocalDamage, type GitFailureKind } from '../../src/providers/git/git-failure.js';

const LOCK_ADVICE = `

Another git process seems to be running in this repository, e.g.
an editor opened by 'git commit'. Please make sure all processes
are terminated then try again. If it still fails, a git process
may have crashed in this repository earlier:
remove the file manually to continue.`;

const cases: [string, string, GitFailureKind, string[]?][] = [
  // A killed git's lock files.
  [
    'fetch, refs/remotes lock',
    `error: cannot lock ref 'refs/remotes/origin/main': Unable to create '/c/.git/refs/remotes/origin/main.lock': File exists.${LOCK_ADVICE}\nFrom /r\n ! 0c20bd9..8afc306  main       -> origin/main  (unable to update local ref)`,
    'lock',
    ['/c/.git/refs/remotes/origin/main.lock'],
  ],
  ['checkout, index.lock', `fatal: Unable to create '/c/.git/index.lock': File exists.${LOCK_ADVICE}`, 'lock', ['/c/.git/index.lock']],
  ['checkout, HEAD.lock', `fatal: cannot lock ref 'HEAD': Unable to create '/c/.git/HEAD.lock': File exists.${LOCK_ADVICE}`, 'lock', ['/c/.git/HEAD.lock']],
  ['config.lock', 'error: could not lock config file .git/config: File exists', 'lock', ['.git/config.lock']],
  ['fetch summary only', ' ! 0c20bd9..8afc306  main       -> origin/main  (unable to update local ref)', 'lock', []],
  // A damaged clone.
  ['an empty index', 'fatal: .git/index: index file smaller than expected', 'damaged'],
  ['a garbage index', 'error: bad signature 0x6e6f7420\nfatal: index file corrupt', 'damaged'],
  ['a missing blob', 'error: unable to read sha1 file of f5 (7ed6ff82de6bcc2a78243fc9c54d3ef5ac14da69)', 'damaged'],
  ['a missing tree', 'error: Could not read c76ff4853a980579cd2501573295de771c098380', 'damaged'],
  [
    'a missing commit in a walk',
    'error: Could not read 0c20bd96e5823a309f41552cec7cc5f3381adfff\nfatal: Failed to traverse parents of commit 8afc306aed713f334c7db5379808acbc7cc1416b',
    'damaged',
  ],
  ['a truncated packed-refs', 'fatal: unterminated line in .git/packed-refs: 8afc306aed713f334c7db5379808acbc7cc1416b ref', 'damaged'],
  [
    'a corrupt loose object',
    'error: inflate: data stream error (incorrect header check)\nerror: unable to unpack 8afc306a header\nfatal: loose object 8afc306aed713f334c7db5379808acbc7cc1416b (stored in .git/objects/8a/fc30) is corrupt',
    'damaged',
  ],
  ['no .git any more', 'fatal: not a git repository (or any of the parent directories): .git', 'damaged'],
  // The remote.
  ['a wrong local path', "fatal: repository '/tmp/nope.git' does not exist", 'not-found'],
  ['a wrong file:// path', "fatal: '/tmp/nope.git' does not appear to be a git repository\nfatal: Could not read from remote repository.", 'not-found'],
  ['HTTP 404', "fatal: repository 'http://127.0.0.1:18765/404/r.git/' not found", 'not-found'],
  ['GitHub', "remote: Repository not found.\nfatal: repository 'https://github.com/o/r.git/' not found", 'not-found'],
  ['no such branch (clone)', 'fatal: Remote branch nope not found in upstream origin', 'no-branch'],
  ['no such branch (fetch)', "fatal: couldn't find remote ref refs/heads/nope", 'no-branch'],
  ['401 with prompts off', "fatal: could not read Username for 'http://127.0.0.1:18765': terminal prompts disabled", 'auth'],
  ['authentication failed', "remote: Invalid username or password.\nfatal: Authentication failed for 'https://github.com/o/r.git/'", 'auth'],
  ['403', "fatal: unable to access 'http://h/r.git/': The requested URL returned error: 403", 'auth'],
  ['ssh key', 'git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'auth'],
  [
    'connection refused',
    "fatal: unable to access 'http://127.0.0.1:1/r.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server",
    'refused',
  ],
  ['ssh refused', 'ssh: connect to host h port 22: Connection refused', 'refused'],
  ['unknown host', "fatal: unable to access 'https://no-such-host.invalid/r.git/': Could not resolve host: no-such-host.invalid", 'unknown-host'],
  ['ssh unknown host', 'ssh: Could not resolve hostname nohost: Name or service not known', 'unknown-host'],
  ['timeout', "fatal: unable to access 'https://h/r.git/': Failed to connect to h port 443 after 130000 ms: Connection timed out", 'refused'],
  ['read timeout', "fatal: unable to access 'https://h/r.git/': Operation timed out after 300000 milliseconds", 'timeout'],
  ['TLS', "fatal: unable to access 'https://h/r.git/': SSL certificate problem: self-signed certificate", 'tls'],
  // A refused push, including a server-side lock: the server's, not the clone's.
  [
    'pre-receive hook',
    "remote: policy: needs a ticket\nTo file:///r.git\n ! [remote rejected] HEAD -> main (pre-receive hook declined)\nerror: failed to push some refs to 'file:///r.git'",
    'rejected',
  ],
  [
    'a lock on the server',
    "remote: error: cannot lock ref 'refs/heads/main': Unable to create '/srv/r.git/refs/heads/main.lock': File exists.\n ! [remote rejected] HEAD -> main (failed to update ref)",
    'rejected',
  ],
  ['anything else', 'fatal: something new', 'other'],
];

for (const [what, output, kind, locks] of cases) {
  test(`classifyGitFailure: ${what} → ${kind}`, () => {
    const failure = classifyGitFailure(output);
    assert.equal(failure.kind, kind);
    assert.equal(isLocalDamage(failure), kind === 'lock' || kind === 'damaged');
    if (locks) assert.deepEqual(failure.locks, locks);
  });
}

test("gitErrorSummary: the hook's remote: lines (no progress), the refused ref, the errors; redacted before it is cut", () => {
  const output = [
    'remote: Enumerating objects: 5, done.',
    'remote: Counting objects: 100% (5/5), done.',
    'remote: policy: needs a ticket',
    'remote: see https://bot:s3cret-pw@ci.example.com/x',
    'To file:///r.git',
    ' ! [remote rejected] HEAD -> main (pre-receive hook declined)',
    "error: failed to push some refs to 'file:///r.git'",
  ].join('\n');
  assert.equal(
    gitErrorSummary(new Error(output)),
    "remote: policy: needs a ticket; remote: see https://ci.example.com/x; ! [remote rejected] HEAD -> main (pre-receive hook declined); error: failed to push some refs to 'file:///r.git'",
  );
  const secret = 'tok-0123456789abcdef';
  const long = `remote: ${'x'.repeat(990)} ${secret}`;
  const summary = gitErrorSummary(new Error(long), (t) => t.split(secret).join('***'));
  assert.ok(!summary.includes(secret.slice(0, 6)), summary);
  assert.ok(summary.length <= 1001);
  const chatty = Array.from({ length: 100 }, (_, i) => `remote: line ${i}`).join('\n');
  assert.equal(gitErrorSummary(new Error(chatty)).split('; ').length, 15);
});
