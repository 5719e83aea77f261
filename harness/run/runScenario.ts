// Runs one validated scenario end to end, as a pipeline of stages (docs/ARCHITECTURE.md, "Data flow"): start the
// target (startTarget.ts), sample it (sampleTarget.ts), drive the load and the scripted events (driveLoad.ts), take
// heap snapshots when the policy gives a reason (heapSnapshots.ts), then stop everything and write summary.json and
// run.json (finishRun.ts). `run`, `gate`, `compare` and `baseline` all come through here, each passing its policies:
// snapshots, stop-when-decided (`finish`), the live verdict and the progress line (`onProgress`). A crash, an abort
// or a finished run each leave a complete, readable run folder. A run cut short is carried on here too
// (`run --resume`, see resumeRun.ts), on the same clock and the same files.
import { resolve } from 'node:path';
import { EXIT_USAGE } from '../contracts/exitCodes.ts';
import type { Sample } from '../contracts/sample.ts';
import type { Summary } from '../contracts/summary.ts';
import { ProbeClient } from '../probe/probeClient.ts';
import { OpCounter } from '../sampling/opCounter.ts';
import { canReadProcessTree, ProcessTreeTracker } from '../sampling/processTree.ts';
import type { Scenario } from '../scenario/schema.ts';
import { inRunFolder } from '../state/stateFiles.ts';
import { StateSampler } from '../state/stateReadings.ts';
import type { StormFigures } from '../storms/stormTally.ts';
import { CommandTarget, describeExit, TargetStartError } from '../target/commandTarget.ts';
import { driveLoad } from './driveLoad.ts';
import { finishRun, type RunResult } from './finishRun.ts';
import { HeapSnapshots, type SnapshotPolicy } from './heapSnapshots.ts';
import { createRunFolder, describeMachine, writeRunMeta, type RunMeta } from './runFolder.ts';
import { cutShort, type ResumeFrom, type RunState } from './runState.ts';
import { startSampling } from './sampleTarget.ts';
import { startTarget, targetAdapter, targetLaunch } from './startTarget.ts';

export type { RunResult } from './finishRun.ts';

export interface RunScenarioOptions extends SnapshotPolicy {
  /** The run folder; created, and refused if it already holds a run. */
  out: string;
  /** Called with every sample as it is written (progress display, live verdicts), and each storm's figures so far. */
  onProgress?: (sample: Sample, storms: StormFigures[]) => void;
  /** Called with one line about each thing that happens (target ready, restart, snapshot, crash). */
  onNote?: (message: string) => void;
  /** Aborting stops the load and the target, keeps every sample and marks the run interrupted. */
  signal?: AbortSignal;
  /** Aborting ends the run now as if its duration were over: not interrupted (`gate --stop-when-decided`). */
  finish?: AbortSignal;
  /** What the run was asked for (command-line options), recorded in run.json. */
  requested?: Record<string, unknown>;
  /** Carry on a run cut short in `out` instead of starting a new one (harness/run/resumeRun.ts prepares this). */
  resume?: ResumeFrom;
  /**
   * The command's judgement of a run that ran its course (`run`: the scenario's budgets), kept as summary.json's
   * `gate`; a failing one is a regression, the run's exit code in run.json and the result (docs/ARCHITECTURE.md,
   * "Contracts"). Not asked for a crashed or interrupted run.
   */
  judge?: (summary: Summary) => NonNullable<Summary['gate']>;
}

export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<RunResult> {
  const run = await prepareRun(scenario, options);
  const { resume } = options;
  // Where there is no /proc, run.json has no processTree and the report says why treeRssBytes is missing.
  const processTree = canReadProcessTree() ? new ProcessTreeTracker(resume?.meta.processTree, resume?.meta.processTreeUnrecorded) : undefined;
  const stateSampler = Object.keys(scenario.state).length > 0
    ? new StateSampler(inRunFolder(scenario.state, run.runDir), (name, reason) => run.note(`state ${name}: reading missed: ${reason}`))
    : undefined;
  const opCounter = new OpCounter(resume?.ops);
  const snapshots = new HeapSnapshots(run, options);
  let startupFailed: string | null = null;
  let durationS = run.resumeAtS;
  let heap: Promise<Summary['heap'] | null> = Promise.resolve(null);

  // The run ends at its duration, on abort, or when the target dies on its own; whichever comes first.
  let endRun!: () => void;
  const ended = new Promise<void>((resolve) => (endRun = resolve));
  const onAbort = () => {
    run.interrupted = true;
    endRun();
  };
  if (options.signal?.aborted) run.interrupted = true;
  options.signal?.addEventListener('abort', onAbort, { once: true });
  options.finish?.addEventListener('abort', () => endRun(), { once: true });
  run.target.onUnexpectedExit((exit) => {
    run.crashed = exit;
    run.sampler?.addEvent({ type: 'target-exit', detail: describeExit(exit) });
    run.note(`target ${run.target.spec.label} died: ${describeExit(exit)}`);
    endRun();
  });

  try {
    let startupMs = 0;
    if (!run.interrupted) startupMs = await targetStarted(run);
    if (!cutShort(run)) {
      startSampling(run, { processTree, stateSampler, opCounter, onProgress: options.onProgress }, startupMs);
      await driveLoad(run, opCounter, snapshots, ended, endRun);
      if (!cutShort(run)) await snapshots.diagnosisPhase();
    }
  } catch (err) {
    startupFailed = startFailure(run, err);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    run.stage = 'cooldown';
    await run.load?.stop();
    if (run.sampler) durationS = run.sampler.now();
    await run.sampler?.stop();
    stateSampler?.close();
    // memlab reads the snapshot files while the target winds down: a naive gateway flushing its store on SIGTERM
    // takes seconds, and the two together cost the gate what the longer of them does.
    heap = snapshots.read();
    await run.target.stop();
    await run.target.close();
    await run.probe.close();
  }
  return finishRun(run, {
    opCounter,
    stateSampler,
    durationS,
    heap,
    snapshots: snapshots.files(),
    diagnosisMissed: () => snapshots.missed(),
    startupFailed,
    processTree,
    judge: options.judge,
  });
}

