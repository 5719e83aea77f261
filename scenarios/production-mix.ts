// The reporter's setup in OpenClaw #55334: 22 skills, 12 cron jobs, frequent sub-agent spawns and an occasional
// human chat. Ten minutes by default; meant to run for an hour (`--duration 1h`). ci-gate is this load, 10x faster.
import { defineScenario } from '../harness/index.ts';

export default defineScenario({
  name: 'production-mix',
  description:
    "The reporter's gateway: 22 skills, 12 cron jobs on their own schedules plus a run of each every 2 minutes, " +
    'a sub-agent spawn every 2 seconds and a human message every 10 seconds, in conversations of 10 messages.',
  target: { gateway: { store: 'naive', skills: 22, cronJobs: 12, pruneAfter: '60s' } },
  duration: '10m',
  warmup: '30s',
  sampleInterval: '1s',
  timeScale: 1,
  seed: 1,
  load: [
    { kind: 'subagents', rate: 0.5 },
    { kind: 'cron', jobs: 12, interval: '2m' },
    { kind: 'chat', rate: 0.1, messagesPerSession: 10 },
  ],
  budgets: {
    rssBytes: { maxSlopePerMin: 10_000_000 },
    heapFloorBytes: { maxSlopePerMin: 3_000_000 },
    sessionsFileBytes: { maxSlopePerMin: 100_000, maxSlopePer1kOps: 1_000_000 },
    transcriptBytes: { maxSlopePerMin: 500_000 },
  },
});
