// What one storm's load did: operations due, sent and skipped, requests finished and failed, why they failed, and
// the same per minute of the measured window, which is what decides whether the run's load failed
// (harness/storms/loadCheck.ts). Every request outcome of every storm is counted here, once, by recordOutcome.
import type { RequestOutcome, StormRequest } from './autocannonBatch.ts';
import type { StormContext } from './storm.ts';

/** Requests finished (answered, failed or timed out) and how many of them were errors, in one stretch of time. */
export interface RequestCount {
  requests: number;
  errors: number;
}

/** One storm's figures as plain data (summary.json's `load.storms`, less the judgement). */
export interface StormFigures extends RequestCount {
  /** Operations whose time came: sent, or skipped at the in-flight cap. */
  due: number;
  sent: number;
  /** Sent and answered with any HTTP status. */
  answered: number;
  /** Due while the storm's in-flight cap was reached, so not sent (open loop only). */
  skipped: number;
  /** Failed requests by cause (`HTTP 401`, `timeout`, `ECONNREFUSED`...). */
  errorCauses: Record<string, number>;
  /** By minute of the measured window, counting from 0 at the end of warmup; minutes with no request left out. */
  minutes: Array<RequestCount & { minute: number }>;
}

export class StormTally {
  private due = 0;
  private sent = 0;
  private answered = 0;
  private skipped = 0;
  private requests = 0;
  private errors = 0;
  private readonly errorCauses = new Map<string, number>();
  private readonly minutes = new Map<number, RequestCount>();

  /**
   * `measuredS`: seconds into the measured window now, or null outside it (warmup, a restart, the diagnosis phase
   * and cooldown): only requests finished inside it count towards its minutes.
   */
  constructor(private readonly measuredS: () => number | null = () => null) {}

  /** `n` operations went out (each is also due). */
  addSent(n: number): void {
    this.sent += n;
    this.due += n;
  }

  /** An operation was due but the in-flight cap was reached. */
  addSkipped(): void {
    this.skipped++;
    this.due++;
  }

  addOutcome(outcome: RequestOutcome, ok: boolean): void {
    this.requests++;
    if (outcome.status !== null) this.answered++;
    const at = this.measuredS();
    const minute = at === null ? null : this.minuteAt(Math.floor(at / 60));
    if (minute) minute.requests++;
    if (ok) return;
    this.errors++;
    if (minute) minute.errors++;
    const cause = outcome.status !== null ? `HTTP ${outcome.status}` : (outcome.error ?? 'no response');
    this.errorCauses.set(cause, (this.errorCauses.get(cause) ?? 0) + 1);
  }

  figures(): StormFigures {
    return {
      due: this.due,
      sent: this.sent,
      answered: this.answered,
      skipped: this.skipped,
      requests: this.requests,
      errors: this.errors,
      errorCauses: Object.fromEntries(this.errorCauses),
      minutes: [...this.minutes].map(([minute, count]) => ({ minute, ...count })).sort((a, b) => a.minute - b.minute),
    };
  }

  private minuteAt(index: number): RequestCount {
    let minute = this.minutes.get(index);
    if (!minute) this.minutes.set(index, (minute = { requests: 0, errors: 0 }));
    return minute;
  }
}

/** Counts one request's outcome for the run (`requests`, `errors`, its operation kind) and for its storm; true when it succeeded (2xx). */
export function recordOutcome(ctx: StormContext, request: Pick<StormRequest, 'op'>, outcome: RequestOutcome): boolean {
  const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
  ctx.opCounter.recordRequest(outcome.latencyMs, ok);
  ctx.tally.addOutcome(outcome, ok);
  if (ok && request.op) ctx.opCounter.add(request.op);
  return ok;
}
