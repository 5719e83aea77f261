// The verdict while a soak is still running: each memory metric's slope with its interval so far, and when the
// target would reach a memory limit at that pace. Fixed memory whatever the length of the run: samples are folded
// into at most `maxBins` time bins, two neighbours merging when full, so an hour costs what a minute does.
import { summarizeMetric } from '../analysis/analyze.ts';
import { metricInfo } from '../analysis/metricCatalogue.ts';
import { currentGrowth, growthNotes } from '../analysis/verdict.ts';
import { SeriesReader, type MetricSeries, type SeriesPoint } from '../analysis/series.ts';
import type { Sample } from '../contracts/sample.ts';
import type { MetricSummary } from '../contracts/summary.ts';
import { UsageError } from '../contracts/exitCodes.ts';
import { formatRate, readByteSize } from '../analysis/units.ts';

/** A series folded into at most `maxBins` time bins; two neighbours of the same segment merge when full. */
class BinnedSeries {
  private bins: Array<{ t: number; v: number; ops: number; n: number; segment: number }> = [];
  private perBin = 1;

  constructor(private readonly maxBins: number) {}

  add({ t, value, ops, segment }: SeriesPoint): void {
    const last = this.bins[this.bins.length - 1];
    if (last && last.n < this.perBin && last.segment === segment) {
      last.t += t;
      last.v += value;
      last.ops += ops;
      last.n++;
    } else {
      this.bins.push({ t, v: value, ops, n: 1, segment });
    }
    if (this.bins.length > this.maxBins) this.halve();
  }

  private halve(): void {
    const merged = [];
    for (let i = 0; i < this.bins.length; i++) {
      const a = this.bins[i];
      const b = this.bins[i + 1];
      if (b && b.segment === a.segment) {
        merged.push({ t: a.t + b.t, v: a.v + b.v, ops: a.ops + b.ops, n: a.n + b.n, segment: a.segment });
        i++;
      } else {
        merged.push(a);
      }
    }
    this.bins = merged;
    this.perBin *= 2;
  }

  series(): MetricSeries {
    return {
      tS: this.bins.map((b) => b.t / b.n),
      values: this.bins.map((b) => b.v / b.n),
      ops: this.bins.map((b) => b.ops / b.n),
      segment: this.bins.map((b) => b.segment),
    };
  }
}

export interface LiveMetric {
  metric: string;
  summary: MetricSummary;
  /** Seconds from now until `limitBytes` at the current slope; null when not growing or no limit. */
  secondsToLimit: number | null;
}

export class LiveVerdict {
  private readonly series = new Map<string, { reader: SeriesReader; bins: BinnedSeries; last?: number }>();

  constructor(
    private readonly options: { metrics: string[]; warmupS: number; limitBytes?: number; maxBins?: number },
  ) {}

  add(sample: Sample): void {
    for (const metric of this.options.metrics) {
      let followed = this.series.get(metric);
      if (!followed) {
        followed = { reader: new SeriesReader(metric, this.options.warmupS), bins: new BinnedSeries(this.options.maxBins ?? 240) };
        this.series.set(metric, followed);
      }
      const point = followed.reader.read(sample);
      if (!point) continue;
      followed.bins.add(point);
      followed.last = point.value;
    }
  }

  /** The verdict so far for every metric with enough samples. */
  current(): LiveMetric[] {
    const out: LiveMetric[] = [];
    for (const [metric, { bins, last: now }] of this.series) {
      const series = bins.series();
      if (series.tS.length === 0) continue;
      const summary = summarizeMetric(metric, series, { warmupS: 0 });
      const limit = metricInfo(metric).projectedToLimit ? this.options.limitBytes : undefined;
      const rate = currentGrowth(summary).slopePerMin;
      const secondsToLimit =
        limit !== undefined && now !== undefined && summary.verdict === 'growing' && rate > 0 ? Math.max(0, ((limit - now) / rate) * 60) : null;
      out.push({ metric, summary, secondsToLimit });
    }
    return out;
  }
}

/** `1GiB`, `512MiB`, `1GB`, `800000000` -> bytes, each suffix meaning what it says (harness/analysis/units.ts). */
export function parseByteSize(text: string): number {
  const bytes = readByteSize(text);
  if (bytes === null) throw new UsageError(`expected a size such as 1GiB, 512MiB, 1GB (10^9 bytes) or a number of bytes; got '${text}'.`);
  return bytes;
}

/** One line a person reads: the slope with its interval and verdict, and the projection to the limit. */
export function describeLive(live: LiveMetric): string {
  const { summary } = live;
  const rate = (n: number) => formatRate(n, summary.unit);
  let line = `${live.metric} ${summary.verdict} ${rate(summary.slopePerMin)} [${rate(summary.ciLow)}, ${rate(summary.ciHigh)}]`;
  const notes = growthNotes(summary);
  if (notes.length) line += ` (${notes.join('; ')})`;
  if (live.secondsToLimit !== null) line += `; at this pace it reaches the memory limit in about ${Math.round(live.secondsToLimit / 60)} min`;
  return line;
}
