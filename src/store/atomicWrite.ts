// Durable file replacement. A reader (or a restart after SIGKILL) sees either the old file or the new one, never
// half of one; the temp files a killed writer leaves are recognised by name and removed at the next open.
import { open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_FILE_MODE } from './paths.ts';

let tempCounter = 0;

/**
 * Writes `data` to a temp file beside `file`, fsyncs it, renames it over `file`, then fsyncs the folder. A caller
 * writing many files into one folder passes `syncFolder: false` and calls syncDir once after them.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, { syncFolder = true } = {}): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++tempCounter}.tmp`);
  try {
    const handle = await open(temp, 'w', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (syncFolder) await syncDir(path.dirname(file));
}

const TEMP_NAME = /^\..+\.\d+\.\d+\.tmp$/;

/** Removes the temp files a killed writer left in `dir` (call only when no write is in flight); returns how many. */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => TEMP_NAME.test(name));
  await Promise.all(stale.map((name) => unlink(path.join(dir, name)).catch(() => undefined)));
  return stale.length;
}

/** Makes a rename or unlink in `dir` survive a power cut, not just a killed process. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
