// The on-disk formats of both stores and the checks a file must pass before a store uses it: a record cut short,
// emptied or written by something else is refused at load, where its file can be named, not later mid-request.
import { assertSafeSegment, assertSessionKey } from '../keys.ts';
import { CorruptStoreError } from './corruptStoreError.ts';
import { assertTranscriptFileName } from './paths.ts';
import { SESSION_KINDS, SESSION_STATUSES, type SessionEntry, type SessionKind, type SessionStatus, type SkillsSnapshot } from './sessionStore.ts';

export const DEDUP_FORMAT = 'soakgate.dedup.v1';
/** `index`: sessions.json holds index records, bodies live in entries/ (lazy). `entries`: it holds whole entries. */
export type DedupLayout = 'index' | 'entries';

/** A dedup sessions.json; a naive one is `{ [key]: SessionEntry }` with no envelope. */
export interface DedupSessionsFile {
  format: typeof DEDUP_FORMAT;
  layout: DedupLayout;
  sessions: Record<string, Record<string, unknown>>;
}

/** An entry as written: its snapshot inline (dedupe off, as naive) or as the sha256 of a shared blob (dedupe on). */
export type StoredEntry = Omit<SessionEntry, 'skillsSnapshot'> & { skillsSnapshot?: SkillsSnapshot; skillsSnapshotRef?: string };

type NumberField = 'createdAt' | 'updatedAt' | 'messageCount';
const WHOLE_ENTRY_NUMBERS: readonly NumberField[] = ['createdAt', 'updatedAt', 'messageCount'];
const REQUIRED_STRINGS = ['sessionId', 'transcriptFile'] as const;

/** The text of a dedup sessions.json holding `sessions` in `layout`. */
export function dedupSessionsText(layout: DedupLayout, sessions: Record<string, unknown>): string {
  return JSON.stringify({ format: DEDUP_FORMAT, layout, sessions });
}

/** A parsed sessions.json in the dedup format (it has an envelope), as opposed to the naive one. */
export function isDedupFormat(parsed: unknown): parsed is object {
  return typeof parsed === 'object' && parsed !== null && 'format' in parsed;
}

/**
 * What is wrong with `record`'s kind, status, the `required` numbers and an `endedAt` it holds, in words for the
 * error message; undefined when they can be used. Every stored record passes it, whichever file it is read from.
 */
