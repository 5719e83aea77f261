// The naive session store, faithful to OpenClaw #55334: the whole sessions.json is loaded with one JSON.parse,
// every entry holds its own deep copy of the ~41 KB skillsSnapshot, a cron run is written under its job's key
// too, nothing is ever pruned, every mutation rewrites the whole file, and at every open each orphan transcript
// is read in full and warned about, then left where it is.
import { mkdir, readFile, readlink, stat } from 'node:fs/promises';
import { assertSafeSegment, assertSessionKey, cronJobKey } from '../keys.ts';
import { findOrphanTranscripts, readTranscript, transcriptTotals, type TranscriptFileInfo } from '../transcripts.ts';
import { removeStaleTempFiles, writeFileAtomic } from './atomicWrite.ts';
import { CorruptStoreError, parseStoreJson } from './corruptStoreError.ts';
import { DataDirError, asDataDirError } from './dataDirError.ts';
import { entryFieldProblem } from './entryFields.ts';
import type { ResolvedStoreOptions } from './createStore.ts';
import { PRIVATE_DIR_MODE, assertTranscriptFileName, storePaths, type StorePaths } from './paths.ts';
import type {
  Fix,
  OpenReport,
  SessionEntry,
  SessionFilter,
  SessionIndexEntry,
  SessionPatch,
  SessionStore,
  StoreStats,
} from './sessionStore.ts';

const REQUIRED_STRINGS = ['sessionId', 'transcriptFile'] as const;

/**
 * sessions.json's text, or undefined when there is no store yet. A link to a file that is not there (a volume not
 * mounted, a backup moved) is not "no store yet": starting empty would write over it, so it is refused.
 */
