// The dedup store's full entries. Under `lazy` each lives in its own `entries/<sessionId>.json`, loaded on demand
// through a bounded cache (least recently used leaves first) and written by the next commit; without it every
// entry stays in memory. A body that cannot be used makes its session damaged, not the store.
import { mkdir, readdir } from 'node:fs/promises';
import { syncDir, writeFileAtomic } from './atomicWrite.ts';
import { CorruptStoreError } from './corruptStoreError.ts';
import { DamagedSessionError } from './damagedSessionError.ts';
import { asDataDirError } from './dataDirError.ts';
import { inParallel } from './inParallel.ts';
import { PRIVATE_DIR_MODE, entryBodyPath, type StorePaths } from './paths.ts';
import type { IndexRecord, SessionIndex } from './sessionIndex.ts';
import type { SessionEntry, StoreStats } from './sessionStore.ts';
import type { SnapshotBlobStore } from './snapshotBlobs.ts';
import { readStoreJson } from './storeFiles.ts';
import { checkEntryBody } from './storeFormat.ts';

/** One body a commit writes, with the entry it was taken from to tell whether it changed again meanwhile. */
export interface BodyWrite {
  key: string;
  entry: SessionEntry;
  file: string;
  text: string;
}

export interface EntryBodiesOptions {
  lazy: boolean;
  cacheSize: number;
  log: (line: string) => void;
}

/** The entry body file names in entries/ (temp files start with a dot); none when it does not exist yet. */
export async function listEntryBodyFiles(paths: StorePaths): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(paths.entriesDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw asDataDirError(error); // a file where that folder belongs stops the open
  }
  return names.filter((name) => name.endsWith('.json') && !name.startsWith('.'));
}

/** What made a body unusable, in words: its own file missing is told apart from the blob it names being gone. */
function damageOf(error: unknown, bodyFile: string): string {
  if (error instanceof CorruptStoreError) return error.detail;
  const fsError = error as NodeJS.ErrnoException;
  if (fsError.code === 'ENOENT') return fsError.path === bodyFile ? 'its entry file is missing' : `its skills snapshot blob ${fsError.path} is missing`;
  return (error as Error).message;
}

export class EntryBodies {
  /** Without `lazy`: every full entry. With `lazy`: the bounded cache, least recently used first. */
  private readonly entries = new Map<string, SessionEntry>();
  /** lazy: entries whose body file is not durable yet (waiting in `dirty`, or being written). */
  private readonly unsaved = new Map<string, SessionEntry>();
  private readonly dirty = new Set<string>();
  private readonly loading = new Map<string, Promise<SessionEntry | undefined>>();
  /** Sessions whose body cannot be used; answered with a DamagedSessionError until deleted or replaced. */
  private readonly damaged = new Map<string, DamagedSessionError>();

  constructor(
    private readonly paths: StorePaths,
    private readonly index: SessionIndex,
    private readonly blobs: SnapshotBlobStore,
    private readonly options: EntryBodiesOptions,
  ) {}

  /** The full entry of an indexed session: from memory, or its body file read once however many ask at once. */
  async get(record: IndexRecord): Promise<SessionEntry | undefined> {
    const damage = this.damaged.get(record.key);
    if (damage) throw damage;
    const cached = this.entries.get(record.key);
    if (cached) {
      if (this.options.lazy) this.remember(cached);
      return cached;
    }
    const unsaved = this.unsaved.get(record.key);
    if (unsaved) return this.remember(unsaved);
    let load = this.loading.get(record.key);
    if (!load) {
      load = this.load(record).finally(() => this.loading.delete(record.key));
      this.loading.set(record.key, load);
    }
    return load;
  }

  /** Without `lazy`: the entry of a session the index holds (every one is in memory), for sessions.json. */
  whole(key: string): SessionEntry {
    return this.entries.get(key) as SessionEntry;
  }

  /** Records a new or changed entry in memory; the next commit writes its body. */
  keep(entry: SessionEntry): void {
    this.damaged.delete(entry.key);
    if (!this.options.lazy) {
      this.entries.set(entry.key, entry);
      return;
    }
    this.unsaved.set(entry.key, entry);
    this.dirty.add(entry.key);
    this.remember(entry);
  }

