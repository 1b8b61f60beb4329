/**
 * The hash chain of the audit trail: chaining new entries onto the records already on the
 * branch (idempotent by id), reading a line back, and verifying a whole trail. A record's hash
 * is the SHA-256 of the canonical JSON of the record without `hash`; its `prev` is the hash of
 * the record before it, so changing, removing, inserting or reordering any line breaks the
 * chain at that line.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { GENESIS_HASH, type AuditEntry, type AuditRecord } from './record.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hash a record must carry: over everything but `hash`. */
export function recordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _hash, ...rest } = record as AuditRecord;
  void _hash;
  return sha256(canonicalJson(rest));
}

/** One line of the file for a record (canonical JSON, so that the line itself is stable). */
export function formatAuditLine(record: AuditRecord): string {
  return canonicalJson(record);
}

/** The lines of a trail file, without the trailing empty line. */
export function auditLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export type ParsedLine = { ok: true; record: AuditRecord } | { ok: false; problem: string };

const HEX64 = /^[0-9a-f]{64}$/;

/** Reads one line as a record; never throws: a problem says what is wrong with it. */
export function parseAuditLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, problem: `it is not JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'it is not a JSON object' };
  const r = value as Record<string, unknown>;
  for (const key of ['id', 'at', 'kind', 'message', 'workflowId'] as const) {
    if (typeof r[key] !== 'string') return { ok: false, problem: `its ${key} is not a string` };
  }
  if (typeof r.seq !== 'number' || !Number.isInteger(r.seq) || r.seq < 1) return { ok: false, problem: 'its seq is not a positive whole number' };
  if (typeof r.prev !== 'string' || !HEX64.test(r.prev)) return { ok: false, problem: 'its prev is not a SHA-256 in hex' };
  if (typeof r.hash !== 'string' || !HEX64.test(r.hash)) return { ok: false, problem: 'its hash is not a SHA-256 in hex' };
  if (typeof r.bound !== 'object' || r.bound === null || Array.isArray(r.bound)) return { ok: false, problem: 'its bound is not an object' };
  if (r.actor !== null && (typeof r.actor !== 'object' || Array.isArray(r.actor) || typeof (r.actor as Record<string, unknown>).name !== 'string')) {
    return { ok: false, problem: 'its actor is neither null nor an object with a name' };
  }
  if (r.channel !== null && typeof r.channel !== 'string') return { ok: false, problem: 'its channel is neither null nor a string' };
  return { ok: true, record: value as AuditRecord };
}

/** The records of a trail file that can be read (for listing; `verifyTrail` says whether they can be trusted). */
export function readTrail(text: string): AuditRecord[] {
  return auditLines(text).flatMap((line) => {
    const parsed = parseAuditLine(line);
    return parsed.ok ? [parsed.record] : [];
  });
}

/**
 * Chains `entries` onto the trail `text` (the file as it is on the branch): entries whose id is
 * already there are skipped, the rest get seq, prev and hash in order. Returns the new records
 * (none when all were there).
 */
export function chainEntries(text: string, entries: readonly AuditEntry[]): AuditRecord[] {
  const lines = auditLines(text);
  const present = new Set<string>();
  let prev = GENESIS_HASH;
  for (const line of lines) {
    const parsed = parseAuditLine(line);
    if (parsed.ok) {
      present.add(parsed.record.id);
      prev = parsed.record.hash;
    } else {
      // A line that is not a record still gets chained over (verification reports it).
      prev = sha256(line);
    }
  }
  const added: AuditRecord[] = [];
  let seq = lines.length;
  for (const entry of entries) {
    if (present.has(entry.id)) continue;
    present.add(entry.id);
    const unhashed = { ...entry, seq: ++seq, prev };
    const record: AuditRecord = { ...unhashed, hash: recordHash(unhashed) };
    added.push(record);
    prev = record.hash;
  }
  return added;
}

/** What `ramp audit verify` says about a trail. */
export type Verification =
  | { intact: true; records: number; head: string }
  | { intact: false; records: number; /** 1-based line of the first bad record */ at: number; id: string | null; problem: string };

/** Checks every line of a trail file: readable, numbered in order, chained to the one before, hashed over its content. */
export function verifyTrail(text: string): Verification {
  const lines = auditLines(text);
  let prev = GENESIS_HASH;
  for (const [index, line] of lines.entries()) {
    const at = index + 1;
    const parsed = parseAuditLine(line);
    if (!parsed.ok) return { intact: false, records: lines.length, at, id: null, problem: `it is not a record: ${parsed.problem}` };
    const r = parsed.record;
    const broken = (problem: string): Verification => ({ intact: false, records: lines.length, at, id: r.id, problem });
    if (recordHash(r) !== r.hash) return broken('hash does not match its content');
    if (r.prev !== prev) {
      return broken(
        at === 1
          ? 'prev is not the genesis hash (records before it were removed?)'
          : `prev does not match the hash of record ${at - 1} (a record removed, inserted or moved?)`,
      );
    }
    if (r.seq !== at) return broken(`its seq is ${r.seq}, but it is record ${at} (a record removed, inserted or moved?)`);
    prev = r.hash;
  }
  return { intact: true, records: lines.length, head: prev };
}

/**
 * The branch's history must only ever append: each commit's file starts with its parent's.
 * `versions`: the file at each commit, oldest first. Returns, as a broken verification, the first
 * record a later commit changed or removed, or null when every commit only appended.
 */
export function appendOnlyViolation(versions: readonly { sha: string; text: string }[]): Extract<Verification, { intact: false }> | null {
  for (let i = 1; i < versions.length; i++) {
    const before = auditLines(versions[i - 1]!.text);
    const after = versions[i]!;
    const afterLines = auditLines(after.text);
    const changed = before.findIndex((line, n) => afterLines[n] !== line);
    if (changed < 0) continue;
    const old = parseAuditLine(before[changed]!);
    return {
      intact: false,
      records: afterLines.length,
      at: changed + 1,
      id: old.ok ? old.record.id : null,
      problem: `commit ${after.sha.slice(0, 12)} ${afterLines[changed] === undefined ? 'removed' : 'changed'} it instead of appending`,
    };
  }
  return null;
}

/** One line of a verification for people. */
export function describeVerification(v: Verification): string {
  if (v.intact) return `intact: ${v.records} record${v.records === 1 ? '' : 's'}, head ${v.head}`;
  return `broken at record ${v.at}${v.id === null ? '' : ` (${v.id})`}: ${v.problem}`;
}