export async function readSessionsFile(paths: StorePaths): Promise<string | undefined> {
  try {
    return await readFile(paths.sessionsFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw asDataDirError(error, paths.sessionsFile);
  }
  const link = await readlink(paths.sessionsFile).catch(() => undefined);
  if (link !== undefined) throw new DataDirError(paths.sessionsFile, `it is a symbolic link to ${link}, which does not exist`);
  return undefined;
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
    // The entry's position is looked up only on failure: a search per entry would make a large open quadratic.
    const fail = (detail: string): never => {
      throw CorruptStoreError.at(file, text, `entry ${JSON.stringify(key)}: ${detail}`, Math.max(0, text.indexOf(`${JSON.stringify(key)}:`)));
    };
    try {
      assertSessionKey(key);
    } catch (error) {
      fail((error as Error).message);
    }
    if (typeof entry !== 'object' || entry === null) fail('not an object');
    for (const field of REQUIRED_STRINGS) if (typeof entry[field] !== 'string') fail(`field '${field}' missing or not a string`);
    if (typeof entry.skillsSnapshot !== 'object' || entry.skillsSnapshot === null) fail("field 'skillsSnapshot' missing");
    const problem = entryFieldProblem(entry, ['createdAt', 'updatedAt', 'messageCount']);
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

/** What the buggy gateway does with an orphan at every start: read it all, warn, keep it. Returns the bytes read. */
export async function warnAboutEachOrphan(paths: StorePaths, orphans: TranscriptFileInfo[], log: (line: string) => void): Promise<number> {
  let bytes = 0;
  for (const orphan of orphans) {
    const text = await readTranscript(paths, orphan.file);
    bytes += Buffer.byteLength(text);
    let lines = 0;
    let unreadable = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      lines++;
      try {
        JSON.parse(line);
      } catch {
        unreadable++; // a line cut short by a crash; the gateway reports it and carries on
      }
    }
    const damage = unreadable > 0 ? `, ${unreadable} unreadable` : '';
    log(`warning: transcript ${orphan.file} (${lines} lines${damage}, ${orphan.bytes} bytes) has no session in sessions.json; keeping it`);
  }
  return bytes;
}

export class NaiveSessionStore implements SessionStore {
  readonly kind = 'naive' as const;
  readonly fixes: ReadonlySet<Fix> = new Set();
  readonly paths: StorePaths;
  private sessions: Record<string, SessionEntry> = {};
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly options: ResolvedStoreOptions) {
    this.paths = storePaths(options.dataDir, options.agentId);
  }

  async open(): Promise<OpenReport> {
    const started = performance.now();
    await mkdir(this.paths.sessionsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // Temp files of rewrites a kill interrupted: the reported gateway's growth is its entries, not these.
    const staleTemps = await removeStaleTempFiles(this.paths.sessionsDir);
    if (staleTemps > 0) this.options.log(`removed ${staleTemps} temp files left by an interrupted write of ${this.paths.sessionsFile}`);
    const text = await readSessionsFile(this.paths);
    this.sessions = text === undefined ? {} : checkNaiveSessions(this.paths.sessionsFile, text, parseStoreJson(this.paths.sessionsFile, text));
    const orphans = await findOrphanTranscripts(this.paths, this.referencedTranscripts());
    const orphanBytes = await warnAboutEachOrphan(this.paths, orphans, this.options.log);
    return {
      sessions: Object.keys(this.sessions).length,
      orphanTranscripts: orphans.length,
      orphanBytes,
      durationMs: performance.now() - started,
    };
  }

  async create(entry: SessionEntry): Promise<void> {
    assertSessionKey(entry.key);
    assertSafeSegment(entry.sessionId, 'session id');
    assertTranscriptFileName(entry.transcriptFile);
    this.put(entry.key, { ...entry, skillsSnapshot: structuredClone(entry.skillsSnapshot) });
    await this.rewrite();
  }

  async get(key: string): Promise<SessionEntry | undefined> {
    return Object.hasOwn(this.sessions, key) ? this.sessions[key] : undefined;
  }

  async update(key: string, patch: Partial<Omit<SessionEntry, 'key' | 'sessionId'>>): Promise<SessionEntry | undefined> {
    if (patch.transcriptFile !== undefined) assertTranscriptFileName(patch.transcriptFile);
    const entry = await this.get(key);
    if (!entry) return undefined;
    Object.assign(entry, patch);
    if (patch.skillsSnapshot) entry.skillsSnapshot = structuredClone(patch.skillsSnapshot);
    this.put(key, entry);
    await this.rewrite();
    return entry;
  }

  async updateMany(keys: readonly string[], patchOf: (entry: SessionEntry) => SessionPatch | undefined): Promise<SessionEntry[]> {
    const changed: SessionEntry[] = [];
    for (const key of keys) {
      const entry = await this.get(key);
      const patch = entry && patchOf(entry);
      if (!entry || !patch) continue;
      Object.assign(entry, patch);
      this.put(key, entry);
      changed.push(entry);
    }
    if (changed.length > 0) await this.rewrite();
    return changed;
  }

  async delete(key: string): Promise<boolean> {
    if (!Object.hasOwn(this.sessions, key)) return false;
    delete this.sessions[key];
    await this.rewrite();
    return true;
  }

  list(filter: SessionFilter = {}): SessionIndexEntry[] {
    const listed: SessionIndexEntry[] = [];
    for (const [key, entry] of Object.entries(this.sessions)) {
      if ((filter.kind && entry.kind !== filter.kind) || (filter.status && entry.status !== filter.status)) continue;
      listed.push({ key, sessionId: entry.sessionId, kind: entry.kind, status: entry.status, updatedAt: entry.updatedAt, transcriptFile: entry.transcriptFile });
    }
    return listed;
  }

  /** The bug: nothing is ever pruned. */
  async prune(): Promise<number> {
    return 0;
  }

  async stats(): Promise<StoreStats> {
    const fileBytes = await stat(this.paths.sessionsFile).then((s) => s.size, () => 0);
    const totals = await transcriptTotals(this.paths, this.referencedTranscripts());
    // Every entry, cron-job aliases included, carries its own copy.
    return { sessionsFileBytes: fileBytes, ...totals, skillSnapshotBlobs: Object.keys(this.sessions).length, damaged: [] };
  }

  async flush(): Promise<void> {
    await this.writes;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private put(key: string, entry: SessionEntry): void {
    this.sessions[key] = entry;
    // OpenClaw also wrote each cron run under its job's key, as a second full copy.
    if (entry.kind === 'cronRun' && entry.jobId && key === entry.key) {
      this.sessions[cronJobKey(entry.jobId, this.options.agentId)] = structuredClone(entry);
    }
  }

  private referencedTranscripts(): Set<string> {
    return new Set(Object.values(this.sessions).map((entry) => entry.transcriptFile));
  }

  /** One whole-file rewrite per mutation, in order; never coalesced. */
  private rewrite(): Promise<void> {
    const write = this.writes.then(() => writeFileAtomic(this.paths.sessionsFile, JSON.stringify(this.sessions)));
    this.writes = write.catch(() => undefined);
    return write;
  }
}
