// The gateway's built-in cron: fires jobs job-01..job-NN on their own intervals (job-NN every NN minutes, divided by
// --time-scale), as the 12 cron jobs of the OpenClaw report did, and stops without leaving a run half-started.

export interface CronJob {
  id: string;
  intervalMs: number;
}

export const MAX_CRON_JOBS = 99;

/** A run asked for a job this gateway does not have: refused, or every typo would leave a cron session for good. */
export class UnknownCronJobError extends Error {
  constructor(
    readonly jobId: string,
    known: readonly CronJob[],
  ) {
    const range = known.length === 0 ? 'none (--cron-jobs 0)' : `${known[0].id}..${known[known.length - 1].id} (--cron-jobs ${known.length})`;
    super(`no cron job ${JSON.stringify(jobId)}: this gateway runs ${range}`);
    this.name = 'UnknownCronJobError';
  }
}

/** The configured jobs: job-NN runs every NN minutes of simulated time, so the runs interleave unevenly. */
export function cronJobs(count: number, timeScale: number): CronJob[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_CRON_JOBS) {
    throw new RangeError(`cron job count must be an integer from 0 to ${MAX_CRON_JOBS}, got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => ({
    id: `job-${String(i + 1).padStart(2, '0')}`,
    intervalMs: ((i + 1) * 60_000) / timeScale,
  }));
}

export class CronScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly jobs: readonly CronJob[],
    private readonly fire: (jobId: string) => Promise<unknown>,
    private readonly onError: (jobId: string, error: unknown) => void,
  ) {}

  start(): void {
    for (const job of this.jobs) this.schedule(job);
  }

  /** Cancels every pending firing and waits for runs already being started. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  // A timeout chain rather than setInterval: a slow store delays the next firing instead of stacking them up.
  private schedule(job: CronJob): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      const run = this.fire(job.id)
        .then(
          () => undefined,
          (error: unknown) => this.onError(job.id, error),
        )
        .finally(() => {
          this.running.delete(run);
          this.schedule(job);
        });
      this.running.add(run);
    }, job.intervalMs);
    this.timers.set(job.id, timer);
  }
}
