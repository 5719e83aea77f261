// Sub-agent spawn storms: bursts of spawns every 20 seconds, each growing a tree (fan-out 2, depth 2), with no cron
// and no human chat, to see what sub-agent sessions alone leave behind in the store.
import { defineScenario } from '../harness/index.ts';

export default defineScenario({
  name: 'subagent-storm',
  description: 'Bursts of 20 sub-agent spawns every 20 s, each spawning 2 children per level, 2 levels deep; no cron, no chat.',
  target: { gateway: { store: 'naive', skills: 22, cronJobs: 0, pruneAfter: '60s' } },
  duration: '5m',
  warmup: '30s',
  sampleInterval: '1s',
  timeScale: 1,
  seed: 1,
  load: [{ kind: 'subagents', rate: 1, fanout: 2, depth: 2, burst: { every: '20s' } }],
  budgets: {
    rssBytes: { maxSlopePerMin: 10_000_000 },
    heapFloorBytes: { maxSlopePerMin: 3_000_000 },
    sessionsFileBytes: { maxSlopePerMin: 100_000, maxSlopePer1kOps: 1_000_000 },
  },
});
