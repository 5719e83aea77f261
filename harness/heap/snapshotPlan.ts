// When to take heap snapshots of the target. Snapshots block the target for seconds and memlab takes tens of
// seconds to read them, so by default (`auto`) they are taken only once a cheap slope check says memory is growing:
// a passing CI run never pays for them. `always` and N take them at even times; `never` takes none.
import { analyzeSamples } from '../analysis/analyze.ts';
import type { Sample } from '../sample.ts';

export type SnapshotMode = 'auto' | 'always' | 'never' | number;

/** The memory metrics whose growth is worth explaining with snapshots. */
export const MEMORY_METRICS = ['heapFloorBytes', 'heapUsedBytes', 'rssBytes'] as const;

export function parseSnapshotMode(text: string): SnapshotMode {
  if (text === 'auto' || text === 'always' || text === 'never') return text;
  const n = Number(text);
  if (Number.isInteger(n) && n >= 2 && n <= 10) return n;
  throw new Error(`--snapshots takes auto, always, never, or a count from 2 to 10; got '${text}'.`);
}

/**
 * Seconds since the start at which to snapshot for `always` (3) or N: evenly from just after warmup to the end.
 * The last one is taken at the end of the run itself (see `finalSnapshot`), so it is not in this list.
 */
export function fixedSnapshotTimes(mode: SnapshotMode, warmupS: number, durationS: number): number[] {
  const count = mode === 'always' ? 3 : typeof mode === 'number' ? mode : 0;
  if (count === 0) return [];
  const span = durationS - warmupS;
  return Array.from({ length: count - 1 }, (_, i) => warmupS + (span * i) / (count - 1));
}

/** For `auto`: when the cheap check looks, a third of the way through the steady part of the run. */
export function autoCheckTime(warmupS: number, durationS: number): number {
  return warmupS + (durationS - warmupS) / 3;
}

/** The cheap check: is any memory metric growing (by the analysis's own verdict) in the samples so far? */
export function memoryGrowing(samples: Sample[], warmupS: number): string[] {
  const metrics = analyzeSamples(samples, { warmupS });
  return MEMORY_METRICS.filter((name) => metrics[name]?.verdict === 'growing');
}

/** The snapshots worth diagnosing together: the longest run of them from one process (a restart starts anew). */
export function snapshotsOfOneProcess(snapshots: Array<{ file: string; pid: number }>): string[] {
  let best: string[] = [];
  let current: string[] = [];
  let pid: number | null = null;
  for (const s of snapshots) {
    if (s.pid !== pid) current = [];
    pid = s.pid;
    current.push(s.file);
    if (current.length >= best.length) best = [...current];
  }
  return best;
}
