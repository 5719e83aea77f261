// The deduplicated session store: the fixed design beside the naive one, composed of one part per concern (see
// "The session stores" in docs/ARCHITECTURE.md). Each fix is a switch so its effect can be measured alone: `prune`
// (ended sub-agents and cron runs leave after a retention), `dedupe` (one skills snapshot per sha256, shared),
// `orphans` (archived in one pass at open), `lazy` (only an index in memory, entry bodies in per-session files
// behind a bounded cache). A fix switched off behaves as the naive store does.
import { mkdir, stat } from 'node:fs/promises';
import { assertSafeSegment, assertSessionKey } from '../keys.ts';
import { archiveTranscript, findOrphanTranscripts, transcriptTotals } from '../transcripts.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import type { ResolvedStoreOptions } from './createStore.ts';
import { sweepAfterCrash } from './crashSweep.ts';
import { DamagedSessionError } from './damagedSessionError.ts';
import { EntryBodies } from './entryBodies.ts';
import { GroupCommitWriter, PendingCleanups } from './groupCommit.ts';
import { inParallel } from './inParallel.ts';
import { loadSessions } from './loadSessions.ts';
import { archiveOrphans, warnAboutEachOrphan } from './orphanTranscripts.ts';
import { PRIVATE_DIR_MODE, assertTranscriptFileName, entryBodyPath, storePaths, type StorePaths } from './paths.ts';
import { SessionIndex, indexRecordOf, type IndexRecord } from './sessionIndex.ts';
import type { Fix, OpenReport, SessionEntry, SessionFilter, SessionIndexEntry, SessionPatch, SessionStore, StoreStats } from './sessionStore.ts';
import { SnapshotBlobStore } from './snapshotBlobs.ts';
import { removeIfPresent } from './storeFiles.ts';
import { dedupSessionsText } from './storeFormat.ts';

export class DedupSessionStore implements SessionStore {
  readonly kind = 'dedup' as const;
  readonly fixes: ReadonlySet<Fix>;
  readonly paths: StorePaths;
  private readonly index = new SessionIndex();
  private readonly blobs: SnapshotBlobStore;
  private readonly bodies: EntryBodies;
  private readonly cleanups = new PendingCleanups();
  private readonly writer = new GroupCommitWriter(() => this.commit());

  constructor(private readonly options: ResolvedStoreOptions) {
    this.fixes = options.fixes;
    this.paths = storePaths(options.dataDir, options.agentId);
    this.blobs = new SnapshotBlobStore(this.paths, this.fixes.has('dedupe'));
    this.bodies = new EntryBodies(this.paths, this.index, this.blobs, { lazy: this.lazy, cacheSize: options.cacheSize, log: options.log });
  }

  private get lazy(): boolean {
    return this.fixes.has('lazy');
  }

  /** How many commits have run (fewer than mutations when they were coalesced). */
  get commitCount(): number {
    return this.writer.commitCount;
  }

