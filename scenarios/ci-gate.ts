// The CI gate's load: production-mix's storms compressed ten times into one minute, enough for the naive store's
// RSS, heap floor and sessions.json to grow clearly within 50 s while the dedup store, pruning after 6 s, stays flat.
import { defineScenario } from '../harness/index.ts';
import productionMix from './production-mix.ts';

export default defineScenario({
  name: 'ci-gate',
  description:
    "One minute of production-mix's load, time-compressed 10x: sub-agent spawns, cron runs and human chat against " +
    'the embedded gateway. Used by `soakgate gate`; the naive store fails it, the dedup store passes.',
  target: { gateway: { store: 'dedup', skills: 22, cronJobs: 12, pruneAfter: '60s' } },
  duration: '60s',
  // Covers the dedup store filling up to its retention (60 s of scenario time, 6 s here) and settling.
  warmup: '15s',
  sampleInterval: '500ms',
  settleInterval: '2s',
  timeScale: 10,
  seed: 1,
  load: productionMix.load,
  // Measured with `soakgate run` on 2 cores, per wall minute after warmup (3 naive runs, 2 dedup runs): naive grew
  // sessions.json 11-14 MB, heap floor 28-36 MB, RSS 100-130 MB and 270-335 sessions; dedup grew sessions.json
  // ~0 (human sessions are kept, by design), heap floor 0.3 MB, RSS 2-5 MB and 4-10 sessions.
  budgets: {
    rssBytes: { maxSlopePerMin: 40_000_000 },
    heapFloorBytes: { maxSlopePerMin: 15_000_000 },
    sessionsFileBytes: { maxSlopePerMin: 200_000, maxSlopePer1kOps: 1_000_000 },
    sessionCount: { maxSlopePerMin: 60 },
  },
});
