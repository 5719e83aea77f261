// One series' trend as every verdict needs it: the Theil-Sen slope, the Mann-Kendall test corrected for
// autocorrelation, and Sen's interval widened by the same correction so the interval and the test agree.
import { mannKendall } from './mannKendall.ts';
import { medianOfSorted, senIntercept, senInterval, sortedPairwiseSlopes } from './theilSen.ts';

export interface Trend {
  slope: number;
  intercept: number;
  ciLow: number;
  ciHigh: number;
  /** Two-sided p-value of "no monotonic trend". */
  p: number;
  /** n / n*: how much autocorrelation widened the test and the interval. */
  correction: number;
}

export function fitTrend(x: ArrayLike<number>, y: ArrayLike<number>, confidence = 0.95): Trend {
  const sorted = sortedPairwiseSlopes(x, y);
  const slope = medianOfSorted(sorted);
  const test = mannKendall(y, { detrend: { x, slope } });
  const { ciLow, ciHigh } = senInterval(sorted, test.varSCorrected, confidence);
  return { slope, intercept: senIntercept(x, y, slope), ciLow, ciHigh, p: test.p, correction: test.correction };
}
