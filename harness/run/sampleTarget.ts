// The run's sampling stage: one sampler for the whole run (restarts included), writing samples.jsonl on the run's
// clock with what every process gives, the probe's figures, the target adapter's readings and the state readings;
// and the process tree's record in run.json, rewritten as soon as a new process appears.
import { join } from 'node:path';
import type { Sample } from '../contracts/sample.ts';
import type { OpCounter } from '../sampling/opCounter.ts';
import type { ProcessTreeTracker } from '../sampling/processTree.ts';
import { Sampler } from '../sampling/sampler.ts';
import type { StateSampler } from '../state/stateReadings.ts';
import type { StormFigures } from '../storms/stormTally.ts';
import { writeRunMeta } from './runFolder.ts';
import { currentPhase, type RunState } from './runState.ts';

export interface Sampling {
  processTree?: ProcessTreeTracker;
  stateSampler?: StateSampler;
  opCounter: OpCounter;
  /** Called with every sample as it is written, and each storm's figures so far. */
  onProgress?: (sample: Sample, storms: StormFigures[]) => void;
}

/** Starts sampling at t = run.resumeAtS on the run's clock; `startupMs` is how long the target took to be ready. */
export function startSampling(run: RunState, sampling: Sampling, startupMs: number): void {
  const { scenario, target } = run;
  const { onProgress } = sampling;
  run.startedAtMs = Date.now() - run.resumeAtS * 1000;
  const sampler = new Sampler({
    file: join(run.runDir, 'samples.jsonl'),
    intervalMs: scenario.sampleInterval * 1000,
    startedAtMs: run.startedAtMs,
    target: () => ({ pid: target.pid, baseUrl: target.baseUrl }),
    probe: run.probe,
    settleEveryMs: scenario.settleInterval * 1000,
    settleAlways: scenario.settleAlways,
    readings: run.adapter.readings,
    processTree: sampling.processTree,
    // Written at once, so a harness killed outright still leaves the command lines of what the target ran.
    onNewProcesses: () => {
      recordProcessTree(run, sampling.processTree);
      writeRunMeta(run.runDir, run.meta);
    },
    state: sampling.stateSampler,
    ops: sampling.opCounter,
    phase: () => currentPhase(run),
    onSample: (sample) => {
      run.samples.push(sample);
      onProgress?.(sample, run.load?.tallies.map((tally) => tally.figures()) ?? []);
    },
  });
  run.sampler = sampler;
  if (run.resume) {
    sampler.addEvent({ type: 'restart', t: run.resumeAtS, durationMs: startupMs, detail: 'resumed' });
    run.note(`resuming at t=${run.resumeAtS.toFixed(1)} s: ${Math.max(0, scenario.duration - run.resumeAtS).toFixed(1)} s left`);
  }
  sampler.start();
  run.stage = 'running';
}

/** run.json's record of the processes the target ran. */
export function recordProcessTree(run: RunState, processTree: ProcessTreeTracker | undefined): void {
  if (!processTree) return;
  run.meta.processTree = processTree.processes();
  if (processTree.unrecorded > 0) run.meta.processTreeUnrecorded = processTree.unrecorded;
}
