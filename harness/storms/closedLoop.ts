// Closed-loop load (k6's constant virtual users): each of `users` sends its next request only once its last one is
// answered or timed out, then thinks for `thinkTime`. A slow target gets fewer requests instead of a growing pile
// of them, as a fixed crowd of people or agents would send (docs/ARCHITECTURE.md, "Storms and their executors").
import { sendBatch, type Batch, type StormRequest } from './autocannonBatch.ts';
import type { StormContext, StormHandle } from './storm.ts';
import { recordOutcome } from './stormTally.ts';

export interface ClosedLoopOptions {
  ctx: StormContext;
  /** Virtual users, each with at most one request in flight. */
  users: number;
  /** Scenario seconds a user waits between an answer and its next request (the time scale divides it). */
  thinkTimeS: number;
  /** The request for operation `n`; null when the storm is not ready for it yet (the user asks again shortly). */
  next(n: number): StormRequest | null;
  /** A request unanswered this long is an error (seconds). */
  requestTimeoutS?: number;
}

// A user whose storm is not ready (a chat session being opened) asks again after this long.
const NOT_READY_RETRY_MS = 50;
// A request that got no answer (refused, reset) can fail within a millisecond; without a pause each user would
// retry as fast as the harness can spin, which costs the machine the target runs on.
const NO_ANSWER_PAUSE_MS = 100;

export function startClosedLoop(options: ClosedLoopOptions): StormHandle {
  return new ClosedLoop(options);
}

class ClosedLoop implements StormHandle {
  private readonly ctx: StormContext;
  private readonly batches = new Set<Batch>();
  /** Users waiting (thinking, not ready): stop() wakes them early. */
  private readonly sleeping = new Set<() => void>();
  /** Users waiting for resume(); stop() wakes them too. */
  private readonly parked = new Set<() => void>();
  private readonly running: Promise<void>[];
  private issued = 0;
  private paused = false;
  private stopped = false;

  constructor(private readonly options: ClosedLoopOptions) {
    this.ctx = options.ctx;
    this.running = Array.from({ length: options.users }, () => this.runUser());
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused || this.stopped) return;
    this.paused = false;
    wakeAll(this.parked);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    wakeAll(this.sleeping);
    wakeAll(this.parked);
    for (const batch of this.batches) batch.stop();
    await Promise.all([...this.running, ...[...this.batches].map((batch) => batch.done)]);
  }

  private async runUser(): Promise<void> {
    const { next, thinkTimeS } = this.options;
    while (!this.stopped) {
      if (this.paused) {
        await this.wait(null);
        continue;
      }
      const request = next(this.issued);
      if (!request) {
        await this.wait(NOT_READY_RETRY_MS);
        continue;
      }
      this.issued++;
      const answered = await this.send(request);
      const pauseMs = Math.max(answered ? 0 : NO_ANSWER_PAUSE_MS, (thinkTimeS / this.ctx.timeScale) * 1000);
      if (pauseMs > 0 && !this.stopped) await this.wait(pauseMs);
    }
  }

  /** `ms` null: until resume() or stop(). */
  private wait(ms: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiters = ms === null ? this.parked : this.sleeping;
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = ms === null ? undefined : setTimeout(wake, ms);
      waiters.add(wake);
    });
  }

  /** Resolves with whether the target answered, once the request has its outcome (or was abandoned by stop()). */
  private send(request: StormRequest): Promise<boolean> {
    const { ctx } = this;
    return new Promise<boolean>((resolve) => {
      ctx.tally.addSent(1);
      let batch: Batch;
      try {
        batch = sendBatch(ctx.baseUrl, [request], (sentRequest, outcome) => {
          if (recordOutcome(ctx, sentRequest, outcome)) sentRequest.onOk?.(outcome.body);
          resolve(outcome.status !== null);
        }, this.options.requestTimeoutS);
      } catch (error) {
        // A base URL autocannon cannot use: the request fails, visibly, in the storm's errors.
        recordOutcome(ctx, request, { status: null, latencyMs: null, body: '', error: (error as Error).message });
        resolve(false);
        return;
      }
      this.batches.add(batch);
      void batch.done.then(() => {
        this.batches.delete(batch);
        resolve(false);
      });
    });
  }
}

function wakeAll(waiters: Set<() => void>): void {
  for (const wake of [...waiters]) wake();
}