export function entryFieldProblem(record: Record<string, unknown>, required: readonly NumberField[]): string | undefined {
  if (!SESSION_KINDS.includes(record.kind as SessionKind)) {
    return `has an unknown kind ${JSON.stringify(record.kind)} (expected one of ${SESSION_KINDS.join(', ')})`;
  }
  if (!SESSION_STATUSES.includes(record.status as SessionStatus)) {
    return `has an unknown status ${JSON.stringify(record.status)} (expected one of ${SESSION_STATUSES.join(', ')})`;
  }
  const present = record.endedAt === undefined ? required : [...required, 'endedAt'];
  for (const field of present) {
    const value = record[field];
    if (value === undefined) return `field '${field}' is missing`;
    if (typeof value !== 'number' || !Number.isFinite(value)) return `field '${field}' is not a number: ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** A failure at `key`'s entry in a sessions.json; its position is looked up only now, as a search per entry would make a large open quadratic. */
function failAtEntry(file: string, text: string, key: string): (detail: string) => never {
  return (detail) => {
    throw CorruptStoreError.at(file, text, `entry ${JSON.stringify(key)}: ${detail}`, Math.max(0, text.indexOf(`${JSON.stringify(key)}:`)));
  };
}

/**
 * Checks a parsed naive-format sessions.json (`{ [key]: SessionEntry }`) and returns it; an entry that could not be
 * used safely (bad key, bad id, missing fields, an unknown kind or status, a count that is not a number) makes the
 * whole file corrupt rather than silently dropped.
 */
export function checkNaiveSessions(file: string, text: string, parsed: unknown): Record<string, SessionEntry> {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw CorruptStoreError.at(file, text, 'expected a JSON object mapping session keys to entries', text.search(/\S/));
  }
  if ('format' in parsed && typeof parsed.format === 'string') {
    throw new CorruptStoreError(
      file,
      `it was written by the dedup store (format ${parsed.format}), which the naive store cannot read: open it with --store dedup or use another data dir`,
    );
  }
  for (const [key, entry] of Object.entries(parsed)) {
    const fail: (detail: string) => never = failAtEntry(file, text, key);
    try {
      assertSessionKey(key);
    } catch (error) {
      fail((error as Error).message);
    }
    if (typeof entry !== 'object' || entry === null) fail('not an object');
    for (const field of REQUIRED_STRINGS) if (typeof entry[field] !== 'string') fail(`field '${field}' missing or not a string`);
    if (typeof entry.skillsSnapshot !== 'object' || entry.skillsSnapshot === null) fail("field 'skillsSnapshot' missing");
    const problem = entryFieldProblem(entry, WHOLE_ENTRY_NUMBERS);
    if (problem) fail(problem);
    try {
      assertSafeSegment(entry.sessionId, 'session id');
      assertTranscriptFileName(entry.transcriptFile);
    } catch (error) {
      fail((error as Error).message);
    }
  }
  return parsed as Record<string, SessionEntry>;
}

/** Checks a parsed dedup sessions.json (`text` is its source, for positions) and returns it. */
export function checkDedupSessions(file: string, text: string, parsed: object): DedupSessionsFile {
  const stored = parsed as Partial<DedupSessionsFile>;
  if (stored.format !== DEDUP_FORMAT || (stored.layout !== 'index' && stored.layout !== 'entries')) {
    throw CorruptStoreError.at(file, text, `unknown store format ${JSON.stringify(stored.format)} / layout ${JSON.stringify(stored.layout)} (expected ${DEDUP_FORMAT})`, 0);
  }
  if (typeof stored.sessions !== 'object' || stored.sessions === null || Array.isArray(stored.sessions)) {
    throw CorruptStoreError.at(file, text, "field 'sessions' is not an object", 0);
  }
  for (const [key, record] of Object.entries(stored.sessions)) {
    const fail: (detail: string) => never = failAtEntry(file, text, key);
    if (typeof record !== 'object' || record === null) fail('not an object');
    try {
      assertSessionKey(key);
      assertSafeSegment(record.sessionId as string, 'session id');
      assertTranscriptFileName(record.transcriptFile as string);
    } catch (error) {
      fail((error as Error).message);
    }
    // An index record carries no creation time or count; a whole entry (layout `entries`) does.
    const problem = entryFieldProblem(record, stored.layout === 'entries' ? WHOLE_ENTRY_NUMBERS : ['updatedAt']);
    if (problem) fail(problem);
    if (stored.layout === 'entries' && typeof record.skillsSnapshotRef !== 'string' && typeof record.skillsSnapshot !== 'object') {
      fail('neither skillsSnapshot nor skillsSnapshotRef');
    }
  }
  return stored as DedupSessionsFile;
}

/**
 * Returns a parsed entry body (`entries/<sessionId>.json`) as a StoredEntry, or throws a CorruptStoreError naming
 * `file` and the first field that is wrong. With `expected`, it must also be the body the index names.
 */
export function checkEntryBody(file: string, parsed: unknown, expected?: { key: string; sessionId: string }): StoredEntry {
  const fail = (detail: string): never => {
    throw new CorruptStoreError(file, `entry body ${detail}`);
  };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('is not a JSON object');
  const body = parsed as Record<string, unknown>;
  try {
    assertSessionKey(body.key as string);
    assertSafeSegment(body.sessionId as string, 'session id');
    assertTranscriptFileName(body.transcriptFile as string);
  } catch (error) {
    fail((error as Error).message);
  }
  if (expected && (body.key !== expected.key || body.sessionId !== expected.sessionId)) {
    fail(`belongs to ${JSON.stringify(body.key)} / ${JSON.stringify(body.sessionId)}, not to ${expected.key} / ${expected.sessionId}`);
  }
  const problem = entryFieldProblem(body, WHOLE_ENTRY_NUMBERS);
  if (problem) fail(problem);
  const inline = typeof body.skillsSnapshot === 'object' && body.skillsSnapshot !== null;
  if (!inline && !(typeof body.skillsSnapshotRef === 'string' && /^[0-9a-f]{64}$/.test(body.skillsSnapshotRef))) {
    fail('has neither a skillsSnapshot nor a skillsSnapshotRef');
  }
  return body as unknown as StoredEntry;
}
