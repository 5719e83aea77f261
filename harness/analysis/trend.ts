// One series' trend as every verdict needs it: the Theil-Sen slope, Sen's interval and the Mann-Kendall test,
// both widened for autocorrelation, joined by a test on the values for growth too steep for ranks to show.
import { varianceInflation } from './autocorrelation.ts';
import { mannKendall } from './mannKendall.ts';
import { normalCdf, normalQuantile } from './normal.ts';
import { median, pairwiseSlopes, senIntercept, senInterval } from './theilSen.ts';

export interface Trend {
  slope: number;
  intercept: number;
  /**
   * Sen's interval (at 1 - 0.9 alpha, widened for autocorrelation) intersected with the value interval (at
   * 1 - 0.1 alpha): by Bonferroni at least the asked confidence, and not stuck wide when ranks saturate.
   */
  ciLow: number;
  ciHigh: number;
  /**
   * Two-sided p-value of "no trend": the weighted Bonferroni combination min(1, pMannKendall / 0.9, pValues / 0.1),
   * so that p < alpha when Mann-Kendall is below 0.9 alpha or the value test below 0.1 alpha.
   */
  p: number;
  pMannKendall: number;
  pValues: number;
  /** The slope's standard error from the residuals' spread, widened for their autocorrelation (Infinity under 4 points). */
  standardError: number;
  /** n / n* of the Mann-Kendall test: how much autocorrelation widened the test and Sen's interval. */
  correction: number;
}

/**
 * The slope's standard error from the residuals' spread and their own variance inflation (Infinity when it
 * cannot be had). Mann-Kendall and Sen's interval look only at ranks, so they saturate: the test's z is bounded
 * by about 1.5 sqrt(n / correction), and with strongly autocorrelated noise 60 samples of 50 MB/min cannot reach
 * p < 0.01 however steep the growth. The values can.
 */
function valueStandardError(x: ArrayLike<number>, y: ArrayLike<number>, slope: number, intercept: number): number {
  const n = y.length;
  if (n < 4) return Infinity;
  const residuals = Float64Array.from({ length: n }, (_, i) => y[i] - intercept - slope * x[i]);
  let meanX = 0;
  let meanResidual = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i] / n;
    meanResidual += residuals[i] / n;
  }
  let sxx = 0;
  let sumOfSquares = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - meanX) ** 2;
    sumOfSquares += (residuals[i] - meanResidual) ** 2;
  }
  if (sxx === 0) return Infinity;
  return Math.sqrt(((sumOfSquares / (n - 2)) * varianceInflation(residuals)) / sxx);
}

export function fitTrend(x: ArrayLike<number>, y: ArrayLike<number>, confidence = 0.95): Trend {
  const slopes = pairwiseSlopes(x, y);
  const slope = median(slopes);
  const intercept = senIntercept(x, y, slope);
  const test = mannKendall(y, { detrend: { x, slope } });
  const alpha = 1 - confidence;
  const sen = senInterval(slopes, test.varSCorrected, 1 - 0.9 * alpha);
  const standardError = valueStandardError(x, y, slope, intercept);
  const halfWidth = normalQuantile(1 - (0.1 * alpha) / 2) * standardError;
  const ciLow = Math.max(sen.ciLow, slope - halfWidth);
  const ciHigh = Math.min(sen.ciHigh, slope + halfWidth);
  const pValues = slope === 0 ? 1 : standardError === 0 ? 0 : Math.min(1, 2 * (1 - normalCdf(Math.abs(slope / standardError))));
  return {
    slope,
    intercept,
    ...(ciLow <= ciHigh ? { ciLow, ciHigh } : sen),
    p: Math.min(1, test.p / 0.9, pValues / 0.1),
    pMannKendall: test.p,
    pValues,
    standardError,
    correction: test.correction,
  };
}
