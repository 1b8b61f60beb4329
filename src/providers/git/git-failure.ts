/**
 * What a failed git command says went wrong, read from its output (git runs with LC_ALL=C):
 * the worker's own clone is damaged (a stale lock file, a corrupt index, a missing object,
 * broken refs), or the remote cannot be reached (no such repository or branch, rejected
 * credentials, connection refused, unknown host, timeout, TLS), or the server refused a push
 * (a hook, a protected branch). Pure, table-tested (test/unit/git-failure.test.ts).
 */

export type GitFailureKind =
  /** A `*.lock` file left by a git process that died: remove it (when stale) and try again. */
  | 'lock'
  /** The clone's own files are damaged (index, objects, refs, config): clone again. */
  | 'damaged'
  /** No repository at the URL (or not visible with these credentials). */
  | 'not-found'
  /** The repository has no such branch. */
  | 'no-branch'
  /** The server wants credentials, or rejected the ones sent. */
  | 'auth'
  /** Nothing listens at the host and port. */
  | 'refused'
  /** The host name does not resolve. */
  | 'unknown-host'
  /** The connection or the server timed out. */
  | 'timeout'
  /** TLS failed (certificate not trusted, wrong host name). */
  | 'tls'
  /** The server refused the push: a pre-receive hook, a protected branch. */
  | 'rejected'
  | 'other';

export interface GitFailure {
  kind: GitFailureKind;
  /** For `lock`: the lock files named in the output (absolute or relative to the clone). */
  locks: string[];
}

/** Patterns in git's output, checked in order: local damage first (it can look like a remote failure). */
const PATTERNS: [GitFailureKind, RegExp][] = [
  ['lock', /Unable to create '[^']+\.lock': File exists|could not lock config file .*: File exists|\(unable to update local ref\)|cannot lock ref '[^']+': .*\.lock/i],
  [
    'damaged',
    new RegExp(
      [
        'index file (corrupt|smaller than expected|open failed)',
        'bad (index file sha1 )?signature',
        'bad index (file|version)',
        'index uses .* extension, which we do not understand',
        'unknown index entry format',
        'unable to read sha1 file of',
        '(could not|unable to) read [0-9a-f]{40}',
        'unable to read tree',
        'Failed to traverse parents',
        'missing (blob|tree|commit|object)',
        'bad object',
        'loose object [0-9a-f]+ \\(stored in .*\\) is corrupt',
        'object file .* is empty',
        'packed object [0-9a-f]+ .* is corrupt',
        'packfile .* (cannot be accessed|does not match index)',
        'inflate: data stream error',
        'invalid (sha1|object) pointer',
        'unable to parse object',
        '(unterminated|unexpected) line in .*packed-refs',
        'bad config line',
        'not a git repository',
        'not a valid object name HEAD',
        'your current branch appears to be broken',
        'HEAD: not a valid',
        'ambiguous argument .HEAD.',
        'Could not parse object',
      ].join('|'),
      'i',
    ),
  ],
  ['rejected', /\[remote rejected\]|pre-receive hook declined|protected branch/i],
  ['auth', /Authentication failed|could not read (Username|Password)|returned error: 40[13]\b|Permission denied \(publickey|HTTP Basic: Access denied|Invalid username or password|access denied|bad credentials/i],
  ['no-branch', /Remote branch \S+ not found|couldn't find remote ref/i],
  ['not-found', /repository '[^']*' (does not exist|not found)|does not appear to be a git repository|Repository not found|returned error: 404\b/i],
  ['unknown-host', /Could not resolve host|Could not resolve hostname|Name or service not known|Temporary failure in name resolution|nodename nor servname/i],
  ['refused', /Connection refused|Failed to connect to|Couldn't connect to server/i],
  ['timeout', /timed out|Operation timed out/i],
  ['tls', /SSL certificate problem|server certificate verification failed|SSL_ERROR|gnutls_handshake/i],
];

export function classifyGitFailure(output: string): GitFailure {
  // What the server says about its own repository (`remote: ...`, `! [remote rejected] ...`) is no damage of the clone.
  const local = output
    .split(/[\r\n]+/)
    .filter((line) => !/^\s*remote:|\[remote rejected\]/.test(line))
    .join('\n');
  for (const [kind, pattern] of PATTERNS) {
    const text = kind === 'lock' || kind === 'damaged' ? local : output;
    if (pattern.test(text)) return { kind, locks: kind === 'lock' ? lockFilesIn(text) : [] };
  }
  return { kind: 'other', locks: [] };
}

/** Whether the failure is the worker's own clone, not the remote. */
export function isLocalDamage(failure: GitFailure): boolean {
  return failure.kind === 'lock' || failure.kind === 'damaged';
}

/** What a remote failure means, for the error message; null when git's own words say it best. */
export function remoteCause(kind: GitFailureKind): string | null {
  switch (kind) {
    case 'not-found':
      return 'there is no repository at this URL (or it is private and not visible with the credential sent)';
    case 'no-branch':
      return 'the repository has no such branch';
    case 'auth':
      return 'the server refused the credentials (authentication failed)';
    case 'refused':
      return 'connection refused: nothing answers at that host and port';
    case 'unknown-host':
      return 'the host name does not resolve';
    case 'timeout':
      return 'the connection timed out';
    case 'tls':
      return 'the TLS connection failed (certificate not trusted or wrong host name)';
    case 'rejected':
      return 'the server refused the push';
    default:
      return null;
  }
}

function lockFilesIn(output: string): string[] {
  const locks = new Set<string>();
  for (const match of output.matchAll(/'([^']+\.lock)'/g)) locks.add(match[1]!);
  for (const match of output.matchAll(/could not lock config file (\S+?):/g)) locks.add(`${match[1]!}.lock`);
  return [...locks];
}
