// What the load did: cumulative operation counts by kind, and the requests finished in the current sample window.
// Latency lives in a fixed log-bucketed histogram, so an hour-long run costs the same memory as a minute.
import type { Sample } from '../contracts/sample.ts';

// Buckets grow by 2%, so a reported percentile is within about 1% of the true latency, from 10 µs to 10 minutes.
const MIN_MS = 0.01;
const MAX_MS = 600_000;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_GROWTH) + 1;

export class OpCounter {
  private readonly counts = new Map<string, number>();
  private readonly latencyBuckets = new Uint32Array(BUCKETS);
  private windowRequests = 0;
  private windowErrors = 0;
  private windowLatencies = 0;
  private windowMaxMs: number | null = null;

  /** `counts`: the cumulative counts to continue from (a resumed run carries on from its last sample's). */
  constructor(counts: Record<string, number> = {}) {
    for (const [kind, n] of Object.entries(counts)) this.counts.set(kind, n);
  }

  /** Counts operations of one kind (subagents, cronRuns, chats, skipped...). */
  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  /**
   * One finished request: counted in `requests` (and `errors` when it failed) and in the window. A request that got
   * no response (refused, reset, timed out) has no latency.
   */
  recordRequest(latencyMs: number | null, ok: boolean): void {
    this.add('requests');
    this.windowRequests++;
    if (!ok) {
      this.add('errors');
      this.windowErrors++;
    }
    if (latencyMs === null) return;
    const ms = Math.min(Math.max(latencyMs, MIN_MS), MAX_MS);
    this.latencyBuckets[Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH)]++;
    this.windowLatencies++;
    this.windowMaxMs = this.windowMaxMs === null ? latencyMs : Math.max(this.windowMaxMs, latencyMs);
  }

  /** Cumulative counts since the run started. */
  totals(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** The requests finished since the previous call, and starts a new window. */
  takeWindow(): Sample['window'] {
    const window: Sample['window'] = {
      requests: this.windowRequests,
      errors: this.windowErrors,
      latencyP50Ms: this.percentile(0.5),
      latencyP99Ms: this.percentile(0.99),
      latencyMaxMs: this.windowMaxMs === null ? null : round(this.windowMaxMs),
    };
    this.latencyBuckets.fill(0);
    this.windowRequests = 0;
    this.windowErrors = 0;
    this.windowLatencies = 0;
    this.windowMaxMs = null;
    return window;
  }

  private percentile(q: number): number | null {
    if (this.windowLatencies === 0) return null;
    const rank = Math.ceil(q * this.windowLatencies);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.latencyBuckets[i];
      // The bucket's geometric middle, never above the largest latency actually seen.
      if (seen >= rank) return round(Math.min(MIN_MS * GROWTH ** (i + 0.5), this.windowMaxMs as number));
    }
    return round(this.windowMaxMs as number);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