/** The run folder (new, or the one being resumed), the probe's socket, the target not yet started, and run.json. */
async function prepareRun(scenario: Scenario, options: RunScenarioOptions): Promise<RunState> {
  const { resume } = options;
  const runDir = resume ? resolve(options.out) : createRunFolder(options.out);
  const probe = await ProbeClient.listen();
  const adapter = targetAdapter(scenario, runDir);
  const meta: RunMeta = resume ? resumedMeta(resume) : {
    scenario: { name: scenario.name, file: scenario.source, path: resolve(scenario.source), description: scenario.description },
    target: adapter.label,
    options: { ...options.requested, scenario },
    seed: scenario.seed,
    ...describeMachine(),
    startedAt: new Date().toISOString(),
    harnessPid: process.pid,
    targetPids: [],
  };
  writeRunMeta(runDir, meta);
  return {
    scenario,
    runDir,
    meta,
    note: options.onNote ?? (() => {}),
    adapter,
    target: new CommandTarget(targetLaunch(adapter, probe, runDir)),
    probe,
    resume,
    // A resumed run's clock starts where its series stopped: sample times, events and the end all count from 0.
    resumeAtS: resume?.lastT ?? 0,
    startedAtMs: Date.now(),
    stage: 'starting',
    sampler: null,
    samples: [...(resume?.samples ?? [])],
    load: null,
    crashed: null,
    interrupted: false,
    measuredEndS: null,
  };
}

/** Starts the target and records its pid; returns how long start-up took. */
async function targetStarted(run: RunState): Promise<number> {
  const startupMs = await startTarget(run.target, run.probe, run.note);
  if (!run.resume) run.meta.targetStartupMs = startupMs;
  run.meta.targetPids.push(run.target.pid!);
  // Rewritten now so that, should the harness itself be killed, run.json still names the process to clean up.
  writeRunMeta(run.runDir, run.meta);
  return startupMs;
}

/**
 * What an error while the run went on means. A command that cannot run at all, or names no URL to load, is the
 * scenario's fault: before the run began that is a configuration error for the caller to report (exit 2), not a
 * crash, so it is thrown on; a resumed run stays open, to be resumed once the scenario is fixed. A target that
 * exited or never got ready while starting or restarting is a crash, with its last lines: returns why.
 */
function startFailure(run: RunState, err: unknown): string | null {
  if (err instanceof TargetStartError && err.configuration && !run.sampler) {
    if (!run.resume) {
      Object.assign(run.meta, { endedAt: new Date().toISOString(), interrupted: false, exitCode: EXIT_USAGE });
      writeRunMeta(run.runDir, run.meta);
    }
    throw err;
  }
  if (!(err instanceof TargetStartError)) {
    if (!run.crashed) throw err;
    return null;
  }
  run.crashed ??= err.exit ?? { code: null, signal: null, lastLines: run.target.lastLines() };
  // An exit was already announced by the exit listener; a timeout or a failed spawn was not.
  if (!err.exit) run.note(err.message);
  return err.message;
}

/** run.json for a resumed run: the original, open again (no end, no exit code), with this resume recorded. */
function resumedMeta({ meta, lastT }: ResumeFrom): RunMeta {
  const { endedAt: _endedAt, interrupted: _interrupted, exitCode: _exitCode, crashed: _crashed, ...open } = meta;
  return {
    ...open,
    harnessPid: process.pid,
    targetPids: [...meta.targetPids],
    resumes: [...(meta.resumes ?? []), { at: new Date().toISOString(), fromT: lastT }],
  };
}
