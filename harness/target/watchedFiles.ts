// A target's watched files, sampled as `file:<label>` (their size in bytes): how a command target shows state it
// keeps on disk (a sessions file, a log, a database), and how the gateway's sessions.json is read while it restarts.
import { statSync } from 'node:fs';
import type { TargetReadings } from './targetAdapter.ts';

/** Each file's size as `file:<label>`; a file not there (yet) is left out of the reading. */
export function watchedFileReadings(files: Record<string, string>): TargetReadings {
  const entries = Object.entries(files);
  return {
    async read() {
      const metrics: Record<string, number> = {};
      for (const [label, path] of entries) {
        const size = fileSize(path);
        if (size !== null) metrics[`file:${label}`] = size;
      }
      return { metrics };
    },
  };
}

/** A file's size in bytes, or null when it is not there. */
export function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}
