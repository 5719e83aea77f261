// The reported start-up: the gateway begins from the seed's state (188 sessions, 153 orphan transcripts of 36.4 MB)
// and is restarted halfway, so the cost of re-reading every orphan at each start shows in the samples.
import { defineScenario } from '../harness/index.ts';
import productionMix from './production-mix.ts';

export default defineScenario({
  name: 'restart-orphans',
  description:
    "Starts from the reported state of 153 orphan transcripts under production-mix's load and restarts the gateway " +
    'halfway through; the naive store re-reads and warns about every orphan at each start, the dedup store archives them once.',
  target: { gateway: { store: 'naive', skills: 22, cronJobs: 12, pruneAfter: '60s', seedState: true } },
  duration: '4m',
  warmup: '20s',
  sampleInterval: '1s',
  timeScale: 1,
  seed: 1,
  load: productionMix.load,
  // A share of the run, so the restart stays halfway under --duration.
  events: [{ at: '50%', type: 'restart' }],
  budgets: {
    rssBytes: { maxSlopePerMin: 10_000_000 },
    heapFloorBytes: { maxSlopePerMin: 3_000_000 },
    sessionsFileBytes: { maxSlopePerMin: 100_000 },
    orphanTranscripts: { maxSlopePerMin: 1 },
  },
});
