/**
 * ramp's commit messages: a subject, Git's own `This reverts commit <sha>.` line on reverts, and
 * a last paragraph of trailers (DESIGN.md, "Git conventions"). Pure functions: what ramp writes
 * here is exactly what it reads back for idempotency and history.
 */
import type { RampTrailers } from '../../domain/changes.js';

export const TrailerKey = {
  promotion: 'Ramp-Promotion',
  stage: 'Ramp-Stage',
  step: 'Ramp-Step',
  version: 'Ramp-Version',
  approvedBy: 'Ramp-Approved-By',
  requestedBy: 'Ramp-Requested-By',
  rollback: 'Ramp-Rollback',
  drift: 'Ramp-Drift',
  sourceCommit: 'Ramp-Source-Commit',
  sourceTime: 'Ramp-Source-Time',
  fixes: 'Ramp-Fixes',
  detectedAt: 'Ramp-Detected-At',
} as const;

/** What a revert commit records: the commit it undoes, and the rollback that asked for it. */
export interface RevertMessage {
  revertedSha: string;
  revertedSubject: string;
  promotion: string;
  stage: string;
  /** The rollback's idempotency key (RevertRequest.step). */
  step: string;
  version: string;
  reason: string;
  /** Who caused the rollback, if a person did. */
  requestedBy?: string;
  /** `Ramp-Detected-At`: when the failure the rollback remedies was detected (docs/dora.md). */
  detectedAt?: string;
}

/** The ramp fields of a commit message; null fields are absent trailers. */
export interface RampMessage {
  subject: string;
  promotion: string | null;
  stage: string | null;
  step: string | null;
  version: string | null;
  approvedBy: string[];
  /** `Ramp-Requested-By`: who caused the commit, when a person did. */
  requestedBy: string | null;
  /** `Ramp-Rollback`, on revert commits. */
  rollbackReason: string | null;
  /** The sha of `This reverts commit <sha>.`, on any revert commit. */
  reverts: string | null;
  /** `Ramp-Source-Commit`: the release's source commit (docs/dora.md). */
  sourceCommit: string | null;
  /** `Ramp-Source-Time`: the source commit's time, as written (DORA's lead time starts here). */
  sourceTime: string | null;
  /** `Ramp-Fixes`: the version this release fixes forward. */
  fixes: string | null;
  /** `Ramp-Detected-At`: on a remediation, when the failure was detected. */
  detectedAt: string | null;
}

/** A trailer value or subject on one line: newlines and runs of whitespace become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function formatCommitMessage(subject: string, trailers: RampTrailers): string {
  const lines = [
    trailer(TrailerKey.promotion, trailers.promotion),
    trailer(TrailerKey.stage, trailers.stage),
    trailer(TrailerKey.step, trailers.step),
    ...(trailers.version === '' ? [] : [trailer(TrailerKey.version, trailers.version)]),
  ];
  if (trailers.drift) lines.push(trailer(TrailerKey.drift, trailers.drift));
  const approvers = (trailers.approvedBy ?? []).map(oneLine).filter((a) => a !== '');
  if (approvers.length > 0) lines.push(trailer(TrailerKey.approvedBy, approvers.join(', ')));
  if (trailers.requestedBy && oneLine(trailers.requestedBy) !== '') lines.push(trailer(TrailerKey.requestedBy, trailers.requestedBy));
  lines.push(
    ...optional(TrailerKey.sourceCommit, trailers.source?.commit),
    ...optional(TrailerKey.sourceTime, trailers.source?.time),
    ...optional(TrailerKey.fixes, trailers.fixes),
    ...optional(TrailerKey.detectedAt, trailers.detectedAt),
  );
  return `${oneLine(subject)}\n\n${lines.join('\n')}\n`;
}

/** Git's own revert message (`Revert "<subject>"`, `This reverts commit <sha>.`) plus ramp's trailers. */
export function formatRevertMessage(m: RevertMessage): string {
  const subject = oneLine(`Revert "${oneLine(m.revertedSubject)}"`);
  const lines = [
    trailer(TrailerKey.promotion, m.promotion),
    trailer(TrailerKey.stage, m.stage),
    trailer(TrailerKey.step, m.step),
    trailer(TrailerKey.version, m.version),
    trailer(TrailerKey.rollback, m.reason),
  ];
  if (m.requestedBy && oneLine(m.requestedBy) !== '') lines.push(trailer(TrailerKey.requestedBy, m.requestedBy));
  lines.push(...optional(TrailerKey.detectedAt, m.detectedAt));
  return `${subject}\n\nThis reverts commit ${m.revertedSha}.\n\n${lines.join('\n')}\n`;
}

const TRAILER_LINE = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;
const REVERTS_LINE = /^This reverts commit ([0-9a-f]{7,64})\b/m;

/**
 * The trailers of a message: the lines of its last paragraph that read `Key: value`, as Git
 * reads them (keys case-insensitive, indented lines continue the previous value). A message
 * of one paragraph has none.
 */
export function parseTrailers(message: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const paragraphs = message
    .replace(/\r\n/g, '\n')
    .trim()
    .split(/\n[ \t]*\n/)
    .filter((p) => p.trim() !== '');
  if (paragraphs.length < 2) return found;
  let last: { key: string; values: string[] } | undefined;
  for (const line of paragraphs[paragraphs.length - 1]!.split('\n')) {
    if (/^[ \t]/.test(line) && last) {
      last.values[last.values.length - 1] = oneLine(`${last.values.at(-1)!} ${line}`);
      continue;
    }
    const match = TRAILER_LINE.exec(line);
    if (!match) {
      last = undefined;
      continue;
    }
    const key = match[1]!.toLowerCase();
    const values = found.get(key) ?? [];
    values.push(oneLine(match[2]!));
    found.set(key, values);
    last = { key, values };
  }
  return found;
}

export function parseRampMessage(message: string): RampMessage {
  const trailers = parseTrailers(message);
  const get = (key: string): string | null => trailers.get(key.toLowerCase())?.at(-1) ?? null;
  const approvedBy = (trailers.get(TrailerKey.approvedBy.toLowerCase()) ?? [])
    .flatMap((value) => value.split(','))
    .map((a) => a.trim())
    .filter((a) => a !== '');
  return {
    subject: oneLine(
      message
        .replace(/\r\n/g, '\n')
        .trim()
        .split(/\n[ \t]*\n/)[0] ?? '',
    ),
    promotion: get(TrailerKey.promotion),
    stage: get(TrailerKey.stage),
    step: get(TrailerKey.step),
    version: get(TrailerKey.version),
    approvedBy,
    requestedBy: get(TrailerKey.requestedBy),
    rollbackReason: get(TrailerKey.rollback),
    reverts: REVERTS_LINE.exec(message)?.[1] ?? null,
    sourceCommit: get(TrailerKey.sourceCommit),
    sourceTime: get(TrailerKey.sourceTime),
    fixes: get(TrailerKey.fixes),
    detectedAt: get(TrailerKey.detectedAt),
  };
}

function trailer(key: string, value: string): string {
  return `${key}: ${oneLine(value)}`;
}

/** The trailer when the value says something, else none. */
function optional(key: string, value: string | undefined): string[] {
  return value !== undefined && oneLine(value) !== '' ? [trailer(key, value)] : [];
}
