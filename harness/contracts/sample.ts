// The sample record: one line of samples.jsonl. Written by the sampler, read by analysis, the gate and the
// report; parsing tolerates a torn last line, because a run that crashed or was killed still has its samples.

/** What the load was doing when the sample was taken; `diagnosis` is the heap snapshots after the measured window. */
export type Phase = 'warmup' | 'load' | 'paused' | 'restarting' | 'diagnosis' | 'cooldown';

/** Something that happened since the previous sample. `durationMs` is how long it blocked the target. */
export interface SampleEvent {
  type: 'restart' | 'snapshot' | 'pause' | 'resume' | 'phase' | 'target-exit';
  t: number;
  durationMs?: number;
  detail?: string;
}

export interface Sample {
  /** Seconds since the run started. */
  t: number;
  phase: Phase;
  /**
   * Gauges at this instant, bytes or counts. Well-known names: rssBytes, cpuPercent, heapUsedBytes,
   * heapTotalBytes, heapFloorBytes (lowest heap used after a GC in this window), rssSettledBytes (the lowest RSS
   * since the last settled sample, at a settled one), heapPhysicalBytes (the heap's pages in memory),
   * rssOutsideHeapBytes (rssSettledBytes less heapPhysicalBytes), externalBytes,
   * youngGenerationBytes (V8's young generation's capacity), workerThreads (the target's live worker threads),
   * workersStarted (in this window), workerHeapBytes and workerHeapFloorBytes (the heaps of the live workers,
   * each as it last answered, workerHeapsRead of them this time; the floor after each collected fully, at a settled
   * reading),
   * sessionsFileBytes, transcriptFiles, transcriptBytes, sessionCount, eventLoopDelayP50Ms,
   * eventLoopDelayP99Ms, gcCount, gcPauseMs, harnessRssBytes, treeRssBytes (the target and its descendants, Linux
   * only), `file:<label>` for each watched file and `state:<name>` for each state reading.
   * A metric the target could not give (no probe, no gateway stats) is absent, never zero.
   */
  metrics: Record<string, number>;
  /** Cumulative operation counts by kind since the run started (subagents, cronRuns, chats, requests...). */
  ops: Record<string, number>;
  /** Requests finished in this window (since the previous sample). */
  window: {
    requests: number;
    errors: number;
    latencyP50Ms: number | null;
    latencyP99Ms: number | null;
    latencyMaxMs: number | null;
  };
  /** The gateway's session counts, when the target is the embedded gateway. */
  sessions?: { byKind: Record<string, number>; byStatus: Record<string, number> };
  events?: SampleEvent[];
}

/** Parses samples.jsonl text; a line that does not parse (a write cut short by a crash) is skipped and counted. */
export function parseSamples(text: string): { samples: Sample[]; skippedLines: number } {
  const samples: Sample[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      samples.push(JSON.parse(line) as Sample);
    } catch {
      skippedLines++;
    }
  }
  return { samples, skippedLines };
}
