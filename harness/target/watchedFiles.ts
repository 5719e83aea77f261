// A target's watched files, sampled as `file:<label>` (their size in bytes): how a command target shows state it
// keeps on disk (a sessions file, a log, a database), and how the gateway's sessions.json is read while it restarts.
import { stat } from 'node:fs/promises';
import type { TargetReadings } from './targetAdapter.ts';

/** Each file's size as `file:<label>`; a file not there (yet) is left out of the reading. */
export function watchedFileReadings(files: Record<string, string>): TargetReadings {
  const entries = Object.entries(files);
  return {
    async read() {
      const sizes = await Promise.all(entries.map(([, path]) => fileSize(path)));
      const metrics: Record<string, number> = {};
      entries.forEach(([label], i) => {
        if (sizes[i] !== null) metrics[`file:${label}`] = sizes[i];
      });
      return { metrics };
    },
  };
}

/** A file's size in bytes, or null when it is not there. */
export async function fileSize(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}
