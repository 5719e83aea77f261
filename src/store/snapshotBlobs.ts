// The content-addressed skills-snapshot blob store behind the `dedupe` fix: one `snapshots/<sha256>.json` per
// distinct snapshot and one shared object in memory per hash, so a session holds a 64-character reference instead
// of its own ~41 KB copy. Without `dedupe` every entry keeps its own copy inline, as the naive store does.
import { createHash } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { writeFileAtomic } from './atomicWrite.ts';
import { inParallel } from './inParallel.ts';
import { PRIVATE_DIR_MODE, snapshotBlobPath, type StorePaths } from './paths.ts';
import type { SessionEntry, SkillsSnapshot } from './sessionStore.ts';
import { readStoreJson } from './storeFiles.ts';
import type { StoredEntry } from './storeFormat.ts';

const BLOB_NAME = /^[0-9a-f]{64}\.json$/;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class SnapshotBlobStore {
  /** dedupe: the one shared object per distinct snapshot, by sha256. */
  private readonly shared = new Map<string, SkillsSnapshot>();
  private readonly loads = new Map<string, Promise<SkillsSnapshot>>();
  private readonly hashOf = new WeakMap<SkillsSnapshot, string>();
  /** Hashes whose blob file is not durable yet. */
  private unsaved = new Set<string>();

  constructor(
    private readonly paths: StorePaths,
    private readonly dedupe: boolean,
  ) {}

  /** With dedupe, the shared object for this content; without, the entry's own deep copy, as naive does. */
  adopt(snapshot: SkillsSnapshot): SkillsSnapshot {
    return this.dedupe ? this.share(snapshot, true) : structuredClone(snapshot);
  }

  /** A stored entry made whole: a referenced blob read (shared, or copied without dedupe), an inline copy shared. */
  async inflate(stored: StoredEntry): Promise<SessionEntry> {
    const { skillsSnapshotRef, skillsSnapshot, ...fields } = stored;
    if (skillsSnapshotRef !== undefined) {
      const shared = await this.load(skillsSnapshotRef);
      return { ...fields, skillsSnapshot: this.dedupe ? shared : structuredClone(shared) };
    }
    // Parsed from JSON, the inline copy is already this entry's own; with dedupe it is swapped for the shared one.
    const own = skillsSnapshot as SkillsSnapshot;
    return { ...fields, skillsSnapshot: this.dedupe ? this.share(own, false) : own };
  }

  /** An entry as it is written: with dedupe its snapshot becomes a reference to its blob. */
  toStored(entry: SessionEntry): StoredEntry {
    if (!this.dedupe) return entry;
    const { skillsSnapshot, ...fields } = entry;
    return { ...fields, skillsSnapshotRef: this.hashOf.get(skillsSnapshot) ?? sha256(JSON.stringify(skillsSnapshot)) };
  }

  /** The hashes a commit starting now must write; later snapshots wait for the next one. */
  takeUnsaved(): string[] {
    const taken = [...this.unsaved];
    this.unsaved.clear();
    return taken;
  }

  /** The commit that took them failed: the next one writes them. */
  restoreUnsaved(hashes: readonly string[]): void {
    for (const hash of hashes) this.unsaved.add(hash);
  }

  /** Writes the blobs of `hashes` durably, before any entry naming them is written. */
  async write(hashes: readonly string[]): Promise<void> {
    if (hashes.length === 0) return;
    await mkdir(this.paths.snapshotsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await inParallel(hashes, (hash) => writeFileAtomic(snapshotBlobPath(this.paths, hash), JSON.stringify(this.shared.get(hash))));
  }

  /** How many blob files are on disk (none when the folder does not exist yet). */
  async countOnDisk(): Promise<number> {
    return (await readdir(this.paths.snapshotsDir).catch(() => [] as string[])).filter((name) => BLOB_NAME.test(name)).length;
  }

  /** Reads a blob once however many entries ask for it at the same time. */
  private load(hash: string): Promise<SkillsSnapshot> {
    const known = this.shared.get(hash);
    if (known) return Promise.resolve(known);
    let load = this.loads.get(hash);
    if (!load) {
      load = readStoreJson(snapshotBlobPath(this.paths, hash)).then((parsed) => {
        const snapshot = parsed as SkillsSnapshot;
        if (!this.dedupe) return snapshot;
        this.shared.set(hash, snapshot);
        this.hashOf.set(snapshot, hash);
        return snapshot;
      });
      this.loads.set(hash, load);
      load.catch(() => this.loads.delete(hash));
    }
    return load;
  }

  private share(snapshot: SkillsSnapshot, copyIfNew: boolean): SkillsSnapshot {
    // The gateway hands the same snapshot object to every create, so it is hashed once, not per session.
    const hash = this.hashOf.get(snapshot) ?? sha256(JSON.stringify(snapshot));
    const known = this.shared.get(hash);
    if (known) return known;
    const shared = copyIfNew ? structuredClone(snapshot) : snapshot;
    this.shared.set(hash, shared);
    this.hashOf.set(shared, hash);
    this.hashOf.set(snapshot, hash);
    this.unsaved.add(hash);
    return shared;
  }
}
