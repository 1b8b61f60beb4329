/**
 * What a failed git command says went wrong, read from its output (git runs with LC_ALL=C):
 * the worker's own clone is damaged (a stale lock file, a corrupt index, a missing object,
 * broken refs), or the remote cannot be reached (no such repository or branch, rejected
 * credentials, connection refused, unknown host, timeout, TLS), or the server refused a push
 * (a hook, a protected branch); and the words an error quotes and the advice it gives for each.
 * Pure, table-tested (test/unit/git-failure.test.ts).
 */
import { urlKind } from './credentials.js';
import { redactSecrets } from '../redact.js';
import { secretLocations } from '../secrets.js';

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
  [
    'lock',
    /Unable to create '[^']+\.lock': File exists|could not lock config file .*: File exists|\(unable to update local ref\)|cannot lock ref '[^']+': .*\.lock/i,
  ],
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
  [
    'auth',
    /Authentication failed|could not read (Username|Password)|returned error: 40[13]\b|Permission denied \(publickey|HTTP Basic: Access denied|Invalid username or password|access denied|bad credentials/i,
  ],
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

/** Most of git's output quoted in an error message. */
const SUMMARY_CHARS = 1000;
/** Most `remote:` lines quoted (a hook's explanation). */
const REMOTE_LINES = 15;

/**
 * The lines of a git failure that say what went wrong, redacted and bounded: what the server
 * said (`remote:` lines without progress, e.g. a pre-receive hook's reason), refused refs
 * (`! [remote rejected] … (pre-receive hook declined)`), then `fatal:`/`error:` lines; else all.
 * `redactText` (default: URL userinfo only) runs on the whole output, before anything is cut.
 */
export function gitErrorSummary(err: unknown, redactText: (text: string) => string = (t) => redactSecrets(t, [])): string {
  const lines = redactText(errorText(err))
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^remote:\s*$/.test(l));
  const progress = /^remote:\s*(Enumerating|Counting|Compressing|Total|Resolving|Writing|Delta|Processing|Finding sources|Receiving)\b/;
  const remote = lines.filter((l) => /^remote:/.test(l) && !progress.test(l)).slice(0, REMOTE_LINES);
  const refused = lines.filter((l) => /^!\s*\[/.test(l) || /\[(remote )?rejected\]/.test(l));
  const errors = lines.filter((l) => /^(fatal|error):/.test(l));
  const chosen = [...remote, ...refused, ...errors];
  const summary = (chosen.length > 0 ? chosen : lines).join('; ');
  return summary.length > SUMMARY_CHARS ? `${summary.slice(0, SUMMARY_CHARS)}…` : summary || 'git failed';
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What to check, per cause: credential advice only when the server refused the credentials. */
export function remoteAdvice(kind: GitFailureKind, url: string, secretRef: string | null, action: string): string {
  const may = action.startsWith('push') ? 'push to' : 'read';
  switch (kind) {
    case 'not-found':
      return `Check repository.url in the pipeline${secretRef === null ? '' : ` (and that credential "${secretRef}" may ${may} a private repository)`}`;
    case 'no-branch':
      return 'Check repository.branch in the pipeline: the branch must exist in the repository';
    case 'auth':
      if (urlKind(url) === 'ssh') return "Check the worker's ssh key (~/.ssh) and that it may " + may + ' this repository';
      if (secretRef === null) {
        return 'The repository needs a credential: name one in the pipeline (repository.credentials.secretRef) and give the worker its token (RAMP_SECRET_<NAME> or $RAMP_SECRETS_DIR/<name>)';
      }
      return `Check that credential "${secretRef}" (${secretLocations(secretRef)}) holds a valid token that may ${may} this repository`;
    case 'refused':
    case 'unknown-host':
    case 'timeout':
      return 'Check the host and port in repository.url, and that this worker can reach it (network, proxy, firewall)';
    case 'tls':
      return "Check the server's certificate, or give git the CA that signed it (GIT_SSL_CAINFO)";
    case 'rejected':
      return "The server's hooks or branch protection refused ramp's push; the remote: lines say why. Fix that on the server, then the push is tried again";
    default:
      return 'Check that the URL and branch are right, that the repository exists and this worker can reach it';
  }
}
