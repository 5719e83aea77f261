// What a person watching a run sees: on a terminal, one live line redrawn at every sample; in CI (no terminal),
// one plain line every 10 s. It keeps running sums only, so an hour-long soak costs it no more than a minute.
import type { Sample } from './sample.ts';

const PLAIN_EVERY_S = 10;
const BAR_WIDTH = 20;

export interface ProgressOptions {
  durationS: number;
  warmupS: number;
  stream?: NodeJS.WriteStream;
  /** Defaults to whether the stream is a terminal. */
  live?: boolean;
}

/** Least-squares slope over the samples seen so far, from sums, so it needs no history. */
class RunningSlope {
  private n = 0;
  private sumT = 0;
  private sumY = 0;
  private sumTT = 0;
  private sumTY = 0;

  add(t: number, y: number): void {
    this.n++;
    this.sumT += t;
    this.sumY += y;
    this.sumTT += t * t;
    this.sumTY += t * y;
  }

  /** Units per minute, or null with too few points to say. */
  perMinute(): number | null {
    const denominator = this.n * this.sumTT - this.sumT * this.sumT;
    if (this.n < 3 || denominator === 0) return null;
    return ((this.n * this.sumTY - this.sumT * this.sumY) / denominator) * 60;
  }
}

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly live: boolean;
  private readonly rssSlope = new RunningSlope();
  private readonly heapSlope = new RunningSlope();
  private nextPlainAt = 0;
  private lineShown = false;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.live = options.live ?? Boolean(this.stream.isTTY);
  }

  update(sample: Sample): void {
    const { metrics } = sample;
    if (sample.t >= this.options.warmupS) {
      if (metrics.rssBytes !== undefined) this.rssSlope.add(sample.t, metrics.rssBytes);
      const heap = metrics.heapFloorBytes ?? metrics.heapUsedBytes;
      if (heap !== undefined) this.heapSlope.add(sample.t, heap);
    }
    if (this.live) {
      this.stream.write(`\r\x1b[2K${this.describe(sample, true)}`);
      this.lineShown = true;
    } else if (sample.t >= this.nextPlainAt) {
      this.stream.write(`${this.describe(sample, false)}\n`);
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

  private describe(sample: Sample, withBar: boolean): string {
    const { durationS } = this.options;
    const { metrics } = sample;
    const done = Math.min(1, sample.t / durationS);
    const parts: string[] = [];
    if (withBar) {
      const filled = Math.round(done * BAR_WIDTH);
      parts.push(`[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`);
    }
    parts.push(`${clock(sample.t)} / ${clock(durationS)} (${clock(Math.max(0, durationS - sample.t))} left) ${sample.phase}`);
    if (metrics.rssBytes !== undefined) parts.push(`rss ${megabytes(metrics.rssBytes)}${perMinute(this.rssSlope)}`);
    if (metrics.heapUsedBytes !== undefined) {
      const floor = metrics.heapFloorBytes !== undefined ? ` floor ${megabytes(metrics.heapFloorBytes)}` : '';
      parts.push(`heap ${megabytes(metrics.heapUsedBytes)}${floor}${perMinute(this.heapSlope)}`);
    }
    if (metrics.sessionCount !== undefined) parts.push(`sessions ${metrics.sessionCount}`);
    if (metrics.sessionsFileBytes !== undefined) parts.push(`sessions.json ${megabytes(metrics.sessionsFileBytes)}`);
    if (sample.window.errors > 0) parts.push(`errors ${sample.window.errors}`);
    return parts.join('  ');
  }
}

function perMinute(slope: RunningSlope): string {
  const value = slope.perMinute();
  if (value === null) return '';
  return ` (${value >= 0 ? '+' : '-'}${megabytes(Math.abs(value))}/min)`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function clock(seconds: number): string {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}
