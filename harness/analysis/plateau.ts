// Growth that levels off is not a leak: a cache filling up, a pool reaching its size, one allocation step. This
// finds where a rising series went flat and the level it stays at, so the verdict can say `plateau`.
import { median } from './theilSen.ts';
import { fitTrend, type Trend } from './trend.ts';

export interface Plateau {
  /** The median of the flat part. */
  level: number;
  /** When the series reached that level, seconds since the run started. */
  atS: number;
  /** The flat part's own slope per minute. */
  tailSlopePerMin: number;
}

/**
 * For a series whose slope is positive but not ruled out (not `flat`): the earliest start, in steps of 5% of the
 * run, from which the rest is flat, when the series rose before it. Flat needs evidence, not just a short noisy
 * tail: the tail covers at least 40% of the run (so a leak that grows in steps, as RSS does by pages, shows a step
 * in it), it slowed, and it does not itself rise clearly (p < 0.01) by more than the floor. Rose: by more than 4
 * robust SDs of the tail. Slowed, either way (docs/ARCHITECTURE.md, "Verdicts"):
 * - its 95% upper bound is under half the rate at which the series rose to it (from the first tenth of the run to
 *   the tail, centre to centre: for a straight line that is its slope), which a step shows;
 * - or it is under the lower bound of the slope before it, its own slope is under the floor and its upper bound
 *   under one and a half times the floor: a rise that stopped part way through the run, whose average rate to the
 *   tail the tail's flat minutes dilute (a settled heap floor read every 20 s). The bound keeps a leak that slowed
 *   to one and a half times the floor `growing` (bench:detect's settled-floor table, BENCHMARKS.md).
 * The overall trend test is not required: a step, detrended by a line, looks like strong autocorrelation.
 */
export function findPlateau(tS: number[], y: number[], floorPerMin: number): Plateau | null {
  const n = y.length;
  const minTail = Math.max(8, Math.ceil(0.4 * n));
  const tMin = tS.map((t) => t / 60);
  const starts: number[] = [];
  for (let step = 1; n - Math.floor((step * n) / 20) >= minTail; step++) starts.push(Math.floor((step * n) / 20));
  const headEnd = Math.max(4, Math.ceil(n / 10));
  const head = median(Float64Array.from(y.slice(0, headEnd)));
  const headCentreMin = (tMin[0] + tMin[headEnd - 1]) / 2;
  /** The tail from `start` stopped well short of the rate before it (a rise that stopped; see above). */
  const stoppedAfterRise = (start: number, tail: Trend): boolean => {
    if (start < headEnd || tail.slope >= floorPerMin || tail.ciHigh >= 1.5 * floorPerMin) return false;
    const before = fitTrend(tMin.slice(0, start), y.slice(0, start));
    return before.ciLow > 0 && tail.ciHigh < before.ciLow;
  };
  const tailFrom = (start: number) => fitTrend(tMin.slice(start), y.slice(start));
  const stillRising = (tail: Trend): boolean => tail.p < 0.01 && tail.slope > 0 && tail.ciHigh >= floorPerMin;
  /** The plateau when the series is flat from `start` on and rose before it, else null. */
  const plateauFrom = (start: number, tail: Trend): Plateau | null => {
    const rest = y.slice(start);
    const level = median(Float64Array.from(rest));
    const noise = 1.4826 * median(Float64Array.from(rest, (v) => Math.abs(v - level)));
    const riseRate = (level - head) / ((tMin[start] + tMin[n - 1]) / 2 - headCentreMin);
    if (stillRising(tail) || level - head <= 4 * noise) return null;
    if (!(tail.ciHigh < riseRate / 2) && !stoppedAfterRise(start, tail)) return null;
    // Reached once the series never again falls 4 SDs below the level (the tail may still hold the step itself).
    let reached = 0;
    for (let i = 0; i < n; i++) if (y[i] < level - 4 * noise) reached = i + 1;
    return { level, atS: tS[Math.min(reached, n - 1)], tailSlopePerMin: tail.slope };
  };
  // The latest start has the flattest tail: if even that one still rises clearly (a leak), no earlier one will, and a
  // leak's analysis stays one fit of its tail.
  const lastStart = starts[starts.length - 1];
  if (lastStart === undefined) return null;
  const lastTail = tailFrom(lastStart);
  if (stillRising(lastTail)) return null;
  for (const start of starts) {
    const plateau = plateauFrom(start, start === lastStart ? lastTail : tailFrom(start));
    if (plateau) return plateau;
  }
  return null;
}
