// Cron storm: runs jobs job-01..job-NN now (POST /v1/cron/:jobId/run), each once per interval, spread across the
// interval or, as a thundering herd, all at the same instant.
import type { CronStormSpec } from '../scenario/schema.ts';
import { DEFAULT_MAX_IN_FLIGHT, startPacer } from './pacer.ts';
import { scheduleFor } from './schedule.ts';
import type { Storm, StormContext, StormHandle } from './storm.ts';

/** The gateway's job ids (src/cron/scheduler.ts): job-01, job-02, ... */
export function cronJobId(index: number): string {
  return `job-${String(index + 1).padStart(2, '0')}`;
}

export function cronStorm(spec: CronStormSpec): Storm {
  return {
    kind: 'cron',
    async start(ctx: StormContext): Promise<StormHandle> {
      const rate = spec.jobs / spec.interval;
      return startPacer({
        ctx,
        schedule: scheduleFor(rate, spec.thunderingHerd ? spec.interval : undefined),
        // The route takes an empty JSON object, so every run carries one.
        next: (n) => ({ method: 'POST', path: `/v1/cron/${cronJobId(n % spec.jobs)}/run`, body: {}, op: 'cronRuns' }),
        // A herd must never be cut short by the default in-flight bound.
        maxInFlight: spec.maxInFlight ?? Math.max(DEFAULT_MAX_IN_FLIGHT, spec.jobs * 2),
        requestTimeoutS: spec.requestTimeout,
      });
    },
  };
}
