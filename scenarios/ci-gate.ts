// The CI gate's load: production-mix's storms compressed ten times into one minute, enough for the naive store's
// RSS, heap floor and sessions.json to grow clearly within 50 s while the dedup store, pruning after 6 s, stays flat.
import { defineScenario } from '../harness/index.ts';

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
  timeScale: 10,
  seed: 1,
  load: [
    { kind: 'subagents', rate: 0.5 },
    { kind: 'cron', jobs: 12, interval: '2m' },
    { kind: 'chat', rate: 0.1, messagesPerSession: 10 },
  ],
  // Measured on 2 cores (after warmup, per wall minute): naive grew sessions.json ~12 MB, heap floor 50-85 MB,
  // RSS 100-160 MB and ~280 sessions; dedup grew sessions.json ~2 KB (human sessions are kept by design), its
  // heap floor crept ~5 MB between mark-sweeps and its RSS wandered within +-20 MB.
  budgets: {
    rssBytes: { maxSlopePerMin: 40_000_000 },
    heapFloorBytes: { maxSlopePerMin: 15_000_000 },
    sessionsFileBytes: { maxSlopePerMin: 200_000, maxSlopePer1kOps: 1_000_000 },
    sessionCount: { maxSlopePerMin: 60 },
  },
});