  /** An entry read at open: held in memory, or under `lazy` written to its own body by the first commit. */
  adoptLoaded(entry: SessionEntry): void {
    if (this.options.lazy) {
      this.unsaved.set(entry.key, entry);
      this.dirty.add(entry.key);
    } else this.entries.set(entry.key, entry);
  }

  /** Switching `lazy` off at open: every indexed body is read into memory (a damaged one stops the open). */
  async loadAll(records: readonly IndexRecord[]): Promise<void> {
    await inParallel(records, async (record) => {
      const entry = await this.load(record);
      if (entry) this.entries.set(record.key, entry);
    });
  }

  forget(key: string): void {
    this.damaged.delete(key);
    this.entries.delete(key);
    this.unsaved.delete(key);
    this.dirty.delete(key);
  }

  /** Under `lazy`, marks damaged every indexed session with no body in `present` (a listing of entries/). */
  markMissing(present: ReadonlySet<string>): void {
    if (!this.options.lazy) return;
    for (const record of this.index.values()) {
      if (!present.has(`${record.sessionId}.json`) && !this.unsaved.has(record.key)) {
        this.markDamaged(record, entryBodyPath(this.paths, record.sessionId), 'its entry file is missing');
      }
    }
  }

  damagedSessions(): StoreStats['damaged'] {
    return [...this.damaged.values()].map(({ key, file, problem }) => ({ key, file, problem }));
  }

  /** The bodies a commit starting now must write, serialised now; later changes wait for the next one. */
  takeDirty(): BodyWrite[] {
    const bodies = [...this.dirty].map((key) => {
      const entry = this.unsaved.get(key) as SessionEntry;
      return { key, entry, file: entryBodyPath(this.paths, entry.sessionId), text: JSON.stringify(this.blobs.toStored(entry)) };
    });
    this.dirty.clear();
    return bodies;
  }

  /** Writes the bodies durably, with one sync of their folder, before the index naming them is written. */
  async write(bodies: readonly BodyWrite[]): Promise<void> {
    if (bodies.length === 0) return;
    await mkdir(this.paths.entriesDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await inParallel(bodies, (body) => writeFileAtomic(body.file, body.text, { syncFolder: false }));
    await syncDir(this.paths.entriesDir);
  }

  /** The commit failed: bodies not changed or dropped since are written by the next one. */
  restoreDirty(bodies: readonly BodyWrite[]): void {
    for (const body of bodies) if (this.unsaved.get(body.key) === body.entry) this.dirty.add(body.key);
  }

  /** The commit is durable: bodies not changed since can be evicted like any other. */
  settle(bodies: readonly BodyWrite[]): void {
    for (const body of bodies) if (!this.dirty.has(body.key) && this.unsaved.get(body.key) === body.entry) this.unsaved.delete(body.key);
  }

  private async load(record: IndexRecord): Promise<SessionEntry | undefined> {
    const file = entryBodyPath(this.paths, record.sessionId);
    let entry: SessionEntry;
    try {
      entry = await this.blobs.inflate(checkEntryBody(file, await readStoreJson(file), record));
    } catch (error) {
      if (!this.index.isCurrent(record.key, record.sessionId)) return undefined;
      throw this.markDamaged(record, file, damageOf(error, file));
    }
    // Deleted, pruned or replaced while the file was read: the caller gets what the index says now.
    if (!this.index.isCurrent(record.key, entry.sessionId)) return undefined;
    return this.remember(entry);
  }

  private markDamaged(record: IndexRecord, file: string, problem: string): DamagedSessionError {
    const known = this.damaged.get(record.key);
    if (known) return known;
    const damage = new DamagedSessionError(record.key, file, problem);
    this.damaged.set(record.key, damage);
    this.options.log(`warning: ${damage.message}`);
    return damage;
  }

  /** lazy: marks an entry most recently used and evicts the least recently used beyond cacheSize. */
  private remember(entry: SessionEntry): SessionEntry {
    if (!this.options.lazy) return entry;
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.options.cacheSize) break;
      this.entries.delete(key);
    }
    return entry;
  }
}
