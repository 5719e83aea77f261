// The store files both stores read, and the removals their clean-ups share: sessions.json (a link to nothing is
// refused, not read as an empty store), any JSON file of the store with the position of its first error, and a
// file removed whether or not it is still there.
import { readFile, readlink, unlink } from 'node:fs/promises';
import { parseStoreJson } from './corruptStoreError.ts';
import { DataDirError, asDataDirError } from './dataDirError.ts';
import type { StorePaths } from './paths.ts';

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

/** A store file's JSON, or a CorruptStoreError naming it; a missing file rejects with ENOENT and its path. */
export async function readStoreJson(file: string): Promise<unknown> {
  return parseStoreJson(file, await readFile(file, 'utf8'));
}

/** Removes `file`; one already gone (a clean-up that ran before a crash) is not an error. */
export async function removeIfPresent(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
