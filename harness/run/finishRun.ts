// The run's last stage: the samples analysed into summary.json (verdicts, the load's judgement, state readings,
// memlab's reading of the snapshots), run.json closed with the exit code, and the result the commands read.
import { join } from 'node:path';
import { analyzeSamples } from '../analysis/analyze.ts';
import { EXIT_CRASHED, EXIT_INTERRUPTED, EXIT_LOAD_FAILED, EXIT_OK, EXIT_REGRESSION } from '../contracts/exitCodes.ts';
import type { LoadSummary, Summary } from '../contracts/summary.ts';
import type { OpCounter } from '../sampling/opCounter.ts';
import type { ProcessTreeTracker } from '../sampling/processTree.ts';
import { stateSummary, type StateSampler } from '../state/stateReadings.ts';
import { checkLoad } from '../storms/loadCheck.ts';
import type { LoadHandle } from '../storms/load.ts';
import { writeJsonAtomically, writeRunMeta } from './runFolder.ts';
import type { RunState } from './runState.ts';
import { recordProcessTree } from './sampleTarget.ts';

export interface RunResult {
  runDir: string;
  /**
   * 0 finished, 1 the command's judgement failed it, 3 the target crashed or would not start, 5 the load failed,
   * 130 interrupted (docs/ARCHITECTURE.md, "Contracts").
   */
  exitCode: number;
  interrupted: boolean;
  crashed?: { code: number | null; signal: string | null; lastLines: string[] };
  /** Heap snapshots written during the run, oldest first. */
  snapshots: string[];
  summary: Summary;
}

export interface Finish {
  opCounter: OpCounter;
  stateSampler?: StateSampler;
  /** Run time at which sampling stopped (the resume point when it never started). */
  durationS: number;
  /** memlab's reading of the snapshots, under way while the target winds down. */
  heap: Promise<Summary['heap'] | null>;
  snapshots: string[];
  /** Why a diagnosis the run had reason for was not begun or not finished; asked once `heap` has settled. */
  diagnosisMissed: () => string | null;
  /** Why the target could not start or restart, kept in run.json's crash record. */
  startupFailed: string | null;
  /** The target's process tree, for run.json's record of it (absent where there is no /proc). */
  processTree?: ProcessTreeTracker;
  /** The command's judgement of a run that ran its course (RunScenarioOptions.judge). */
  judge?: (summary: Summary) => NonNullable<Summary['gate']>;
}

export async function finishRun(run: RunState, finish: Finish): Promise<RunResult> {
  // Awaited first: a Ctrl-C while memlab reads the snapshots makes the run interrupted.
  const heap = await finish.heap;
  const { scenario, runDir, meta, crashed, interrupted, samples } = run;
  const summary: Summary = {
    scenario: scenario.name,
    target: run.adapter.label,
    durationS: Math.round((run.measuredEndS ?? finish.durationS) * 1000) / 1000,
    samples: samples.length,
    interrupted,
    operations: finish.opCounter.totals(),
    ...(run.load ? { load: judgeLoad(run, run.load, crashed !== null || interrupted) } : {}),
    metrics: analyzeSamples(samples, { warmupS: scenario.warmup }),
    ...(finish.stateSampler ? { state: stateSummary(samples, scenario.state, finish.stateSampler.lastMisses()) } : {}),
  };
  if (heap) summary.heap = heap;
  const missed = finish.diagnosisMissed();
  if (missed) summary.diagnosisMissed = missed;
  if (finish.judge && !crashed && !interrupted) summary.gate = finish.judge(summary);
  writeJsonAtomically(join(runDir, 'summary.json'), summary);

  // A regression wins over a failed load, as in the gate: growth measured under the load that arrived is real.
  const exitCode = crashed ? EXIT_CRASHED
    : interrupted ? EXIT_INTERRUPTED
    : summary.gate?.pass === false ? EXIT_REGRESSION
    : summary.load?.failed ? EXIT_LOAD_FAILED
    : EXIT_OK;
  recordProcessTree(run, finish.processTree);
  meta.endedAt = new Date().toISOString();
  meta.interrupted = interrupted;
  meta.exitCode = exitCode;
  if (crashed) meta.crashed = { ...crashed, ...(finish.startupFailed ? { lastLines: [finish.startupFailed, ...crashed.lastLines] } : {}) };
  writeRunMeta(runDir, meta);
  return { runDir, exitCode, interrupted, ...(meta.crashed ? { crashed: meta.crashed } : {}), snapshots: finish.snapshots, summary };
}

/** A crash or an interruption has its own exit code and says why; the load's errors after it are its consequence. */
function judgeLoad(run: RunState, load: LoadHandle, cutShort: boolean): LoadSummary {
  const figures = load.tallies.map((tally, i) => ({ spec: run.scenario.load[i], figures: tally.figures() }));
  const { failed, ...judged } = checkLoad(figures, run.scenario.maxErrorShare);
  return cutShort || failed === undefined ? judged : { failed, ...judged };
}
