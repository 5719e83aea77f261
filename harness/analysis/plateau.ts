// Growth that levels off is not a leak: a cache filling up, a pool reaching its size, one allocation step. This
// finds where a rising series went flat and the level it stays at, so the verdict can say `plateau`.
import { medianOfSorted } from './theilSen.ts';
import { fitTrend } from './trend.ts';

export interface Plateau {
  /** The median of the flat part. */
  level: number;
  /** When the series reached that level, seconds since the run started. */
  atS: number;
  /** The flat part's own slope per minute. */
  tailSlopePerMin: number;
}

/**
 * For a series already known to rise at `slopePerMin` overall: the earliest start (in steps of 5% of the run, up
 * to 75%) after which the rest is flat. "Flat" needs evidence, not just a short noisy tail: the tail's 95% upper
 * bound must be under half the overall slope, and the tail must not itself rise clearly (p < 0.01) by more than
 * the floor. A linear leak never passes that; a step, or a ramp that stops, does.
 */
export function findPlateau(tS: number[], y: number[], slopePerMin: number, floorPerMin: number): Plateau | null {
  const n = y.length;
  const minTail = Math.max(8, Math.ceil(n / 4));
  const tMin = tS.map((t) => t / 60);
  for (let step = 1; step <= 15; step++) {
    const start = Math.floor((step * n) / 20);
    if (n - start < minTail) break;
    const tail = fitTrend(tMin.slice(start), y.slice(start));
    const slowed = tail.ciHigh < slopePerMin / 2;
    const stillRising = tail.p < 0.01 && tail.slope > 0 && tail.ciHigh >= floorPerMin;
    if (!slowed || stillRising) continue;
    const rest = y.slice(start);
    const level = medianOfSorted(Float64Array.from(rest).sort());
    const noise = 1.4826 * medianOfSorted(Float64Array.from(rest, (v) => Math.abs(v - level)).sort());
    let reached = 0;
    for (let i = 0; i < start; i++) if (y[i] < level - 3 * noise) reached = i + 1;
    return { level, atS: tS[Math.min(reached, start)], tailSlopePerMin: tail.slope };
  }
  return null;
}
