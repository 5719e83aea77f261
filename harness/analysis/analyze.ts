// Turns a run's samples into one MetricSummary per metric (summary.json's `metrics`): slope per minute and per
// 1,000 operations, trend test, verdict. Pure: the runner, `gate` and `report` call it on parsed samples.jsonl.
import type { Sample } from '../sample.ts';
import type { MetricSummary } from '../summary.ts';
import { floorPerMin } from './floors.ts';
import { findPlateau } from './plateau.ts';
import { median, pairwiseSlopes, senIntercept } from './theilSen.ts';
import { fitTrend } from './trend.ts';
import { MIN_SAMPLES, decideVerdict } from './verdict.ts';

export interface AnalyzeOptions {
  /** Samples before this many seconds are start-up, not steady state, and are left out. */
  warmupS: number;
  /** The operation kinds (keys of `sample.ops`) that drive a metric; default: the sum of all operations. */
  drivers?: Record<string, string | string[]>;
  /** Per-minute floors that override floors.ts, in the metric's unit. */
  floors?: Record<string, number>;
  /**
   * Theil-Sen and Mann-Kendall are O(n^2): longer series are averaged into this many equal bins first (an hour at
   * 1 Hz becomes bins of 8 s). Averaging keeps a linear trend intact and smooths the GC sawtooth.
   */
  maxPoints?: number;
}

/** One metric over a run: time, value, and the cumulative count of the operations driving it. */
export interface MetricSeries {
  tS: number[];
  values: number[];
  ops: number[];
  /** The level actually measured (first, last, max), when `values` had heap snapshots' steps taken out. */
  measured?: { first: number; last: number; max: number };
}

/** Phases whose samples say nothing about steady-state growth: start-up, a target restarting, the wind-down. */
export const SKIPPED_PHASES: ReadonlySet<string> = new Set(['warmup', 'restarting', 'cooldown']);

export function unitOf(metric: string): MetricSummary['unit'] {
  if (metric.endsWith('Bytes') || metric.startsWith('file:')) return 'bytes';
  if (metric.endsWith('Ms')) return 'ms';
  if (metric === 'cpuPercent') return 'percent';
  return 'count';
}

function operationCount(ops: Record<string, number>, driver: string | string[] | undefined): number {
  const kinds = driver === undefined ? Object.keys(ops) : Array.isArray(driver) ? driver : [driver];
  return kinds.reduce((sum, kind) => sum + (ops[kind] ?? 0), 0);
}

/**
 * Process memory that writing a heap snapshot raises for good: V8 serialises the heap inside the target, and the
 * pages it takes are not given back to the OS. Left in, that step (60 MB on the naive gateway) reads as a plateau
 * or a leak of the harness's own making. So for these metrics the samples from a snapshot's start until it has
 * settled are left out, and the step across that window is taken out of every later sample.
 */
const SNAPSHOT_STEP_METRICS = new Set(['rssBytes', 'heapTotalBytes', 'externalBytes']);
/** Measured on the naive gateway: RSS keeps rising for about 5 s after a snapshot of a 40 MB heap is written. */
const SNAPSHOT_SETTLE_S = 5;

/** The time windows heap snapshots disturbed, from their `snapshot` events. */
function snapshotWindows(samples: Sample[]): Array<[number, number]> {
  return samples.flatMap((s) =>
    (s.events ?? [])
      .filter((e) => e.type === 'snapshot' && e.durationMs !== undefined && e.t !== undefined)
      .map((e): [number, number] => [e.t!, e.t! + e.durationMs! / 1000 + SNAPSHOT_SETTLE_S]),
  );
}

/** The steady-state samples of one metric; a sample without the metric is skipped (absent is never zero). */
export function metricSeries(samples: Sample[], metric: string, warmupS: number, driver?: string | string[]): MetricSeries {
  const series: MetricSeries = { tS: [], values: [], ops: [] };
  const windows = SNAPSHOT_STEP_METRICS.has(metric) ? snapshotWindows(samples) : [];
  let offset = 0;
  let lastBefore: number | undefined;
  let inWindow = false;
  const measured: number[] = [];
  for (const sample of samples) {
    const value = sample.metrics[metric];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const disturbed = windows.some(([from, to]) => sample.t >= from && sample.t <= to);
    if (disturbed) {
      inWindow = true;
      continue;
    }
    if (inWindow) {
      if (lastBefore !== undefined) offset += value - lastBefore;
      inWindow = false;
    }
    lastBefore = value;
    if (sample.t < warmupS || SKIPPED_PHASES.has(sample.phase)) continue;
    series.tS.push(sample.t);
    series.values.push(value - offset);
    series.ops.push(operationCount(sample.ops ?? {}, driver));
    measured.push(value);
  }
  if (offset !== 0) series.measured = { first: measured[0], last: measured[measured.length - 1], max: Math.max(...measured) };
  return series;
}

