// The naive session store, faithful to OpenClaw #55334: the whole sessions.json is loaded with one JSON.parse,
// every entry holds its own deep copy of the ~41 KB skillsSnapshot, a cron run is written under its job's key
// too, nothing is ever pruned, every mutation rewrites the whole file, and at every open each orphan transcript
// is read in full and warned about, then left where it is.
import { mkdir, stat } from 'node:fs/promises';
import { assertSafeSegment, assertSessionKey, cronJobKey } from '../keys.ts';
import { findOrphanTranscripts, transcriptTotals } from '../transcripts.ts';
import { removeStaleTempFiles, writeFileAtomic } from './atomicWrite.ts';
import { parseStoreJson } from './corruptStoreError.ts';
import type { ResolvedStoreOptions } from './createStore.ts';
import { warnAboutEachOrphan } from './orphanTranscripts.ts';
import { PRIVATE_DIR_MODE, assertTranscriptFileName, storePaths, type StorePaths } from './paths.ts';
import { readSessionsFile } from './storeFiles.ts';
import { checkNaiveSessions } from './storeFormat.ts';
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
