// The deduplicated session store: the fixed design beside the naive one. Each fix is a switch so its effect can
// be measured alone: `prune` (ended sub-agents and cron runs leave after a retention), `dedupe` (one skills
// snapshot per sha256, shared), `orphans` (archived in one pass at open), `lazy` (only an index in memory, entry
// bodies in per-session files behind a bounded cache). A fix switched off behaves as the naive store does.
// Writes are group-committed and atomic; a naive-format sessions.json is migrated at open, a missing one is
// rebuilt from the entry bodies, and a session whose body cannot be used is reported as damaged, not fatal.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { assertSafeSegment, assertSessionKey } from '../keys.ts';
import { archiveTranscript, findOrphanTranscripts, transcriptTotals } from '../transcripts.ts';
import { GroupCommitWriter, removeStaleTempFiles, syncDir, writeFileAtomic } from './atomicWrite.ts';
import { CorruptStoreError, parseStoreJson } from './corruptStoreError.ts';
import { DamagedSessionError } from './damagedSessionError.ts';
import { asDataDirError } from './dataDirError.ts';
import { checkEntryBody, type StoredEntry } from './entryBody.ts';
import { entryFieldProblem } from './entryFields.ts';
import type { ResolvedStoreOptions } from './createStore.ts';
import { checkNaiveSessions, readSessionsFile, warnAboutEachOrphan } from './naive.ts';
import { PRIVATE_DIR_MODE, assertTranscriptFileName, entryBodyPath, snapshotBlobPath, storePaths, type StorePaths } from './paths.ts';
import type {
  Fix,
  OpenReport,
  SessionEntry,
  SessionFilter,
  SessionIndexEntry,
  SessionKind,
  SessionPatch,
  SessionStatus,
  SessionStore,
  SkillsSnapshot,
  StoreStats,
} from './sessionStore.ts';

const FORMAT = 'soakgate.dedup.v1';
/** `index`: sessions.json holds index records, bodies live in entries/ (lazy). `entries`: it holds whole entries. */
type Layout = 'index' | 'entries';

/** What the lazy store keeps per session; endedAt is kept so pruning never has to load a body. */
interface IndexRecord extends SessionIndexEntry {
  endedAt?: number;
}

interface DedupSessionsFile {
  format: typeof FORMAT;
  layout: Layout;
  sessions: Record<string, Record<string, unknown>>;
}

const EPHEMERAL_KINDS: ReadonlySet<SessionKind> = new Set(['subagent', 'cronRun']);
const ENDED_STATUSES: ReadonlySet<SessionStatus> = new Set(['completed', 'failed']);
// Enough parallel file writes to overlap fsyncs without opening thousands of descriptors at once.
const WRITE_CONCURRENCY = 16;

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, worker));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

/** Entry body file names in a listing of entries/ (temp files start with a dot). */
function bodyFileNames(names: readonly string[]): string[] {
  return names.filter((name) => name.endsWith('.json') && !name.startsWith('.'));
}

/** What made a body unusable, in words: its own file missing is told apart from the blob it names being gone. */
function damageOf(error: unknown, bodyFile: string): string {
  if (error instanceof CorruptStoreError) return error.detail;
  const fsError = error as NodeJS.ErrnoException;
  if (fsError.code === 'ENOENT') return fsError.path === bodyFile ? 'its entry file is missing' : `its skills snapshot blob ${fsError.path} is missing`;
  return (error as Error).message;
}

function indexRecordOf(entry: Omit<SessionEntry, 'skillsSnapshot'>): IndexRecord {
  const record: IndexRecord = {
    key: entry.key,
    sessionId: entry.sessionId,
    kind: entry.kind,
    status: entry.status,
    updatedAt: entry.updatedAt,
    transcriptFile: entry.transcriptFile,
  };
  if (entry.endedAt !== undefined) record.endedAt = entry.endedAt;
  return record;
}