/** Means of consecutive equal-count bins, so that at most `maxPoints` remain. */
export function binMeans(series: MetricSeries, maxPoints: number): MetricSeries {
  const n = series.tS.length;
  if (n <= maxPoints) return series;
  const size = Math.ceil(n / maxPoints);
  const binned: MetricSeries = { tS: [], values: [], ops: [] };
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    const mean = (xs: number[]) => xs.slice(start, end).reduce((a, b) => a + b, 0) / (end - start);
    binned.tS.push(mean(series.tS));
    binned.values.push(mean(series.values));
    binned.ops.push(mean(series.ops));
  }
  return binned;
}

/** Slope per 1,000 operations: Theil-Sen against the cumulative count; null when no operation ran. */
function slopePer1kOps(series: MetricSeries): number | null {
  const kOps = series.ops.map((count) => count / 1000);
  if (kOps.length < 2 || kOps[kOps.length - 1] === kOps[0]) return null;
  return median(pairwiseSlopes(kOps, series.values));
}

/** Robust spread of the values around the fitted line (1.4826 x median absolute deviation), in the metric's unit. */
function residualNoise(tMin: number[], values: number[], slope: number): number {
  const intercept = senIntercept(tMin, values, slope);
  return 1.4826 * median(Float64Array.from(values, (v, i) => Math.abs(v - intercept - slope * tMin[i])));
}

export function summarizeMetric(metric: string, raw: MetricSeries, opts: AnalyzeOptions): MetricSummary {
  const n = raw.values.length;
  const unit = unitOf(metric);
  const first = raw.measured?.first ?? raw.values[0] ?? 0;
  const last = raw.measured?.last ?? raw.values[n - 1] ?? 0;
  const max = raw.measured?.max ?? (n > 0 ? Math.max(...raw.values) : 0);
  const durationS = n > 0 ? raw.tS[n - 1] - raw.tS[0] : 0;
  const floor = floorPerMin(metric, last, opts.floors);
  if (n < MIN_SAMPLES) {
    const { verdict, moreMinutesNeeded } = decideVerdict({
      slopePerMin: 0, ciLow: 0, ciHigh: 0, trendP: 1, floorPerMin: floor, durationS, samples: n, plateau: null,
    });
    return { unit, slopePerMin: 0, ciLow: 0, ciHigh: 0, slopePer1kOps: null, trendP: 1, verdict, first, last, max, moreMinutesNeeded, samples: n };
  }
  const series = binMeans(raw, opts.maxPoints ?? 480);
  const tMin = series.tS.map((t) => t / 60);
  const trend = fitTrend(tMin, series.values);
  const ruledOut = trend.slope <= 0 || trend.ciHigh < floor;
  const plateau = ruledOut ? null : findPlateau(series.tS, series.values, floor);
  const { verdict, moreMinutesNeeded } = decideVerdict({
    slopePerMin: trend.slope,
    ciLow: trend.ciLow,
    ciHigh: trend.ciHigh,
    trendP: trend.p,
    floorPerMin: floor,
    durationS,
    samples: n,
    plateau,
  });
  return {
    unit,
    slopePerMin: trend.slope,
    ciLow: trend.ciLow,
    ciHigh: trend.ciHigh,
    slopePer1kOps: slopePer1kOps(series),
    trendP: trend.p,
    verdict,
    first,
    last,
    max,
    ...(plateau ? { plateauLevel: plateau.level, plateauAtS: plateau.atS } : {}),
    ...(moreMinutesNeeded !== undefined ? { moreMinutesNeeded } : {}),
    noise: residualNoise(raw.tS.map((t) => t / 60), raw.values, trend.slope),
    samples: n,
  };
}

/**
 * Every metric that appears in any steady-state sample, summarized. heapUsedBytes is reported but saw-toothed by
 * garbage collection; heapFloorBytes (heap used after GC) is the heap's signal that the gate judges.
 */
export function analyzeSamples(samples: Sample[], opts: AnalyzeOptions): Record<string, MetricSummary> {
  const names = new Set<string>();
  for (const sample of samples) {
    if (sample.t < opts.warmupS || SKIPPED_PHASES.has(sample.phase)) continue;
    for (const name of Object.keys(sample.metrics)) names.add(name);
  }
  const summaries: Record<string, MetricSummary> = {};
  for (const name of [...names].sort()) {
    summaries[name] = summarizeMetric(name, metricSeries(samples, name, opts.warmupS, opts.drivers?.[name]), opts);
  }
  return summaries;
}
