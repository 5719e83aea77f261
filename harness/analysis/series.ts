// From samples to one metric's series, the same way for every reader: the final analysis, the live verdict, the
// progress line, the Prometheus exporter, compare and the report (docs/ARCHITECTURE.md, "One series pipeline").
// It decides which samples count (steady load only, heap snapshots' disturbance left out), which process each
// point came from (a restart or a resume starts a new segment, fitted with an intercept of its own), and how many
// operations drove it (each operation counted once). Pure: samples in, numbers out.
import type { Sample } from '../contracts/sample.ts';
import { metricsWith } from './metricCatalogue.ts';

/** Phases whose samples say nothing about steady-state growth: start-up, a restart, the wind-down, the diagnosis. */
export const SKIPPED_PHASES: ReadonlySet<string> = new Set(['warmup', 'restarting', 'cooldown', 'diagnosis']);

/**
 * Process memory that writing a heap snapshot raises for good (the catalogue's `stepsAtSnapshot`): V8 serialises
 * the heap inside the target, and the pages it takes are not given back to the OS. For these metrics the samples
 * from a snapshot's start until it has settled are left out, and the points after it start a new segment, so the
 * step is an intercept, not growth.
 */
export const SNAPSHOT_STEP_METRICS: ReadonlySet<string> = new Set(metricsWith('stepsAtSnapshot'));
/** Measured on the naive gateway: RSS keeps rising for about 5 s after a snapshot of a 40 MB heap is written. */
const SNAPSHOT_SETTLE_S = 5;

/** One metric over a run: time, measured value, the operations done so far, and the segment of each point. */
export interface MetricSeries {
  tS: number[];
  values: number[];
  ops: number[];
  /** 0 for the first process; one more after each restart, resume or (for SNAPSHOT_STEP_METRICS) heap snapshot. */
  segment: number[];
}

/**
 * The operations a sample's cumulative counts stand for: each successful request once. `requests` counts every
 * finished request and the storms also count the same request by kind (subagents, cronRuns...), so summing the
 * keys would count it twice. A `driver` names the kinds to use instead.
 */
export function operationCount(ops: Record<string, number>, driver?: string | string[]): number {
  if (driver !== undefined) return (Array.isArray(driver) ? driver : [driver]).reduce((sum, kind) => sum + (ops[kind] ?? 0), 0);
  if (ops.requests !== undefined) return ops.requests - (ops.errors ?? 0);
  return Object.entries(ops).reduce((sum, [kind, n]) => (kind === 'errors' || kind === 'skipped' ? sum : sum + n), 0);
}

export interface SeriesPoint {
  t: number;
  value: number;
  ops: number;
  segment: number;
}

/**
 * Reads samples one at a time, in order, and says what each contributes to one metric's series. Holds a few
 * numbers only, so the live verdict follows an hour-long soak in fixed memory.
 */
export class SeriesReader {
  private segment = 0;
  private disturbedUntil = -Infinity;
  private inDisturbance = false;
  private readonly stepsAtSnapshots: boolean;

  constructor(
    readonly metric: string,
    private readonly warmupS: number,
    private readonly driver?: string | string[],
  ) {
    this.stepsAtSnapshots = SNAPSHOT_STEP_METRICS.has(metric);
  }

  /** The point this sample adds to the series, or null (skipped phase, disturbed, or the metric is absent). */
  read(sample: Sample): SeriesPoint | null {
    for (const event of sample.events ?? []) {
      // A restart's event rides on the first sample of the new process.
      if (event.type === 'restart') this.segment++;
      if (this.stepsAtSnapshots && event.type === 'snapshot' && event.durationMs !== undefined && Number.isFinite(event.t)) {
        this.disturbedUntil = Math.max(this.disturbedUntil, event.t + event.durationMs / 1000 + SNAPSHOT_SETTLE_S);
        this.inDisturbance = true;
      }
    }
    if (this.inDisturbance && sample.t > this.disturbedUntil) {
      this.inDisturbance = false;
      this.segment++;
    }
    const value = sample.metrics[this.metric];
    if (this.inDisturbance || typeof value !== 'number' || !Number.isFinite(value)) return null;
    if (sample.t < this.warmupS || SKIPPED_PHASES.has(sample.phase)) return null;
    return { t: sample.t, value, ops: operationCount(sample.ops ?? {}, this.driver), segment: this.segment };
  }
}

/** The steady-state series of one metric; a sample without the metric is skipped (absent is never zero). */
export function metricSeries(samples: Sample[], metric: string, warmupS: number, driver?: string | string[]): MetricSeries {
  const reader = new SeriesReader(metric, warmupS, driver);
  const series: MetricSeries = { tS: [], values: [], ops: [], segment: [] };
  for (const sample of samples) {
    const point = reader.read(sample);
    if (!point) continue;
    series.tS.push(point.t);
    series.values.push(point.value);
    series.ops.push(point.ops);
    series.segment.push(point.segment);
  }
  return series;
}

/** Every metric that appears in some steady-state sample. */
export function measuredMetrics(samples: Sample[], warmupS: number): string[] {
  const names = new Set<string>();
  for (const sample of samples) {
    if (sample.t < warmupS || SKIPPED_PHASES.has(sample.phase)) continue;
    for (const name of Object.keys(sample.metrics)) names.add(name);
  }
  return [...names].sort();
}

/**
 * Means of consecutive equal-count bins within each segment, so that about `maxPoints` remain (a bin never mixes
 * two processes). Averaging keeps a linear trend intact and smooths the GC sawtooth.
 */
export function binMeans(series: MetricSeries, maxPoints: number): MetricSeries {
  const n = series.tS.length;
  if (n <= maxPoints) return series;
  const size = Math.ceil(n / maxPoints);
  const binned: MetricSeries = { tS: [], values: [], ops: [], segment: [] };
  let start = 0;
  while (start < n) {
    let end = start;
    while (end < n && end - start < size && series.segment[end] === series.segment[start]) end++;
    const mean = (xs: number[]) => xs.slice(start, end).reduce((a, b) => a + b, 0) / (end - start);
    binned.tS.push(mean(series.tS));
    binned.values.push(mean(series.values));
    binned.ops.push(mean(series.ops));
    binned.segment.push(series.segment[start]);
    start = end;
  }
  return binned;
}
