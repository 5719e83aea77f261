// The CI gate's load: production-mix's storms compressed ten times into 50 s, enough for the naive store's RSS,
// heap floor and sessions.json to grow clearly within the 38 s measured while the dedup store, pruning after 6 s,
// stays flat; short enough that a whole gate run (start, soak, report) fits in a minute.
import { defineScenario } from '../harness/index.ts';
import productionMix from './production-mix.ts';

export default defineScenario({
  name: 'ci-gate',
  description:
    "50 s of production-mix's load, time-compressed 10x: sub-agent spawns, cron runs and human chat against " +
    'the embedded gateway. Used by `soakgate gate`; the naive store fails it, the dedup store passes.',
  // Stopped 2 s after SIGTERM, not 5: the naive gateway, saturated by the end, spends its grace waiting on queued
  // sub-agent runs and is killed at 5 s all the same, which cost a gate run that used its whole window 3 s of the 60.
  target: { gateway: { store: 'dedup', skills: 22, cronJobs: 12, pruneAfter: '60s', stopGrace: '2s' } },
  duration: '50s',
  // Twice the dedup store's retention (60 s of scenario time, 6 s here): it has filled up and settled.
  warmup: '12s',
  sampleInterval: '500ms',
  // A settled heap floor and RSS every 2 s: 19 points in the measured window (the default, 30 s, gives one), each
  // from a forced collection as the baseline's were, the naive gateway's too though its leak saturates it on a
  // loaded machine (the probe would otherwise decline, or take the gateway's own collection).
  settleInterval: '2s',
  settleAlways: true,
  timeScale: 10,
  seed: 1,
  load: productionMix.load,
  // Measured with `soakgate run` on 2 cores, per wall minute after warmup: naive grew sessions.json 9-14 MB, heap
  // floor 25-36 MB, RSS 60-130 MB and 230-335 sessions; dedup grew sessions.json ~0 (human sessions are kept, by
  // design), heap floor 0.3 MB, RSS -2 to 6 MiB and 4-10 sessions. The embedded gateway starts V8's young generation at
  // full size, which dedup would otherwise grow 45-60 s in (a 12-16 MiB RSS step); the naive store stops answering
  // 77-142 s in, so the window stays here (bench:warmup in BENCHMARKS.md). The baseline, recorded on this window,
  // carries what is left of dedup's warm-up in its spread.
  budgets: {
    rssBytes: { maxSlopePerMin: 40_000_000 },
    heapFloorBytes: { maxSlopePerMin: 15_000_000 },
    sessionsFileBytes: { maxSlopePerMin: 200_000, maxSlopePer1kOps: 1_000_000 },
    sessionCount: { maxSlopePerMin: 60 },
  },
});
