// Turns a run's samples into one MetricSummary per metric (summary.json's `metrics`): slope per minute and per
// 1,000 operations, trend test, verdict. Pure: the runner, `gate` and `report` call it on parsed samples.jsonl.
import type { Sample } from '../contracts/sample.ts';
import type { MetricSummary } from '../contracts/summary.ts';
import { floorPerMin, unitOf } from './metricCatalogue.ts';
import { findPlateau } from './plateau.ts';
import { findLateRise } from './lateRise.ts';
import { alignSegments } from './segments.ts';
import { binMeans, measuredMetrics, metricSeries, type MetricSeries } from './series.ts';
import { median, pairwiseSlopes, senIntercept } from './theilSen.ts';
import { fitTrend } from './trend.ts';
import { MIN_SAMPLES, clearGrowth, decideVerdict } from './verdict.ts';

export interface AnalyzeOptions {
  /** Samples before this many seconds are start-up, not steady state, and are left out. */
  warmupS: number;
  /** The operation kinds (keys of `sample.ops`) that drive a metric; default: every successful request, once. */
  drivers?: Record<string, string | string[]>;
  /** Per-minute floors that override the catalogue's (metricCatalogue.ts), in the metric's unit. */
  floors?: Record<string, number>;
  /**
   * Theil-Sen and Mann-Kendall are O(n^2): longer series are averaged into this many equal bins first (an hour at
   * 1 Hz becomes bins of 8 s). Averaging keeps a linear trend intact and smooths the GC sawtooth.
   */
  maxPoints?: number;
}

/** Slope per 1,000 operations: Theil-Sen against the cumulative count; null when no operation ran. */
function slopePer1kOps(series: MetricSeries, values: number[]): number | null {
  const kOps = series.ops.map((count) => count / 1000);
  if (kOps.length < 2 || kOps[kOps.length - 1] === kOps[0]) return null;
  return median(pairwiseSlopes(kOps, values));
}

/** Robust spread of the values around the fitted line (1.4826 x median absolute deviation), in the metric's unit. */
function residualNoise(tMin: number[], values: number[], slope: number): number {
  const intercept = senIntercept(tMin, values, slope);
  return 1.4826 * median(Float64Array.from(values, (v, i) => Math.abs(v - intercept - slope * tMin[i])));
}

/**
 * One metric's summary from its series (harness/analysis/series.ts): the segments (processes) are put on one
 * level, then one trend is fitted. first, last and max are the levels measured.
 */
export function summarizeMetric(metric: string, raw: MetricSeries, opts: AnalyzeOptions): MetricSummary {
  const n = raw.values.length;
  const unit = unitOf(metric);
  const first = raw.values[0] ?? 0;
  const last = raw.values[n - 1] ?? 0;
  const max = n > 0 ? Math.max(...raw.values) : 0;
  const durationS = n > 0 ? raw.tS[n - 1] - raw.tS[0] : 0;
  const floor = floorPerMin(metric, last, opts.floors);
  const segments = new Set(raw.segment).size;
  if (n < MIN_SAMPLES) {
    const { verdict, moreMinutesNeeded } = decideVerdict({
      slopePerMin: 0, ciLow: 0, ciHigh: 0, trendP: 1, floorPerMin: floor, durationS, samples: n, plateau: null,
    });
    return { unit, slopePerMin: 0, ciLow: 0, ciHigh: 0, slopePer1kOps: null, trendP: 1, verdict, floorPerMin: floor, first, last, max, moreMinutesNeeded, samples: n, segments };
  }
  const series = binMeans(raw, opts.maxPoints ?? 480);
  const tMin = series.tS.map((t) => t / 60);
  const { values } = alignSegments(tMin, series.values, series.segment);
  const trend = fitTrend(tMin, values);
  const ruledOut = trend.slope <= 0 || trend.ciHigh < floor;
  const plateau = ruledOut ? null : findPlateau(series.tS, values, floor);
  // A rise that began part way through, which one line over the window does not show: only where nothing else decided
  // and the series is one process's (aligned segments hold the pooled slope's offsets, which a bend would bend).
  const decided = plateau || clearGrowth(trend.p, trend.slope, trend.ciLow) || trend.ciHigh < floor;
  const lateRise = decided || segments > 1 ? null : findLateRise(series.tS, values);
  const { verdict, moreMinutesNeeded } = decideVerdict({
    slopePerMin: trend.slope,
    ciLow: trend.ciLow,
    ciHigh: trend.ciHigh,
    trendP: trend.p,
    floorPerMin: floor,
    durationS,
    samples: n,
    plateau,
    lateRise,
  });
  const rawTMin = raw.tS.map((t) => t / 60);
  return {
    unit,
    slopePerMin: trend.slope,
    ciLow: trend.ciLow,
    ciHigh: trend.ciHigh,
    slopePer1kOps: slopePer1kOps(series, values),
    trendP: trend.p,
    verdict,
    floorPerMin: floor,
    first,
    last,
    max,
    ...(plateau ? { plateauLevel: plateau.level, plateauAtS: plateau.atS } : {}),
    ...(lateRise ? { lateRise } : {}),
    ...(moreMinutesNeeded !== undefined ? { moreMinutesNeeded } : {}),
    noise: residualNoise(rawTMin, alignSegments(rawTMin, raw.values, raw.segment).values, trend.slope),
    samples: n,
    segments,
  };
}

/**
 * Every metric that appears in any steady-state sample, summarized. heapUsedBytes is reported but saw-toothed by
 * garbage collection; heapFloorBytes (heap used after full collections) is the heap's signal that the gate judges.
 */
export function analyzeSamples(samples: Sample[], opts: AnalyzeOptions): Record<string, MetricSummary> {
  const summaries: Record<string, MetricSummary> = {};
  for (const name of measuredMetrics(samples, opts.warmupS)) {
    summaries[name] = summarizeMetric(name, metricSeries(samples, name, opts.warmupS, opts.drivers?.[name]), opts);
  }
  return summaries;
}
