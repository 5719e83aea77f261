// Runs a storm's schedule on a clock that stops while paused: every operation that is due goes out in a short
// autocannon batch, so the requested rate arrives smooth (or in bursts, when the schedule says so).
import { sendBatch, type Batch, type RequestOutcome, type StormRequest } from './autocannonBatch.ts';
import type { Schedule } from './schedule.ts';
import type { StormContext, StormHandle } from './storm.ts';
import { recordOutcome } from './stormTally.ts';

export interface PacerOptions {
  ctx: StormContext;
  schedule: Schedule;
  /** The request for operation `n`; null when the storm is not ready for it yet (it is asked again shortly). */
  next(n: number): StormRequest | null;
  /** Operations in flight at most; operations due beyond it are skipped and counted as `skipped`. */
  maxInFlight?: number;
  /** A request unanswered this long is an error (seconds). */
  requestTimeoutS?: number;
}

// Batches go out at most this often per storm: it bounds the cost of autocannon runs at high rates, and at
// 20 batches a second the load is still smooth at any sample interval.
const MIN_TICK_MS = 50;
export const DEFAULT_MAX_IN_FLIGHT = 64;

export function startPacer(options: PacerOptions): StormHandle {
  const pacer = new Pacer(options);
  pacer.resume();
  return pacer;
}

class Pacer implements StormHandle {
  private readonly ctx: StormContext;
  private readonly maxInFlight: number;
  private readonly batches = new Set<Batch>();
  private issued = 0;
  private inFlight = 0;
  /** Milliseconds run before the last pause; with `runningSince`, the storm's own clock, which stops while paused. */
  private activeMs = 0;
  private runningSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: PacerOptions) {
    this.ctx = options.ctx;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  }

  pause(): void {
    if (this.runningSince === null || this.stopped) return;
    this.activeMs += performance.now() - this.runningSince;
    this.runningSince = null;
    this.clearTimer();
  }

  resume(): void {
    if (this.runningSince !== null || this.stopped) return;
    this.runningSince = performance.now();
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    for (const batch of this.batches) batch.stop();
    await Promise.all([...this.batches].map((batch) => batch.done));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private elapsedScenarioS(): number {
    const runningMs = this.runningSince === null ? 0 : performance.now() - this.runningSince;
    return ((this.activeMs + runningMs) / 1000) * this.ctx.timeScale;
  }

  /** Sends every operation due by now (skipping those beyond maxInFlight), then waits for the next one due. */
  private tick(): void {
    this.timer = null;
    if (this.stopped || this.runningSince === null) return;
    const { schedule, next } = this.options;
    const now = this.elapsedScenarioS();
    const due: StormRequest[] = [];
    let notReady = false;
    while (schedule.timeOf(this.issued) <= now) {
      if (this.inFlight + due.length >= this.maxInFlight) {
        this.ctx.opCounter.add('skipped');
        this.ctx.tally.addSkipped();
        this.issued++;
        continue;
      }
      const request = next(this.issued);
      if (!request) {
        notReady = true;
        break;
      }
      due.push(request);
      this.issued++;
    }
    if (due.length > 0) this.launch(due);
    const waitS = (schedule.timeOf(this.issued) - now) / this.ctx.timeScale;
    if (notReady || Number.isFinite(waitS)) this.timer = setTimeout(() => this.tick(), notReady ? MIN_TICK_MS : Math.max(MIN_TICK_MS, waitS * 1000));
  }

  private launch(requests: StormRequest[]): void {
    this.inFlight += requests.length;
    this.ctx.tally.addSent(requests.length);
    let settled = 0;
    const settle = (request: StormRequest, outcome: RequestOutcome) => {
      settled++;
      this.inFlight--;
      if (recordOutcome(this.ctx, request, outcome)) request.onOk?.(outcome.body);
    };
    let batch: Batch;
    try {
      batch = sendBatch(this.ctx.baseUrl, requests, settle, this.options.requestTimeoutS);
    } catch {
      // A base URL autocannon cannot use: every request fails, visibly, in the window's errors.
      for (const request of requests) settle(request, { status: null, latencyMs: null, body: '' });
      return;
    }
    this.batches.add(batch);
    void batch.done.then(() => {
      this.batches.delete(batch);
      // Requests a stopped batch abandoned are no longer in flight either.
      this.inFlight -= requests.length - settled;
    });
  }
}
