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

export function startClosedLoop({ ctx, users, thinkTimeS, next, requestTimeoutS }: ClosedLoopOptions): StormHandle {
  const batches = new Set<Batch>();
  /** Users waiting (thinking, not ready): stop() wakes them early. */
  const sleeping = new Set<() => void>();
  /** Users waiting for resume(); stop() wakes them too. */
  const parked = new Set<() => void>();
  let issued = 0;
  let paused = false;
  let stopped = false;

  /** `ms` null: until resume() or stop(). */
  const wait = (ms: number | null) =>
    new Promise<void>((resolve) => {
      const waiters = ms === null ? parked : sleeping;
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = ms === null ? undefined : setTimeout(wake, ms);
      waiters.add(wake);
    });

  /** Resolves with whether the target answered, once the request has its outcome (or was abandoned by stop()). */
  const send = (request: StormRequest) =>
    new Promise<boolean>((resolve) => {
      ctx.tally.addSent(1);
      let batch: Batch;
      try {
        batch = sendBatch(ctx.baseUrl, [request], (sentRequest, outcome) => {
          if (recordOutcome(ctx, sentRequest, outcome)) sentRequest.onOk?.(outcome.body);
          resolve(outcome.status !== null);
        }, requestTimeoutS);
      } catch (error) {
        // A base URL autocannon cannot use: the request fails, visibly, in the storm's errors.
        recordOutcome(ctx, request, { status: null, latencyMs: null, body: '', error: (error as Error).message });
        resolve(false);
        return;
      }
      batches.add(batch);
      void batch.done.then(() => {
        batches.delete(batch);
        resolve(false);
      });
    });

  const runUser = async () => {
    while (!stopped) {
      if (paused) {
        await wait(null);
        continue;
      }
      const request = next(issued);
      if (!request) {
        await wait(NOT_READY_RETRY_MS);
        continue;
      }
      issued++;
      const answered = await send(request);
      const pauseMs = Math.max(answered ? 0 : NO_ANSWER_PAUSE_MS, (thinkTimeS / ctx.timeScale) * 1000);
      if (pauseMs > 0 && !stopped) await wait(pauseMs);
    }
  };

  const running = Array.from({ length: users }, runUser);
  const wakeAll = (waiters: Set<() => void>) => {
    for (const wake of [...waiters]) wake();
  };
  return {
    pause() {
      paused = true;
    },
    resume() {
      if (!paused || stopped) return;
      paused = false;
      wakeAll(parked);
    },
    async stop() {
      stopped = true;
      wakeAll(sleeping);
      wakeAll(parked);
      for (const batch of batches) batch.stop();
      await Promise.all([...running, ...[...batches].map((batch) => batch.done)]);
    },
  };
}
