// A leak that starts part way through the window: flat for minutes, then rising. One line fitted across the bend
// leaves residuals that run in long arcs, which read as strong autocorrelation, so the whole window's test widens and
// waits; the tail after the bend is a clean line of its own. This finds that tail, the mirror of the plateau search.
import { fitTrend, type Trend } from './trend.ts';
import { GROWTH_ALPHA } from './verdict.ts';

/** A GC sawtooth's ramp is a clean rise too, but of seconds: a tail is minutes long (docs/ARCHITECTURE.md, "Verdicts"). */
const MIN_TAIL_S = 180;

/**
 * Persistent noise wanders in arcs that a few readings cannot tell from a bend: the tail's own test corrects for its
 * autocorrelation, but reads it only to a quarter of its length, and a tail of a settled series has 10-15 readings.
 * Under this many in the tail, the first differences judge it whatever the trend's shape: for AR(1) noise with lag-one
 * correlation phi, theirs is -(1 - phi) / 2, so -0.5 for uncorrelated readings and -0.25 at phi 0.5. Above that, no
 * bend is trusted.
 */
const FEW_TAIL_READINGS = 32;
const MAX_DIFFERENCES_LAG_ONE = -0.25;

export interface LateRise {
  /** Where the rising tail starts, seconds since the run started. */
  sinceS: number;
  /** The tail's own slope per minute and its 95% interval. */
  slopePerMin: number;
  ciLow: number;
  ciHigh: number;
}

/**
 * The tail rises faster than the part before it, at 95%: the difference of their slopes is more than 1.96 standard
 * errors of the difference (each slope's from its residuals, as the trend's test on the values reads it).
 */
function steeper(tail: Trend, before: Trend): boolean {
  return tail.slope - before.slope > 1.96 * Math.hypot(tail.standardError, before.standardError);
}

/**
 * The lag-one autocorrelation of the series' first differences, those before the tail and those within it each
 * centred on their own mean (a line's differences are constant, so two lines' leave only the noise's); the one
 * difference across the start belongs to neither and is left out. -Infinity for a series without noise.
 */
function differencesLagOne(y: number[], start: number): number {
  const d = Float64Array.from({ length: y.length - 1 }, (_, i) => y[i + 1] - y[i]);
  for (const [from, to] of [[0, start - 1], [start, d.length]]) {
    let mean = 0;
    for (let i = from; i < to; i++) mean += d[i] / (to - from);
    for (let i = from; i < to; i++) d[i] -= mean;
  }
  d[start - 1] = 0;
  let lagged = 0;
  let squares = 0;
  for (let i = 0; i < d.length; i++) {
    squares += d[i] ** 2;
    if (i > 0) lagged += d[i] * d[i - 1];
  }
  return squares > 0 ? lagged / squares : -Infinity;
}

/**
 * For a series of one process the whole window's trend leaves undecided: a tail, starting in steps of 5% of the run
 * and covering at least 40% of it, 8 samples and 3 minutes after at least a tenth of it, that rises clearly on its own
 * and faster than the part before it; of those, the one whose two lines fit best, if (for a tail of few readings) the
 * noise around them is not persistent. Every start is a test of its own, so each is held to GROWTH_ALPHA over the
 * number of starts tried (Bonferroni) (docs/ARCHITECTURE.md, "Verdicts").
 */
export function findLateRise(tS: number[], y: number[]): LateRise | null {
  const n = y.length;
  const minTail = Math.max(8, Math.ceil(0.4 * n));
  // The part before the tail needs a slope of its own: as many samples as the plateau search's head.
  const minBefore = Math.max(4, Math.ceil(n / 10));
  const candidates = new Set<number>();
  for (let step = 1; n - Math.floor((step * n) / 20) >= minTail; step++) {
    const start = Math.floor((step * n) / 20);
    if (start >= minBefore && tS[n - 1] - tS[start] >= MIN_TAIL_S) candidates.add(start);
  }
  const starts = [...candidates];
  if (starts.length === 0) return null;
  const alpha = GROWTH_ALPHA / starts.length;
  const tMin = tS.map((t) => t / 60);
  let best: { start: number; rise: LateRise; misfit: number } | null = null;
  for (const start of starts) {
    const tail = fitTrend(tMin.slice(start), y.slice(start));
    if (!(tail.p < alpha && tail.slope > 0 && tail.ciLow > 0)) continue;
    const before = fitTrend(tMin.slice(0, start), y.slice(0, start));
    if (!steeper(tail, before)) continue;
    // A longer tail that starts on the flat part can pass too, at a diluted rate: the rise began where the two
    // lines fit the series best.
    let misfit = 0;
    for (let i = 0; i < n; i++) {
      const line = i < start ? before : tail;
      misfit += (y[i] - line.intercept - line.slope * tMin[i]) ** 2;
    }
    if (!best || misfit < best.misfit) {
      best = { start, rise: { sinceS: tS[start], slopePerMin: tail.slope, ciLow: tail.ciLow, ciHigh: tail.ciHigh }, misfit };
    }
  }
  if (!best) return null;
  // The noise is read around those two lines.
  if (n - best.start < FEW_TAIL_READINGS && differencesLagOne(y, best.start) > MAX_DIFFERENCES_LAG_ONE) return null;
  return best.rise;
}