export class DedupSessionStore implements SessionStore {
  readonly kind = 'dedup' as const;
  readonly fixes: ReadonlySet<Fix>;
  readonly paths: StorePaths;
  private readonly index = new Map<string, IndexRecord>();
  /** Without `lazy`: every full entry. With `lazy`: the bounded cache, least recently used first. */
  private readonly entries = new Map<string, SessionEntry>();
  /** lazy: entries whose body file is not durable yet (waiting in `dirty`, or being written). */
  private readonly unsaved = new Map<string, SessionEntry>();
  private readonly dirty = new Set<string>();
  private readonly loading = new Map<string, Promise<SessionEntry | undefined>>();
  /** Sessions whose body cannot be used; answered with a DamagedSessionError until deleted or replaced. */
  private readonly damaged = new Map<string, DamagedSessionError>();
  /** dedupe: the one shared object per distinct snapshot, by sha256. */
  private readonly snapshots = new Map<string, SkillsSnapshot>();
  private readonly snapshotLoads = new Map<string, Promise<SkillsSnapshot>>();
  private readonly hashOf = new WeakMap<SkillsSnapshot, string>();
  private readonly unsavedSnapshots = new Set<string>();
  /** Clean-ups that are only safe once the index without those sessions is durable. */
  private afterCommit: (() => Promise<unknown>)[] = [];
  private readonly writer = new GroupCommitWriter(() => this.commit());

  constructor(private readonly options: ResolvedStoreOptions) {
    this.fixes = options.fixes;
    this.paths = storePaths(options.dataDir, options.agentId);
  }

  private get lazy(): boolean {
    return this.fixes.has('lazy');
  }

  private get dedupe(): boolean {
    return this.fixes.has('dedupe');
  }

  /** How many commits have run (fewer than mutations when they were coalesced). */
  get commitCount(): number {
    return this.writer.commitCount;
  }

