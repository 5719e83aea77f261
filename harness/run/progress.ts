// What a person watching a run sees: on a terminal, one live line redrawn at every sample; in CI (no terminal),
// one plain line every 10 s. Its slopes are the live verdict's, fitted as the final analysis fits them (one series
// pipeline, docs/ARCHITECTURE.md), in fixed memory, so an hour-long soak costs it no more than a minute.
import { metricsWith } from '../analysis/metricCatalogue.ts';
import { MIN_SAMPLES } from '../analysis/verdict.ts';
import { LiveVerdict } from './liveVerdict.ts';
import type { Sample } from '../contracts/sample.ts';
import type { StormFigures } from '../storms/stormTally.ts';
import { formatBytes, formatClock, formatSignedRate } from '../analysis/units.ts';

const PLAIN_EVERY_S = 10;
const BAR_WIDTH = 20;

export interface ProgressOptions {
  durationS: number;
  warmupS: number;
  stream?: NodeJS.WriteStream;
  /** Defaults to whether the stream is a terminal. */
  live?: boolean;
}

/** How often the shown slopes are refitted (each fit is the analysis's own, on at most 240 bins). */
const REFIT_EVERY_S = 5;

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly live: boolean;
  private readonly slopeSource: LiveVerdict;
  private slopes = new Map<string, number>();
  private nextRefitAt = 0;
  /** The heap floor is read only at settled samples; the line shows the latest. */
  private lastFloor: number | undefined;
  private nextPlainAt = 0;
  private lineShown = false;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.live = options.live ?? Boolean(this.stream.isTTY);
    this.slopeSource = new LiveVerdict({ metrics: metricsWith('memorySignal'), warmupS: options.warmupS });
  }

  /** `storms`: each storm's figures so far; operations a storm skipped at its in-flight cap are shown. */
  update(sample: Sample, storms: Array<Pick<StormFigures, 'skipped'>> = []): void {
    this.slopeSource.add(sample);
    this.lastFloor = sample.metrics.heapFloorBytes ?? this.lastFloor;
    if (sample.t >= this.nextRefitAt) {
      this.nextRefitAt = sample.t + REFIT_EVERY_S;
      this.slopes = new Map(
        this.slopeSource.current().filter((m) => (m.summary.samples ?? 0) >= MIN_SAMPLES).map((m) => [m.metric, m.summary.slopePerMin]),
      );
    }
    if (this.live) {
      this.stream.write(`\r\x1b[2K${this.describe(sample, storms, true)}`);
      this.lineShown = true;
    } else if (sample.t >= this.nextPlainAt) {
      this.stream.write(`${this.describe(sample, storms, false)}\n`);
      this.nextPlainAt = (Math.floor(sample.t / PLAIN_EVERY_S) + 1) * PLAIN_EVERY_S;
    }
  }

  /** A message of its own (restart, snapshot, interruption) that must not be drawn over. */
  note(message: string): void {
    this.endLine();
    this.stream.write(`${message}\n`);
  }

  finish(): void {
    this.endLine();
  }

  private endLine(): void {
    if (!this.lineShown) return;
    this.stream.write('\n');
    this.lineShown = false;
  }

  private describe(sample: Sample, storms: Array<Pick<StormFigures, 'skipped'>>, withBar: boolean): string {
    const { durationS } = this.options;
    const { metrics } = sample;
    const done = Math.min(1, sample.t / durationS);
    const parts: string[] = [];
    if (withBar) {
      const filled = Math.round(done * BAR_WIDTH);
      parts.push(`[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`);
    }
    parts.push(`${formatClock(sample.t)} / ${formatClock(durationS)} (${formatClock(Math.max(0, durationS - sample.t))} left) ${sample.phase}`);
    // RSS's slope is the settled series' when the probe gives one (the one the gate judges), else raw RSS's.
    const rssSlope = this.slopes.get('rssSettledBytes') ?? this.slopes.get('rssBytes');
    if (metrics.rssBytes !== undefined) parts.push(`rss ${formatBytes(metrics.rssBytes)}${perMinute(rssSlope)}`);
    if (metrics.heapUsedBytes !== undefined) {
      const floor = this.lastFloor !== undefined ? ` floor ${formatBytes(this.lastFloor)}` : '';
      parts.push(`heap ${formatBytes(metrics.heapUsedBytes)}${floor}${perMinute(this.slopes.get('heapFloorBytes'))}`);
    }
    if (metrics.sessionCount !== undefined) parts.push(`sessions ${metrics.sessionCount}`);
    if (metrics.sessionsFileBytes !== undefined) parts.push(`sessions.json ${formatBytes(metrics.sessionsFileBytes)}`);
    if (sample.window.errors > 0) parts.push(`errors ${sample.window.errors}`);
    storms.forEach(({ skipped }, i) => {
      if (skipped > 0) parts.push(`storm ${i + 1} skipped ${skipped}`);
    });
    return parts.join('  ');
  }
}

function perMinute(value: number | undefined): string {
  return value === undefined ? '' : ` (${formatSignedRate(value, 'bytes')})`;
}
