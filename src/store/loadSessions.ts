// What the dedup store finds on disk at open, read into plain records before any of it is used: sessions.json in
// either dedup layout, a naive-format one to migrate, or none at all beside entry bodies that still hold sessions.
import path from 'node:path';
import { parseStoreJson } from './corruptStoreError.ts';
import { listEntryBodyFiles } from './entryBodies.ts';
import { inParallel } from './inParallel.ts';
import { entryBodyPath, type StorePaths } from './paths.ts';
import { indexRecordOf, type IndexRecord } from './sessionIndex.ts';
import type { Fix } from './sessionStore.ts';
import { readSessionsFile, readStoreJson } from './storeFiles.ts';
import { checkDedupSessions, checkEntryBody, checkNaiveSessions, isDedupFormat, type StoredEntry } from './storeFormat.ts';

export interface FoundSessions {
  /** Whole entries to take in: the `entries` layout, a naive file being migrated, bodies read for a rebuild. */
  entries: StoredEntry[];
  /** Index records whose bodies stay in entries/: the `index` layout, or a rebuild under `lazy`. */
  records: IndexRecord[];
  /** sessions.json must be rewritten at open: a migration, a rebuild, a change of layout or of `dedupe`. */
  rewrite: boolean;
  /** Files to remove once the rewritten index is durable: bodies whose entries move back into sessions.json. */
  obsoleteFiles: string[];
}

const NOTHING: FoundSessions = { entries: [], records: [], rewrite: false, obsoleteFiles: [] };

export async function loadSessions(paths: StorePaths, fixes: ReadonlySet<Fix>, log: (line: string) => void): Promise<FoundSessions> {
  const file = paths.sessionsFile;
  const text = await readSessionsFile(paths);
  if (text === undefined) return rebuildFromBodies(paths, fixes.has('lazy'), log);
  const parsed = parseStoreJson(file, text);
  if (isDedupFormat(parsed)) return fromDedupFile(paths, fixes, text, parsed);
  const naive = checkNaiveSessions(file, text, parsed);
  // The naive store also wrote each cron run under its job's key; that second copy is not carried over.
  const entries = Object.entries(naive).filter(([key, entry]) => key === entry.key).map(([, entry]) => entry);
  const dropped = Object.keys(naive).length - entries.length;
  log(`migrating naive-format ${file}: ${entries.length} sessions` + (dropped > 0 ? `, ${dropped} duplicate cron-job copies dropped` : ''));
  return { ...NOTHING, entries, rewrite: true };
}

function fromDedupFile(paths: StorePaths, fixes: ReadonlySet<Fix>, text: string, parsed: object): FoundSessions {
  const stored = checkDedupSessions(paths.sessionsFile, text, parsed);
  const lazy = fixes.has('lazy');
  if (stored.layout === 'entries') {
    const entries = Object.entries(stored.sessions).map(([key, record]) => ({ ...(record as StoredEntry), key }));
    // Written in another form than this store writes (as an index, or with snapshots shared or not): rewritten.
    const rewrite = lazy || entries.some((entry) => fixes.has('dedupe') !== (entry.skillsSnapshotRef !== undefined));
    return { ...NOTHING, entries, rewrite };
  }
  const records = Object.entries(stored.sessions).map(([key, record]) => ({ ...(record as Omit<IndexRecord, 'key'>), key }));
  if (lazy) return { ...NOTHING, records };
  // Switching lazy off: every body comes into memory and back into sessions.json, then its file goes.
  return { ...NOTHING, records, rewrite: true, obsoleteFiles: records.map((record) => entryBodyPath(paths, record.sessionId)) };
}

/**
 * sessions.json is gone but entry bodies remain (deleted by hand, or lost with its disk): the bodies are the
 * sessions, so the index is rebuilt from them. Reading a missing index as "nothing committed" would sweep every
 * body away as left over from an interrupted write and archive every transcript. A body that cannot be read
 * stops the open before anything is written.
 */
async function rebuildFromBodies(paths: StorePaths, lazy: boolean, log: (line: string) => void): Promise<FoundSessions> {
  const names = await listEntryBodyFiles(paths);
  if (names.length === 0) return NOTHING;
  log(`${paths.sessionsFile} is missing but ${paths.entriesDir} holds ${names.length} entry files: rebuilding the index from them`);
  const bodies: StoredEntry[] = [];
  await inParallel(names, async (name) => {
    const file = path.join(paths.entriesDir, name);
    bodies.push(checkEntryBody(file, await readStoreJson(file)));
  });
  // A key replaced before its old body was removed has two bodies: the later one is the session.
  const latest = new Map<string, StoredEntry>();
  for (const body of bodies) if ((latest.get(body.key)?.updatedAt ?? -Infinity) <= body.updatedAt) latest.set(body.key, body);
  if (lazy) return { ...NOTHING, records: [...latest.values()].map(indexRecordOf), rewrite: true };
  return { entries: [...latest.values()], records: [], rewrite: true, obsoleteFiles: names.map((name) => path.join(paths.entriesDir, name)) };
}
