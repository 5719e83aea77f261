// `compare`'s statistics: how much faster one run's metric grows than another's (naive vs dedup, or each fix
// alone), as a difference of Theil-Sen slopes with a moving-block bootstrap interval, and as a ratio.
import type { Sample } from '../contracts/sample.ts';
import type { MetricSummary } from '../contracts/summary.ts';
import { unitOf } from './metricCatalogue.ts';
import { alignSegments } from './segments.ts';
import { binMeans, metricSeries, type MetricSeries } from './series.ts';
import { seededRandom } from '../../lib/seededRandom.ts';
import { median, pairwiseSlopes, senIntercept } from './theilSen.ts';

export interface SlopeDifference {
  unit: MetricSummary['unit'];
  /** Slopes per minute of run A and run B. */
  slopeA: number;
  slopeB: number;
  /** slopeA - slopeB, with its bootstrap interval. */
  difference: number;
  ciLow: number;
  ciHigh: number;
  /** slopeA / slopeB: how many times faster A grows; null when B does not grow (the ratio would mean nothing). */
  ratio: number | null;
  resamples: number;
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  confidence?: number;
  /** Each series is averaged down to this many points first: every resample costs a full Theil-Sen fit. */
  maxPoints?: number;
}

interface Fit {
  tMin: number[];
  values: number[];
  slope: number;
  blockLength: number;
}

/** Politis & White's (2004) block length for AR(1)-like residuals: (2 rho / (1 - rho^2))^(2/3) n^(1/3). */
function blockLength(residuals: number[]): number {
  const n = residuals.length;
  const mean = residuals.reduce((a, b) => a + b, 0) / n;
  let lag0 = 0;
  let lag1 = 0;
  for (let i = 0; i < n; i++) {
    lag0 += (residuals[i] - mean) ** 2;
    if (i > 0) lag1 += (residuals[i] - mean) * (residuals[i - 1] - mean);
  }
  const rho = lag0 > 0 ? Math.min(0.99, lag1 / lag0) : 0;
  if (rho <= 0) return 1;
  return Math.max(1, Math.min(Math.floor(n / 2), Math.ceil(((2 * rho) / (1 - rho * rho)) ** (2 / 3) * Math.cbrt(n))));
}

function fit(tS: number[], values: number[]): Fit {
  const tMin = tS.map((t) => t / 60);
  const slope = median(pairwiseSlopes(tMin, values));
  const intercept = senIntercept(tMin, values, slope);
  const residuals = values.map((v, i) => v - intercept - slope * tMin[i]);
  return { tMin, values, slope, blockLength: blockLength(residuals) };
}

/**
 * The slope of a moving-block resample of the (time, value) pairs (Fitzenberger's blocks-of-pairs bootstrap for
 * regression with dependent errors): each block keeps its stretch of autocorrelated noise and its own times.
 */
function resampledSlope(f: Fit, random: () => number): number {
  const n = f.tMin.length;
  const tMin = new Array<number>(n);
  const values = new Array<number>(n);
  for (let i = 0; i < n; ) {
    const start = Math.floor(random() * (n - f.blockLength + 1));
    for (let j = 0; j < f.blockLength && i < n; j++, i++) {
      tMin[i] = f.tMin[start + j];
      values[i] = f.values[start + j];
    }
  }
  return median(pairwiseSlopes(tMin, values));
}

/** The difference of two series' slopes (per minute) with a percentile bootstrap interval. */
export function compareSlopes(
  a: Pick<MetricSeries, 'tS' | 'values'> & { segment?: number[] },
  b: Pick<MetricSeries, 'tS' | 'values'> & { segment?: number[] },
  unit: MetricSummary['unit'],
  opts: BootstrapOptions = {},
): SlopeDifference {
  const resamples = opts.resamples ?? 500;
  const confidence = opts.confidence ?? 0.95;
  const maxPoints = opts.maxPoints ?? 150;
  // Binned within each process, then put on one level, as the analysis does (harness/analysis/segments.ts).
  const thin = (s: Pick<MetricSeries, 'tS' | 'values'> & { segment?: number[] }) => {
    const zeros = s.tS.map(() => 0);
    const binned = binMeans({ tS: s.tS, values: s.values, ops: zeros, segment: s.segment ?? zeros }, maxPoints);
    return { tS: binned.tS, values: alignSegments(binned.tS, binned.values, binned.segment).values };
  };
  const thinA = thin(a);
  const thinB = thin(b);
  const fitA = fit(thinA.tS, thinA.values);
  const fitB = fit(thinB.tS, thinB.values);
  const random = seededRandom(opts.seed ?? 1);
  const differences = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) differences[i] = resampledSlope(fitA, random) - resampledSlope(fitB, random);
  differences.sort();
  const tail = (1 - confidence) / 2;
  const at = (q: number) => differences[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))];
  return {
    unit,
    slopeA: fitA.slope,
    slopeB: fitB.slope,
    difference: fitA.slope - fitB.slope,
    ciLow: at(tail),
    ciHigh: at(1 - tail),
    ratio: fitB.slope > 0 ? fitA.slope / fitB.slope : null,
    resamples,
  };
}

/**
 * Every metric both runs measured (or the ones asked for), A against B, after warmup. A metric with fewer than
 * four steady-state samples in either run is left out: no slope can be had from it.
 */
export function compareRuns(
  samplesA: Sample[],
  samplesB: Sample[],
  opts: BootstrapOptions & { warmupS: number; metrics?: string[] },
): Record<string, SlopeDifference> {
  const names = (samples: Sample[]) => new Set(samples.flatMap((s) => Object.keys(s.metrics)));
  const inB = names(samplesB);
  const metrics = opts.metrics ?? [...names(samplesA)].filter((m) => inB.has(m)).sort();
  const out: Record<string, SlopeDifference> = {};
  for (const metric of metrics) {
    const a = metricSeries(samplesA, metric, opts.warmupS);
    const b = metricSeries(samplesB, metric, opts.warmupS);
    if (a.values.length < 4 || b.values.length < 4) continue;
    out[metric] = compareSlopes(a, b, unitOf(metric), opts);
  }
  return out;
}