  async open(): Promise<OpenReport> {
    const started = performance.now();
    await mkdir(this.paths.sessionsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const needsCommit = await this.load();
    const bodyFiles = await sweepAfterCrash(this.paths, this.lazy ? this.index.bodyFileNames() : undefined, this.options.log);
    this.bodies.markMissing(bodyFiles);
    // A migration's rewrite and the orphan pass touch different files, so they overlap.
    const rewritten = needsCommit ? this.writer.request() : Promise.resolve();
    rewritten.catch(() => undefined); // awaited below; this only keeps a failing orphan pass from leaving it unhandled
    const orphans = await findOrphanTranscripts(this.paths, this.index.transcriptFiles());
    const orphanBytes = this.fixes.has('orphans')
      ? await archiveOrphans(this.paths, orphans, this.options.log)
      : await warnAboutEachOrphan(this.paths, orphans, this.options.log);
    await rewritten;
    return { sessions: this.index.size, orphanTranscripts: orphans.length, orphanBytes, durationMs: performance.now() - started };
  }

  async create(entry: SessionEntry): Promise<void> {
    assertSessionKey(entry.key);
    assertSafeSegment(entry.sessionId, 'session id');
    assertTranscriptFileName(entry.transcriptFile);
    const previous = this.index.get(entry.key);
    if (previous && previous.sessionId !== entry.sessionId) this.forget(previous);
    this.keep({ ...entry, skillsSnapshot: this.blobs.adopt(entry.skillsSnapshot) });
    await this.writer.request();
  }

  async get(key: string): Promise<SessionEntry | undefined> {
    const record = this.index.get(key);
    return record ? this.bodies.get(record) : undefined;
  }

  async update(key: string, patch: SessionPatch): Promise<SessionEntry | undefined> {
    if (patch.transcriptFile !== undefined) assertTranscriptFileName(patch.transcriptFile);
    const entry = await this.get(key);
    if (!entry || !this.index.isCurrent(key, entry.sessionId)) return undefined;
    Object.assign(entry, patch);
    if (patch.skillsSnapshot) entry.skillsSnapshot = this.blobs.adopt(patch.skillsSnapshot);
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
    return this.index.list(filter);
  }

  /** Removes sub-agents and cron runs that ended at least pruneAfterMs ago; their transcripts go to the archive. */
  async prune(now: number = this.options.now()): Promise<number> {
    if (!this.fixes.has('prune')) return 0;
    const ended = this.index.endedEphemeral(now - this.options.pruneAfterMs);
    for (const record of ended) this.forget(record);
    if (ended.length > 0) await this.writer.request();
    return ended.length;
  }

  async stats(): Promise<StoreStats> {
    const sessionsFileBytes = await stat(this.paths.sessionsFile).then((s) => s.size, () => 0);
    const totals = await transcriptTotals(this.paths, this.index.transcriptFiles());
    const skillSnapshotBlobs = this.fixes.has('dedupe') ? await this.blobs.countOnDisk() : this.index.size;
    return { sessionsFileBytes, ...totals, skillSnapshotBlobs, damaged: this.bodies.damagedSessions() };
  }

  async flush(): Promise<void> {
    await this.writer.idle();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  /** Takes in what sessions.json (or, without it, entries/) holds; true when sessions.json must be rewritten. */
  private async load(): Promise<boolean> {
    const found = await loadSessions(this.paths, this.fixes, this.options.log);
    for (const record of found.records) this.index.set(record);
    if (!this.lazy) await this.bodies.loadAll(found.records);
    for (const stored of found.entries) {
      const entry = await this.blobs.inflate(stored);
      this.index.set(indexRecordOf(entry));
      this.bodies.adoptLoaded(entry);
    }
    this.cleanups.add(...found.obsoleteFiles.map((file) => () => removeIfPresent(file)));
    return found.rewrite;
  }

  /** Records a new or changed entry in memory; the caller then waits for the commit that makes it durable. */
  private keep(entry: SessionEntry): void {
    this.index.set(indexRecordOf(entry));
    this.bodies.keep(entry);
  }

  /** Drops a session from memory now; its body and transcript leave once an index without it is durable. */
  private forget(record: IndexRecord): void {
    this.index.delete(record.key);
    this.bodies.forget(record.key);
    this.cleanups.add(() => archiveTranscript(this.paths, record.transcriptFile));
    if (this.lazy) this.cleanups.add(() => removeIfPresent(entryBodyPath(this.paths, record.sessionId)));
  }

  private sessionsText(): string {
    if (this.lazy) return dedupSessionsText('index', this.index.toStoredIndex());
    const sessions: Record<string, unknown> = {};
    for (const { key } of this.index.values()) sessions[key] = this.blobs.toStored(this.bodies.whole(key));
    return dedupSessionsText('entries', sessions);
  }

  /**
   * One group commit: new snapshot blobs, then changed entry bodies, then sessions.json, so the index never names
   * a file that is not durable; then the clean-ups of sessions it no longer names. What it writes is taken
   * synchronously at the start, so a change made while it runs waits for the next commit.
   */
  private async commit(): Promise<void> {
    const blobs = this.blobs.takeUnsaved();
    const bodies = this.bodies.takeDirty();
    const sessionsText = this.sessionsText();
    const cleanups = this.cleanups.take();
    try {
      await this.blobs.write(blobs);
      await this.bodies.write(bodies);
      await writeFileAtomic(this.paths.sessionsFile, sessionsText);
    } catch (error) {
      this.blobs.restoreUnsaved(blobs);
      this.bodies.restoreDirty(bodies);
      this.cleanups.restore(cleanups);
      throw error;
    }
    this.bodies.settle(bodies);
    await this.cleanups.run(cleanups, this.options.log);
  }
}
