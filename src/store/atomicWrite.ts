// Durable file replacement and group commit. A reader (or a restart after SIGKILL) sees either the old file or the
// new one, never half of one; and a burst of mutations shares one write instead of queueing one write each.
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

interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces writes (and any other work that reads the whole current state, such as gathering the gateway's
 * figures in src/stats.ts): `commit` persists the whole current state. A caller that changed the state calls `request()`;
 * its promise resolves when a commit that began after the call has finished, so the change is in a durable write.
 * Callers arriving while a commit runs all share the next one.
 */
export class GroupCommitWriter {
  private running: Promise<void> | undefined;
  private next: Batch | undefined;
  private commits = 0;

  constructor(private readonly commit: () => Promise<void>) {}

  /** How many commits have run: with concurrent callers, fewer than the mutations they carried. */
  get commitCount(): number {
    return this.commits;
  }

  request(): Promise<void> {
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { promise, resolve, reject };
      // Start on a later microtask so that mutations made in the same tick ride in the same commit.
      if (!this.running) this.running = Promise.resolve().then(() => this.drain());
    }
    return this.next.promise;
  }

  /** Waits for every requested commit, including one in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.next) {
      const batch = this.next;
      this.next = undefined;
      try {
        this.commits++;
        await this.commit();
        batch.resolve();
      } catch (error) {
        batch.reject(error);
      }
    }
    this.running = undefined;
  }
}
