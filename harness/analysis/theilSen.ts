// Theil-Sen slope with Sen's confidence interval: the median of all pairwise slopes, robust to the GC spikes and
// snapshot pauses that throw a least-squares fit off, with an interval read from the ranks of those slopes.
import { mannKendallVariance } from './mannKendall.ts';
import { normalQuantile } from './normal.ts';

export interface TheilSenFit {
  slope: number;
  intercept: number;
  ciLow: number;
  ciHigh: number;
  /** Pairs with distinct x that the slope was taken over. */
  pairs: number;
}

/**
 * Every slope (y[j] - y[i]) / (x[j] - x[i]) for i < j with distinct x, in no order. O(n^2) in time and memory:
 * callers thin long series first (analyze.ts bins an hour at 1 Hz down to a few hundred points).
 */
export function pairwiseSlopes(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const n = x.length;
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i];
    const yi = y[i];
    for (let j = i + 1; j < n; j++) {
      const dx = x[j] - xi;
      if (dx !== 0) slopes[k++] = (y[j] - yi) / dx;
    }
  }
  return slopes.subarray(0, k);
}

/**
 * The k-th smallest value (0-based) by quickselect, reordering `values` in place. Three of these cost a few
 * passes over the slopes where sorting them was the bulk of an hour-long analysis.
 */
export function orderStatistic(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const pivot = Math.max(Math.min(values[lo], values[hi]), Math.min(Math.max(values[lo], values[hi]), values[mid]));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

/** The median, reordering `values` in place; 0 for no values. */
export function median(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return 0;
  const upper = orderStatistic(values, n >> 1);
  return n % 2 === 1 ? upper : (orderStatistic(values, (n >> 1) - 1) + upper) / 2;
}

/**
 * Sen's (1968) interval: with C = z * sqrt(Var S), the slopes of rank round((N - C) / 2) and round((N + C) / 2 + 1)
 * (1-based, as R's trend::sens.slope). Passing an autocorrelation-corrected Var S widens it to match the test.
 */
export function senInterval(slopes: Float64Array, varS: number, confidence: number): { ciLow: number; ciHigh: number } {
  const n = slopes.length;
  if (n === 0) return { ciLow: 0, ciHigh: 0 };
  const c = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(Math.max(varS, 0));
  const clampRank = (rank: number) => Math.min(n, Math.max(1, rank));
  return {
    ciLow: orderStatistic(slopes, clampRank(Math.round((n - c) / 2)) - 1),
    ciHigh: orderStatistic(slopes, clampRank(Math.round((n + c) / 2 + 1)) - 1),
  };
}

/** The line's intercept: the median of y - slope * x (Conover's choice, as robust as the slope). */
export function senIntercept(x: ArrayLike<number>, y: ArrayLike<number>, slope: number): number {
  return median(Float64Array.from({ length: y.length }, (_, i) => y[i] - slope * x[i]));
}

/** The Theil-Sen fit of y against x (x ascending). `varS` defaults to the tie-corrected Mann-Kendall variance. */
export function theilSen(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: { confidence?: number; varS?: number } = {},
): TheilSenFit {
  const slopes = pairwiseSlopes(x, y);
  const slope = median(slopes);
  const { ciLow, ciHigh } = senInterval(slopes, opts.varS ?? mannKendallVariance(y), opts.confidence ?? 0.95);
  return { slope, intercept: senIntercept(x, y, slope), ciLow, ciHigh, pairs: slopes.length };
}
