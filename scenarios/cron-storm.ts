// Cron storms: 24 jobs all firing at the same instant every minute (a thundering herd) on top of the gateway's own
// scheduler, to see what cron and cron-run sessions alone leave behind. Set thunderingHerd: false to spread them.
import { defineScenario } from '../harness/index.ts';

export default defineScenario({
  name: 'cron-storm',
  description: 'A thundering herd of 24 cron jobs every minute, on top of the gateway scheduling the same 24 jobs itself.',
  target: { gateway: { store: 'naive', skills: 22, cronJobs: 24, pruneAfter: '60s' } },
  duration: '5m',
  warmup: '30s',
  sampleInterval: '1s',
  timeScale: 1,
  seed: 1,
  load: [{ kind: 'cron', jobs: 24, interval: '1m', thunderingHerd: true }],
  budgets: {
    rssBytes: { maxSlopePerMin: 10_000_000 },
    heapFloorBytes: { maxSlopePerMin: 3_000_000 },
    sessionsFileBytes: { maxSlopePerMin: 100_000, maxSlopePer1kOps: 1_000_000 },
  },
});
