// Mann-Kendall trend test with a variance correction for autocorrelation. Memory series sampled every second are
// strongly autocorrelated; without the correction the test sees a trend in plain noise far more often than alpha.
import { varianceInflation } from './autocorrelation.ts';
import { normalCdf } from './normal.ts';

export interface MannKendallResult {
  /** S = sum over i < j of sign(y[j] - y[i]). */
  s: number;
  /** Var S under independence, corrected for ties. */
  varS: number;
  /** n / n*: how much autocorrelation inflates Var S (1 when uncorrected). */
  correction: number;
  varSCorrected: number;
  z: number;
  /** Two-sided p-value of "no monotonic trend". */
  p: number;
  /** Kendall's tau: S over the number of pairs. */
  tau: number;
}

export function mannKendallS(y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length - 1; i++) {
    const yi = y[i];
    for (let j = i + 1; j < y.length; j++) s += Math.sign(y[j] - yi);
  }
  return s;
}

/** Var S = [n(n-1)(2n+5) - sum over tie groups of t(t-1)(2t+5)] / 18. */
export function mannKendallVariance(y: ArrayLike<number>): number {
  const n = y.length;
  const sorted = Float64Array.from(y).sort();
  let ties = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    ties += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  return (n * (n - 1) * (2 * n + 5) - ties) / 18;
}

/** Ranks 1..n, ties sharing their average rank. */
function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && values[order[j]] === values[order[i]]) j++;
    for (let k = i; k < j; k++) out[order[k]] = (i + j + 1) / 2;
    i = j;
  }
  return out;
}

/**
 * n/n*, the factor by which autocorrelation inflates Var S: the variance inflation of the ranks of the series
 * detrended by its Sen slope (Hamed & Rao's construction; see autocorrelation.ts for how it is estimated).
 */
export function autocorrelationCorrection(x: ArrayLike<number>, y: ArrayLike<number>, slope: number): number {
  return varianceInflation(ranks(Array.from({ length: y.length }, (_, i) => y[i] - slope * x[i])));
}

/**
 * The test on y in time order. Pass `detrend` (the x values and the series' Sen slope) to correct the variance
 * for autocorrelation; without it the samples are taken as independent.
 */
export function mannKendall(
  y: ArrayLike<number>,
  opts: { detrend?: { x: ArrayLike<number>; slope: number } } = {},
): MannKendallResult {
  const n = y.length;
  const s = mannKendallS(y);
  const varS = mannKendallVariance(y);
  const correction = opts.detrend ? autocorrelationCorrection(opts.detrend.x, y, opts.detrend.slope) : 1;
  const varSCorrected = varS * correction;
  const z = varSCorrected > 0 ? (s - Math.sign(s)) / Math.sqrt(varSCorrected) : 0;
  const pairs = (n * (n - 1)) / 2;
  return { s, varS, correction, varSCorrected, z, p: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))), tau: pairs > 0 ? s / pairs : 0 };
}
