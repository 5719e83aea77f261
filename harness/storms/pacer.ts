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

export function startPacer({ ctx, schedule, next, maxInFlight = DEFAULT_MAX_IN_FLIGHT, requestTimeoutS }: PacerOptions): StormHandle {
  const batches = new Set<Batch>();
  let issued = 0;
  let inFlight = 0;
  let activeMs = 0;
  let runningSince: number | null = performance.now();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const elapsedScenarioS = () => ((activeMs + (runningSince === null ? 0 : performance.now() - runningSince)) / 1000) * ctx.timeScale;

  const onOutcome = (request: StormRequest, outcome: RequestOutcome) => {
    inFlight--;
    if (recordOutcome(ctx, request, outcome)) request.onOk?.(outcome.body);
  };

  const launch = (requests: StormRequest[]) => {
    inFlight += requests.length;
    ctx.tally.addSent(requests.length);
    let settled = 0;
    const settle = (request: StormRequest, outcome: RequestOutcome) => {
      settled++;
      onOutcome(request, outcome);
    };
    let batch: Batch;
    try {
      batch = sendBatch(ctx.baseUrl, requests, settle, requestTimeoutS);
    } catch {
      // A base URL autocannon cannot use: every request fails, visibly, in the window's errors.
      for (const request of requests) settle(request, { status: null, latencyMs: null, body: '' });
      return;
    }
    batches.add(batch);
    void batch.done.then(() => {
      batches.delete(batch);
      // Requests a stopped batch abandoned are no longer in flight either.
      inFlight -= requests.length - settled;
    });
  };

  const tick = () => {
    timer = null;
    if (stopped || runningSince === null) return;
    const now = elapsedScenarioS();
    const due: StormRequest[] = [];
    let notReady = false;
    while (schedule.timeOf(issued) <= now) {
      if (inFlight + due.length >= maxInFlight) {
        ctx.opCounter.add('skipped');
        ctx.tally.addSkipped();
        issued++;
        continue;
      }
      const request = next(issued);
      if (!request) {
        notReady = true;
        break;
      }
      due.push(request);
      issued++;
    }
    if (due.length > 0) launch(due);
    const waitS = (schedule.timeOf(issued) - now) / ctx.timeScale;
    if (notReady || Number.isFinite(waitS)) timer = setTimeout(tick, notReady ? MIN_TICK_MS : Math.max(MIN_TICK_MS, waitS * 1000));
  };

  tick();
  return {
    pause() {
      if (runningSince === null || stopped) return;
      activeMs += performance.now() - runningSince;
      runningSince = null;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    resume() {
      if (runningSince !== null || stopped) return;
      runningSince = performance.now();
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const batch of batches) batch.stop();
      await Promise.all([...batches].map((batch) => batch.done));
    },
  };
}
