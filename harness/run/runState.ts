// What the stages of one run share (docs/ARCHITECTURE.md, "Data flow"): the scenario and its folder, the target and
// its probe, the sampler and the load once started, and how the run stands (its phase, a crash, an interruption).
// runScenario.ts creates it; each stage reads and updates it.
import type { Phase, Sample } from '../contracts/sample.ts';
import type { ProbeClient } from '../probe/probeClient.ts';
import type { Sampler } from '../sampling/sampler.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { LoadHandle } from '../storms/load.ts';
import type { CommandTarget, TargetExit } from '../target/commandTarget.ts';
import type { TargetAdapter } from '../target/targetAdapter.ts';
import type { RunMeta } from './runFolder.ts';

/** Where a run cut short stopped: the point its series continues from (`run --resume`, resumeRun.ts). */
export interface ResumeFrom {
  /** run.json as the run left it. */
  meta: RunMeta;
  /** `t` of its last sample: new samples, events and the remaining duration count on from here. */
  lastT: number;
  /** Cumulative operation counts in its last sample. */
  ops: Record<string, number>;
  /** Heap snapshots already in the folder, so new ones are numbered after them. */
  snapshotsBefore: number;
  /** Its samples, read from samples.jsonl. */
  samples: Sample[];
}

export interface RunState {
  scenario: Scenario;
  runDir: string;
  /** run.json as it stands; rewritten whenever something worth keeping after a kill changes. */
  meta: RunMeta;
  note: (message: string) => void;
  adapter: TargetAdapter;
  target: CommandTarget;
  probe: ProbeClient;
  /** Set when the run carries on one cut short. */
  resume?: ResumeFrom;
  /** Where the run's clock starts: 0, or for a resumed run the `t` of its last sample. */
  resumeAtS: number;
  /** Date.now() at t = 0 of the run's clock; set when sampling starts. */
  startedAtMs: number;
  stage: 'starting' | 'running' | 'restarting' | 'diagnosis' | 'cooldown';
  sampler: Sampler | null;
  /** Every sample of the run as written (a resumed run's earlier ones first), kept for the diagnosis and the summary. */
  samples: Sample[];
  load: LoadHandle | null;
  crashed: TargetExit | null;
  interrupted: boolean;
  /** When the measured window ended; the diagnosis phase, if any, comes after. */
  measuredEndS: number | null;
}

/** The phase a sample is marked with: the stage, or for a running one paused, warmup or load. */
export function currentPhase(run: RunState): Phase {
  if (run.stage === 'restarting' || run.stage === 'diagnosis' || run.stage === 'cooldown') return run.stage;
  if (run.load?.paused) return 'paused';
  return (Date.now() - run.startedAtMs) / 1000 < run.scenario.warmup ? 'warmup' : 'load';
}

/**
 * Seconds into the measured window, or null outside it: a storm's errors during warmup, a scripted restart or the
 * diagnosis phase (a heap snapshot blocks the target for seconds) are counted but do not fail the load.
 */
export function measuredS(run: RunState): number | null {
  if (run.stage !== 'running' || run.measuredEndS !== null || !run.sampler) return null;
  const t = run.sampler.now() - run.scenario.warmup;
  return t >= 0 ? t : null;
}

/** Whether the run is over before its time: interrupted, or the target died. */
export function cutShort(run: RunState): boolean {
  return run.interrupted || run.crashed !== null;
}