  async open(): Promise<OpenReport> {
    const started = performance.now();
    await mkdir(this.paths.sessionsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const needsCommit = await this.load();
    await this.sweepAfterCrash();
    // A migration's rewrite and the orphan pass touch different files, so they overlap.
    const rewritten = needsCommit ? this.writer.request() : Promise.resolve();
    rewritten.catch(() => undefined); // awaited below; this only keeps a failing orphan pass from leaving it unhandled
    const orphans = await findOrphanTranscripts(this.paths, this.referencedTranscripts());
    let orphanBytes = orphans.reduce((sum, orphan) => sum + orphan.bytes, 0);
    if (this.fixes.has('orphans')) {
      await mkdir(this.paths.archiveDir, { recursive: true, mode: PRIVATE_DIR_MODE });
      await inParallel(orphans, (orphan) => archiveTranscript(this.paths, orphan.file));
      if (orphans.length > 0) {
        this.options.log(`archived ${orphans.length} orphan transcripts (${orphanBytes} bytes) into ${this.paths.archiveDir}`);
      }
    } else {
      orphanBytes = await warnAboutEachOrphan(this.paths, orphans, this.options.log);
    }
    await rewritten;
    return { sessions: this.index.size, orphanTranscripts: orphans.length, orphanBytes, durationMs: performance.now() - started };
  }

  async create(entry: SessionEntry): Promise<void> {
    assertSessionKey(entry.key);
    assertSafeSegment(entry.sessionId, 'session id');
    assertTranscriptFileName(entry.transcriptFile);
    const previous = this.index.get(entry.key);
    if (previous && previous.sessionId !== entry.sessionId) this.forget(previous);
    const adopted = { ...entry, skillsSnapshot: this.adoptSnapshot(entry.skillsSnapshot) };
    this.keep(adopted);
    await this.writer.request();
  }

  async get(key: string): Promise<SessionEntry | undefined> {
    const record = this.index.get(key);
    if (!record) return undefined;
    const damage = this.damaged.get(key);
    if (damage) throw damage;
    const cached = this.entries.get(key);
    if (cached) {
      if (this.lazy) this.remember(cached);
      return cached;
    }
    const unsaved = this.unsaved.get(key);
    if (unsaved) return this.remember(unsaved);
    let load = this.loading.get(key);
    if (!load) {
      load = this.loadBody(record).finally(() => this.loading.delete(key));
      this.loading.set(key, load);
    }
    return load;
  }

  async update(key: string, patch: Partial<Omit<SessionEntry, 'key' | 'sessionId'>>): Promise<SessionEntry | undefined> {
    if (patch.transcriptFile !== undefined) assertTranscriptFileName(patch.transcriptFile);
    const entry = await this.get(key);
    if (!entry || this.index.get(key)?.sessionId !== entry.sessionId) return undefined;
    Object.assign(entry, patch);
    if (patch.skillsSnapshot) entry.skillsSnapshot = this.adoptSnapshot(patch.skillsSnapshot);
    this.keep(entry);
    await this.writer.request();
    return entry;
  }

  async updateMany(keys: readonly string[], patchOf: (entry: SessionEntry) => SessionPatch | undefined): Promise<SessionEntry[]> {
    const changed: SessionEntry[] = [];
    // Every entry is changed in memory first; the one request below then carries them all in a single commit.
    await inParallel(keys, async (key) => {
      const entry = await this.get(key).catch((error: unknown) => {
        if (error instanceof DamagedSessionError) return undefined; // already reported when it was found
        throw error;
      });
      const patch = entry && patchOf(entry);
      if (!entry || !patch) return;
      Object.assign(entry, patch);
      this.keep(entry);
      changed.push(entry);
    });
    if (changed.length > 0) await this.writer.request();
    return changed;
  }

  async delete(key: string): Promise<boolean> {
    const record = this.index.get(key);
    if (!record) return false;
    this.forget(record);
    await this.writer.request();
    return true;
  }

  list(filter: SessionFilter = {}): SessionIndexEntry[] {
    const listed: SessionIndexEntry[] = [];
    for (const { key, sessionId, kind, status, updatedAt, transcriptFile } of this.index.values()) {
      if ((filter.kind && kind !== filter.kind) || (filter.status && status !== filter.status)) continue;
      listed.push({ key, sessionId, kind, status, updatedAt, transcriptFile });
    }
    return listed;
  }

  /** Removes sub-agents and cron runs that ended at least pruneAfterMs ago; their transcripts go to the archive. */
  async prune(now: number = this.options.now()): Promise<number> {
    if (!this.fixes.has('prune')) return 0;
    const cutoff = now - this.options.pruneAfterMs;
    const ended = [...this.index.values()].filter(
      (record) => EPHEMERAL_KINDS.has(record.kind) && ENDED_STATUSES.has(record.status) && (record.endedAt ?? record.updatedAt) <= cutoff,
    );
    for (const record of ended) this.forget(record);
    if (ended.length > 0) await this.writer.request();
    return ended.length;
  }

  async stats(): Promise<StoreStats> {
    const sessionsFileBytes = await stat(this.paths.sessionsFile).then((s) => s.size, () => 0);
    const totals = await transcriptTotals(this.paths, this.referencedTranscripts());
    const skillSnapshotBlobs = this.dedupe
      ? (await readdir(this.paths.snapshotsDir).catch(() => [] as string[])).filter((name) => /^[0-9a-f]{64}\.json$/.test(name)).length
      : this.index.size;
    return { sessionsFileBytes, ...totals, skillSnapshotBlobs, damaged: [...this.damaged.values()].map(({ key, file, problem }) => ({ key, file, problem })) };
  }

  async flush(): Promise<void> {
    await this.writer.idle();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  /**
   * A process killed mid-commit leaves temp files, and body files written for sessions whose index never became
   * durable (they were never acknowledged). Both are removed so crashes do not make the data dir grow.
   */
  private async sweepAfterCrash(): Promise<void> {
    let removed = 0;
    for (const dir of [this.paths.sessionsDir, this.paths.snapshotsDir, this.paths.entriesDir]) removed += await removeStaleTempFiles(dir);
    const bodies = new Set(bodyFileNames(await this.listEntriesDir()));
    const named = new Set([...this.index.values()].map((record) => `${record.sessionId}.json`));
    const stray = this.lazy ? [...bodies].filter((name) => !named.has(name)) : [];
    await inParallel(stray, (name) => unlink(path.join(this.paths.entriesDir, name)).catch(ignoreMissing));
    if (removed + stray.length > 0) this.options.log(`removed ${stray.length} entry files and ${removed} temp files left by an interrupted write`);
    if (!this.lazy) return;
    // The listing just read tells, for free, which sessions the index names without a body to load.
    for (const record of this.index.values()) {
      if (!bodies.has(`${record.sessionId}.json`) && !this.unsaved.has(record.key)) {
        this.markDamaged(record, entryBodyPath(this.paths, record.sessionId), 'its entry file is missing');
      }
    }
  }

  /** The names in entries/, none when it does not exist yet; a file where that folder belongs stops the open. */
  private async listEntriesDir(): Promise<string[]> {
    try {
      return await readdir(this.paths.entriesDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw asDataDirError(error);
    }
  }

  private markDamaged(record: IndexRecord, file: string, problem: string): DamagedSessionError {
    const known = this.damaged.get(record.key);
    if (known) return known;
    const damage = new DamagedSessionError(record.key, file, problem);
    this.damaged.set(record.key, damage);
    this.options.log(`warning: ${damage.message}`);
    return damage;
  }

  /**
   * sessions.json is gone but entry bodies remain (deleted by hand, or lost with its disk): the bodies are the
   * sessions, so the index is rebuilt from them. Reading a missing index as "nothing committed" would sweep every
   * body away as left over from an interrupted write and archive every transcript. A body that cannot be read
   * stops the open before anything is written.
   */
  private async rebuildIndexFromBodies(): Promise<boolean> {
    const names = bodyFileNames(await this.listEntriesDir());
    if (names.length === 0) return false;
    this.options.log(`${this.paths.sessionsFile} is missing but ${this.paths.entriesDir} holds ${names.length} entry files: rebuilding the index from them`);
    const bodies: StoredEntry[] = [];
    await inParallel(names, async (name) => {
      const file = path.join(this.paths.entriesDir, name);
      bodies.push(checkEntryBody(file, parseStoreJson(file, await readFile(file, 'utf8'))));
    });
    // A key replaced before its old body was removed has two bodies: the later one is the session.
    const latest = new Map<string, StoredEntry>();
    for (const body of bodies) if ((latest.get(body.key)?.updatedAt ?? -Infinity) <= body.updatedAt) latest.set(body.key, body);
    if (this.lazy) {
      for (const body of latest.values()) this.index.set(body.key, indexRecordOf(body));
    } else {
      await this.loadEntries([...latest.values()]);
      this.afterCommit.push(...names.map((name) => () => unlink(path.join(this.paths.entriesDir, name)).catch(ignoreMissing)));
    }
    return true;
  }

  /** Reads sessions.json in whichever layout it was left (or the naive format); true when it must be rewritten. */
  private async load(): Promise<boolean> {
    const file = this.paths.sessionsFile;
    const text = await readSessionsFile(this.paths);
    if (text === undefined) return this.rebuildIndexFromBodies();
    const parsed = parseStoreJson(file, text);
    if (typeof parsed === 'object' && parsed !== null && 'format' in parsed) {
      const stored = this.checkDedupFile(text, parsed);
      if (stored.layout === 'entries') {
        return this.loadEntries(Object.entries(stored.sessions).map(([key, record]) => ({ ...(record as StoredEntry), key })));
      }
      for (const [key, record] of Object.entries(stored.sessions)) this.index.set(key, { ...(record as Omit<IndexRecord, 'key'>), key });
      if (this.lazy) return false;
      // Switching lazy off: bring every body into memory, then write them back into sessions.json.
      const records = [...this.index.values()];
      await inParallel(records, async (record) => {
        const entry = await this.loadBody(record);
        if (entry) this.entries.set(record.key, entry);
      });
      this.afterCommit.push(...records.map((record) => () => unlink(entryBodyPath(this.paths, record.sessionId)).catch(ignoreMissing)));
      return true;
    }
    const naive = checkNaiveSessions(file, text, parsed);
    // The naive store also wrote each cron run under its job's key; that second copy is not carried over.
    const entries = Object.entries(naive).filter(([key, entry]) => key === entry.key).map(([, entry]) => entry);
    const dropped = Object.keys(naive).length - entries.length;
    this.options.log(
      `migrating naive-format ${file}: ${entries.length} sessions` + (dropped > 0 ? `, ${dropped} duplicate cron-job copies dropped` : ''),
    );
    await this.loadEntries(entries);
    return true;
  }

  private async loadEntries(stored: StoredEntry[]): Promise<boolean> {
    let rewrite = this.lazy;
    for (const record of stored) {
      rewrite ||= this.dedupe !== (record.skillsSnapshotRef !== undefined);
      const entry = await this.fromStored(record);
      this.index.set(entry.key, indexRecordOf(entry));
      if (this.lazy) {
        this.unsaved.set(entry.key, entry);
        this.dirty.add(entry.key);
      } else this.entries.set(entry.key, entry);
    }
    return rewrite;
  }

  private checkDedupFile(text: string, parsed: object): DedupSessionsFile {
    const file = this.paths.sessionsFile;
    const stored = parsed as Partial<DedupSessionsFile>;
    if (stored.format !== FORMAT || (stored.layout !== 'index' && stored.layout !== 'entries')) {
      throw CorruptStoreError.at(file, text, `unknown store format ${JSON.stringify(stored.format)} / layout ${JSON.stringify(stored.layout)} (expected ${FORMAT})`, 0);
    }
    if (typeof stored.sessions !== 'object' || stored.sessions === null || Array.isArray(stored.sessions)) {
      throw CorruptStoreError.at(file, text, "field 'sessions' is not an object", 0);
    }
    for (const [key, record] of Object.entries(stored.sessions)) {
      const fail = (detail: string): never => {
        throw CorruptStoreError.at(file, text, `entry ${JSON.stringify(key)}: ${detail}`, Math.max(0, text.indexOf(`${JSON.stringify(key)}:`)));
      };
      if (typeof record !== 'object' || record === null) fail('not an object');
      try {
        assertSessionKey(key);
        assertSafeSegment(record.sessionId as string, 'session id');
        assertTranscriptFileName(record.transcriptFile as string);
      } catch (error) {
        fail((error as Error).message);
      }
      // An index record carries no creation time or count; a whole entry (layout `entries`) does.
      const problem = entryFieldProblem(record, stored.layout === 'entries' ? ['createdAt', 'updatedAt', 'messageCount'] : ['updatedAt']);
      if (problem) fail(problem);
      if (stored.layout === 'entries' && typeof record.skillsSnapshotRef !== 'string' && typeof record.skillsSnapshot !== 'object') {
        fail('neither skillsSnapshot nor skillsSnapshotRef');
      }
    }
    return stored as DedupSessionsFile;
  }

  private async loadBody(record: IndexRecord): Promise<SessionEntry | undefined> {
    const file = entryBodyPath(this.paths, record.sessionId);
    let entry: SessionEntry;
    try {
      entry = await this.fromStored(checkEntryBody(file, parseStoreJson(file, await readFile(file, 'utf8')), record));
    } catch (error) {
      if (this.index.get(record.key)?.sessionId !== record.sessionId) return undefined;
      throw this.markDamaged(record, file, damageOf(error, file));
    }
    // Deleted, pruned or replaced while the file was read: the caller gets what the index says now.
    if (this.index.get(record.key)?.sessionId !== entry.sessionId) return undefined;
    return this.remember(entry);
  }

  private async fromStored(stored: StoredEntry): Promise<SessionEntry> {
    const { skillsSnapshotRef, skillsSnapshot, ...fields } = stored;
    if (skillsSnapshotRef !== undefined) {
      const shared = await this.loadSnapshot(skillsSnapshotRef);
      return { ...fields, skillsSnapshot: this.dedupe ? shared : structuredClone(shared) };
    }
    // Parsed from JSON, the inline copy is already this entry's own; with dedupe it is swapped for the shared one.
    const own = skillsSnapshot as SkillsSnapshot;
    return { ...fields, skillsSnapshot: this.dedupe ? this.shareSnapshot(own, false) : own };
  }

  private loadSnapshot(hash: string): Promise<SkillsSnapshot> {
    const known = this.snapshots.get(hash);
    if (known) return Promise.resolve(known);
    let load = this.snapshotLoads.get(hash);
    if (!load) {
      const file = snapshotBlobPath(this.paths, hash);
      load = readFile(file, 'utf8').then((text) => {
        const snapshot = parseStoreJson(file, text) as SkillsSnapshot;
        if (!this.dedupe) return snapshot;
        this.snapshots.set(hash, snapshot);
        this.hashOf.set(snapshot, hash);
        return snapshot;
      });
      this.snapshotLoads.set(hash, load);
      load.catch(() => this.snapshotLoads.delete(hash));
    }
    return load;
  }

  /** With dedupe, the shared object for this content; without, the entry's own deep copy, as naive does. */
  private adoptSnapshot(snapshot: SkillsSnapshot): SkillsSnapshot {
    return this.dedupe ? this.shareSnapshot(snapshot, true) : structuredClone(snapshot);
  }

  private shareSnapshot(snapshot: SkillsSnapshot, copyIfNew: boolean): SkillsSnapshot {
    // The gateway hands the same snapshot object to every create, so it is hashed once, not per session.
    const hash = this.hashOf.get(snapshot) ?? sha256(JSON.stringify(snapshot));
    const known = this.snapshots.get(hash);
    if (known) return known;
    const shared = copyIfNew ? structuredClone(snapshot) : snapshot;
    this.snapshots.set(hash, shared);
    this.hashOf.set(shared, hash);
    this.hashOf.set(snapshot, hash);
    this.unsavedSnapshots.add(hash);
    return shared;
  }

  private toStored(entry: SessionEntry): StoredEntry {
    if (!this.dedupe) return entry;
    const { skillsSnapshot, ...fields } = entry;
    return { ...fields, skillsSnapshotRef: this.hashOf.get(skillsSnapshot) ?? sha256(JSON.stringify(skillsSnapshot)) };
  }

  /** Records a new or changed entry in memory; the caller then waits for the commit that makes it durable. */
  private keep(entry: SessionEntry): void {
    this.damaged.delete(entry.key);
    this.index.set(entry.key, indexRecordOf(entry));
    if (!this.lazy) {
      this.entries.set(entry.key, entry);
      return;
    }
    this.unsaved.set(entry.key, entry);
    this.dirty.add(entry.key);
    this.remember(entry);
  }

  /** Drops a session from memory now; its body and transcript leave once an index without it is durable. */
  private forget(record: IndexRecord): void {
    this.damaged.delete(record.key);
    this.index.delete(record.key);
    this.entries.delete(record.key);
    this.unsaved.delete(record.key);
    this.dirty.delete(record.key);
    this.afterCommit.push(() => archiveTranscript(this.paths, record.transcriptFile));
    if (this.lazy) this.afterCommit.push(() => unlink(entryBodyPath(this.paths, record.sessionId)).catch(ignoreMissing));
  }

  /** lazy: marks an entry most recently used and evicts the least recently used beyond cacheSize. */
  private remember(entry: SessionEntry): SessionEntry {
    if (!this.lazy) return entry;
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.options.cacheSize) break;
      this.entries.delete(key);
    }
    return entry;
  }

  private referencedTranscripts(): Set<string> {
    return new Set([...this.index.values()].map((record) => record.transcriptFile));
  }

  private serializeSessions(): string {
    const sessions: Record<string, unknown> = {};
    for (const [key, record] of this.index) {
      if (this.lazy) {
        const { key: _key, ...rest } = record;
        sessions[key] = rest;
      } else sessions[key] = this.toStored(this.entries.get(key) as SessionEntry);
    }
    return JSON.stringify({ format: FORMAT, layout: this.lazy ? 'index' : 'entries', sessions });
  }

  /**
   * One group commit: new snapshot blobs, then changed entry bodies, then sessions.json, so the index never names
   * a file that is not durable; then the clean-ups of sessions it no longer names. What it writes is taken
   * synchronously at the start, so a change made while it runs waits for the next commit.
   */
  private async commit(): Promise<void> {
    const blobs = [...this.unsavedSnapshots];
    this.unsavedSnapshots.clear();
    const bodies = [...this.dirty].map((key) => {
      const entry = this.unsaved.get(key) as SessionEntry;
      return { key, entry, file: entryBodyPath(this.paths, entry.sessionId), text: JSON.stringify(this.toStored(entry)) };
    });
    this.dirty.clear();
    const sessionsText = this.serializeSessions();
    const cleanups = this.afterCommit;
    this.afterCommit = [];
    try {
      if (blobs.length > 0) {
        await mkdir(this.paths.snapshotsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
        await inParallel(blobs, (hash) => writeFileAtomic(snapshotBlobPath(this.paths, hash), JSON.stringify(this.snapshots.get(hash))));
      }
      if (bodies.length > 0) {
        await mkdir(this.paths.entriesDir, { recursive: true, mode: PRIVATE_DIR_MODE });
        await inParallel(bodies, (body) => writeFileAtomic(body.file, body.text, { syncFolder: false }));
        await syncDir(this.paths.entriesDir);
      }
      await writeFileAtomic(this.paths.sessionsFile, sessionsText);
    } catch (error) {
      for (const hash of blobs) this.unsavedSnapshots.add(hash);
      for (const body of bodies) if (this.unsaved.get(body.key) === body.entry) this.dirty.add(body.key);
      this.afterCommit.unshift(...cleanups);
      throw error;
    }
    for (const body of bodies) if (!this.dirty.has(body.key) && this.unsaved.get(body.key) === body.entry) this.unsaved.delete(body.key);
    for (const cleanup of cleanups) {
      await cleanup().catch((error: Error) => this.options.log(`warning: clean-up after a store write failed: ${error.message}`));
    }
  }
}
