// What a dedup store killed mid-commit leaves behind, removed at the next open so crashes do not make the data dir
// grow: temp files of interrupted writes, and (under `lazy`) body files written for sessions whose index never
// became durable, which were therefore never acknowledged.
import path from 'node:path';
import { removeStaleTempFiles } from './atomicWrite.ts';
import { listEntryBodyFiles } from './entryBodies.ts';
import { inParallel } from './inParallel.ts';
import type { StorePaths } from './paths.ts';
import { removeIfPresent } from './storeFiles.ts';

/**
 * Removes the temp files in the store's folders and, when `indexedBodies` is given (the body file names the index
 * names, under `lazy`), every other body file. Returns the body files found, which tell for free which indexed
 * sessions have no body to load.
 */
export async function sweepAfterCrash(paths: StorePaths, indexedBodies: ReadonlySet<string> | undefined, log: (line: string) => void): Promise<Set<string>> {
  let removed = 0;
  for (const dir of [paths.sessionsDir, paths.snapshotsDir, paths.entriesDir]) removed += await removeStaleTempFiles(dir);
  const bodies = new Set(await listEntryBodyFiles(paths));
  const stray = indexedBodies ? [...bodies].filter((name) => !indexedBodies.has(name)) : [];
  await inParallel(stray, (name) => removeIfPresent(path.join(paths.entriesDir, name)));
  if (removed + stray.length > 0) log(`removed ${stray.length} entry files and ${removed} temp files left by an interrupted write`);
  return bodies;
}
