// Runs one validated scenario end to end: starts the target with the probe, samples it, drives the storms and the
// scripted events on the run's clock, then stops everything and writes summary.json. `run`, `gate`, `compare` and
// `baseline` all go through here; a crash, an abort or a finished run each leave a complete, readable run folder.
// A run cut short is carried on here too (`run --resume`, see resumeRun.ts), on the same clock and the same files.
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { analyzeSamples } from '../analysis/analyze.ts';
import { EXIT_CRASHED, EXIT_INTERRUPTED, EXIT_LOAD_FAILED, EXIT_OK, EXIT_USAGE } from '../contracts/exitCodes.ts';
import { diagnoseHeap } from '../heap/diagnose.ts';
import { loadMemlab } from '../heap/memlab.ts';
import { growingMemory, planDiagnosis, snapshotsOfOneProcess, type SnapshotMode } from '../heap/snapshotPlan.ts';
import { startLoad, type LoadHandle } from '../storms/load.ts';
import { checkLoad } from '../storms/loadCheck.ts';
import { OpCounter } from '../sampling/opCounter.ts';
import { ProbeClient } from '../probe/probeClient.ts';
import { canReadProcessTree, ProcessTreeTracker } from '../sampling/processTree.ts';
import { createRunFolder, describeMachine, writeJsonAtomically, writeRunMeta, type RunMeta } from './runFolder.ts';
import { parseSamples, type Phase, type Sample } from '../contracts/sample.ts';
import { Sampler } from '../sampling/sampler.ts';
import type { Scenario, ScenarioEvent } from '../scenario/schema.ts';
import { StateSampler, stateSummary } from '../state/stateReadings.ts';
import type { StormFigures } from '../storms/stormTally.ts';
import type { LoadSummary, MetricSummary, Summary } from '../contracts/summary.ts';
import { CommandTarget, describeExit, TargetStartError, type CommandTargetSpec, type TargetExit } from '../target/commandTarget.ts';
import { gatewaySessionsFile, gatewayTargetSpec } from '../target/gatewayTarget.ts';

export interface RunScenarioOptions {
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
  /**
   * Heap snapshots, taken in a diagnosis phase after the measured window (never inside it): `auto` (default) when
   * `diagnoseWhen` gives a reason, `always` (3), N, or `never`.
   */
  snapshots?: SnapshotMode;
  /**
   * Reasons to diagnose, from the measured window's metrics (default: memory growing by more than matters). The
   * gate adds its failing and borderline memory checks.
   */
  diagnoseWhen?: (metrics: Record<string, MetricSummary>) => string[];
  /** What the run was asked for (command-line options), recorded in run.json. */
  requested?: Record<string, unknown>;
  /** Carry on a run cut short in `out` instead of starting a new one (harness/run/resumeRun.ts prepares this). */
  resume?: ResumeFrom;
}

/** Where a run cut short stopped: the point its series continues from. */
export interface ResumeFrom {
  /** run.json as the run left it. */
  meta: RunMeta;
  /** `t` of its last sample: new samples, events and the remaining duration count on from here. */
  lastT: number;
  /** Cumulative operation counts in its last sample. */
  ops: Record<string, number>;
  /** Heap snapshots already in the folder, so new ones are numbered after them. */
  snapshotsBefore: number;
}

export interface RunResult {
  runDir: string;
  /** 0 finished, 3 the target crashed or would not start, 5 the load failed, 130 interrupted (docs/ARCHITECTURE.md, "Contracts"). */
  exitCode: number;
  interrupted: boolean;
  crashed?: { code: number | null; signal: string | null; lastLines: string[] };
  /** Heap snapshots written during the run, oldest first. */
  snapshots: string[];
  summary: Summary;
}

const PROBE_CONNECT_MS = 5_000;
const SNAPSHOT_TIMEOUT_MS = 120_000;

export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<RunResult> {
  const resume = options.resume;
  const runDir = resume ? resolve(options.out) : createRunFolder(options.out);
  const note = options.onNote ?? (() => {});
  const probe = await ProbeClient.listen();
  const target = new CommandTarget(targetSpec(scenario, runDir, probe));
  const meta: RunMeta = resume ? resumedMeta(resume) : {
    scenario: { name: scenario.name, file: scenario.source, path: resolve(scenario.source), description: scenario.description },
    target: target.spec.label,
    options: { ...options.requested, scenario },
    seed: scenario.seed,
    ...describeMachine(),
    startedAt: new Date().toISOString(),
    harnessPid: process.pid,
    targetPids: [],
  };
  writeRunMeta(runDir, meta);
  // Where there is no /proc, run.json has no processTree and the report says why treeRssBytes is missing.
  const processTree = canReadProcessTree() ? new ProcessTreeTracker(resume?.meta.processTree, resume?.meta.processTreeUnrecorded) : undefined;
  const stateSampler = Object.keys(scenario.state).length > 0
    ? new StateSampler(scenario.state, (name, reason) => note(`state ${name}: reading missed: ${reason}`))
    : undefined;

  // A resumed run's clock starts where its series stopped: sample times, events and the end all count from 0.
  const resumeAtS = resume?.lastT ?? 0;
  const opCounter = new OpCounter(resume?.ops);
  const snapshotMode = options.snapshots ?? 'auto';
  const taken: Array<{ file: string; pid: number; heapUsedBytes: number | null }> = [];
  let crashed: TargetExit | null = null;
  let interrupted = false;
  let startupFailed: string | null = null;
  let durationS = 0;
  /** When the measured window ended; the diagnosis phase, if any, comes after. */
  let measuredEndS: number | null = null;
  let diagnosing: Promise<Summary['heap'] | null> = Promise.resolve(null);
  let sampler: Sampler | null = null;
  let load: LoadHandle | null = null;

  // The run ends at its duration, on abort, or when the target dies on its own; whichever comes first.
  let endRun!: () => void;
  const ended = new Promise<void>((resolve) => (endRun = resolve));
  const onAbort = () => {
    interrupted = true;
    endRun();
  };
  if (options.signal?.aborted) interrupted = true;
  options.signal?.addEventListener('abort', onAbort, { once: true });
  options.finish?.addEventListener('abort', () => endRun(), { once: true });
  target.onUnexpectedExit((exit) => {
    crashed = exit;
    sampler?.addEvent({ type: 'target-exit', detail: describeExit(exit) });
    note(`target ${target.spec.label} died: ${describeExit(exit)}`);
    endRun();
  });

  let phase: 'starting' | 'running' | 'restarting' | 'diagnosis' | 'cooldown' = 'starting';
  let startedAtMs = Date.now();
  const currentPhase = (): Phase => {
    if (phase === 'restarting' || phase === 'diagnosis' || phase === 'cooldown') return phase;
    if (load?.paused) return 'paused';
    return (Date.now() - startedAtMs) / 1000 < scenario.warmup ? 'warmup' : 'load';
  };

  try {
    let startupMs = 0;
    if (!interrupted) {
      startupMs = await startTarget(target, probe, note);
      if (!resume) meta.targetStartupMs = startupMs;
      meta.targetPids.push(target.pid!);
      // Rewritten now so that, should the harness itself be killed, run.json still names the process to clean up.
      writeRunMeta(runDir, meta);
    }
    if (!interrupted && !crashed) {
      startedAtMs = Date.now() - resumeAtS * 1000;
      sampler = new Sampler({
        file: join(runDir, 'samples.jsonl'),
        intervalMs: scenario.sampleInterval * 1000,
        startedAtMs,
        target: () => ({ pid: target.pid, baseUrl: target.baseUrl }),
        probe,
        settleEveryMs: scenario.settleInterval * 1000,
        gateway: 'gateway' in scenario.target ? { sessionsFile: gatewaySessionsFile(join(runDir, 'data')) } : undefined,
        files: 'command' in scenario.target ? scenario.target.command.files : {},
        processTree,
        // Written at once, so a harness killed outright still leaves the command lines of what the target ran.
        onNewProcesses: () => {
          recordProcessTree();
          writeRunMeta(runDir, meta);
        },
        state: stateSampler,
        ops: opCounter,
        phase: currentPhase,
        onSample: options.onProgress && ((sample) => options.onProgress!(sample, load?.tallies.map((tally) => tally.figures()) ?? [])),
      });
      if (resume) {
        sampler.addEvent({ type: 'restart', t: resumeAtS, durationMs: startupMs, detail: 'resumed' });
        note(`resuming at t=${resumeAtS.toFixed(1)} s: ${Math.max(0, scenario.duration - resumeAtS).toFixed(1)} s left`);
      }
      sampler.start();
      phase = 'running';
      // A resumed run's storms count, and have their load judged, from the resume on.
      load = await startLoad(scenario.load, { baseUrl: target.baseUrl!, seed: scenario.seed, timeScale: scenario.timeScale, opCounter, measuredS });
      // Events already past when the run was cut short happened in its first part: they are not played again.
      const upcoming = resume ? scenario.events.filter((event) => event.at > resumeAtS) : scenario.events;
      const events = scheduleEvents(upcoming, startedAtMs, runEvent, endRun);
      const timer = setTimeout(endRun, Math.max(0, startedAtMs + scenario.duration * 1000 - Date.now()));
      await ended;
      clearTimeout(timer);
      await events.cancel();
      measuredEndS = sampler.now();
      if (!interrupted && !crashed) await diagnosisPhase();
    }
  } catch (err) {
    // A command that cannot run at all, or names no URL to load, is the scenario's fault: before the run began
    // that is a configuration error for the caller to report (exit 2), not a crash. A resumed run stays open, to be
    // resumed once the scenario is fixed.
    if (err instanceof TargetStartError && err.configuration && !sampler) {
      if (!resume) {
        Object.assign(meta, { endedAt: new Date().toISOString(), interrupted: false, exitCode: EXIT_USAGE });
        writeRunMeta(runDir, meta);
      }
      throw err;
    }
    // The target exited or never got ready while starting or restarting: that is a crash, with its last lines.
    if (err instanceof TargetStartError) {
      startupFailed = err.message;
      crashed ??= err.exit ?? { code: null, signal: null, lastLines: target.lastLines() };
      // An exit was already announced by the exit listener; a timeout or a failed spawn was not.
      if (!err.exit) note(err.message);
    } else if (!crashed) {
      throw err;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    phase = 'cooldown';
    await load?.stop();
    durationS = sampler ? sampler.now() : resumeAtS;
    await sampler?.stop();
    stateSampler?.close();
    // memlab reads the snapshot files while the target winds down: a naive gateway flushing its store on SIGTERM
    // takes seconds, and the two together cost the gate what the longer of them does.
    diagnosing = diagnose();
    await target.stop();
    await target.close();
    await probe.close();
  }

  function recordProcessTree(): void {
    if (!processTree) return;
    meta.processTree = processTree.processes();
    if (processTree.unrecorded > 0) meta.processTreeUnrecorded = processTree.unrecorded;
  }

  /** memlab's reading of the snapshots of one process, or null; a diagnosis that fails is noted, never thrown. */
  async function diagnose(): Promise<Summary['heap'] | null> {
    const diagnosable = snapshotsOfOneProcess(taken);
    if (diagnosable.length < 2) return null;
    note(`reading ${diagnosable.length} heap snapshots with memlab to see what grew`);
    const heapAt = (file: string) => taken.find((s) => s.file === file)?.heapUsedBytes ?? null;
    const [firstHeap, lastHeap] = [heapAt(diagnosable[0]), heapAt(diagnosable[diagnosable.length - 1])];
    try {
      const heap = await diagnoseHeap(diagnosable, {
        workDir: runDir,
        ...(firstHeap !== null && lastHeap !== null ? { heapGrowthBytes: lastHeap - firstHeap } : {}),
      });
      const top = heap.grew[0];
      note(top ? `what grew most: ${top.name}, ${top.countFirst} -> ${top.countLast} objects` : 'nothing that grew between the snapshots explains the growth');
      return heap;
    } catch (err) {
      // A diagnosis that fails costs the run its "what grew", not its samples and verdicts.
      note(`heap diagnosis failed: ${(err as Error).message}`);
      return null;
    }
  }

  async function runEvent(event: ScenarioEvent): Promise<void> {
    if (event.type === 'pause') {
      load?.pause();
      sampler?.addEvent({ type: 'pause' });
    } else if (event.type === 'resume') {
      load?.resume(target.baseUrl ?? undefined);
      sampler?.addEvent({ type: 'resume' });
    } else if (event.type === 'restart') {
      const wasPaused = load?.paused ?? false;
      load?.pause();
      phase = 'restarting';
      const oldPid = target.pid;
      const t = sampler?.now();
      const began = performance.now();
      await target.restart();
      await probe.waitFor(target.pid!, PROBE_CONNECT_MS);
      const durationMs = performance.now() - began;
      phase = 'running';
      if (!wasPaused) load?.resume(target.baseUrl!);
      meta.targetPids.push(target.pid!);
      writeRunMeta(runDir, meta);
      sampler?.addEvent({ type: 'restart', t, durationMs: Math.round(durationMs), detail: `pid ${oldPid} -> ${target.pid}` });
      note(`target restarted in ${Math.round(durationMs)} ms (pid ${oldPid} -> ${target.pid})`);
    } else {
      await takeSnapshot();
    }
  }

  /**
   * After the measured window, under the same load: heap snapshots of one process for memlab, when the window's
   * analysis gives a reason (or the mode asks for them regardless). Its samples are marked `diagnosis`, which the
   * analysis leaves out, so the verdicts are those of the window alone, snapshots or not.
   */
  async function diagnosisPhase(): Promise<void> {
    if (snapshotMode === 'never') return;
    const { samples: soFar } = parseSamples(readFileSync(join(runDir, 'samples.jsonl'), 'utf8'));
    const metrics = analyzeSamples(soFar, { warmupS: scenario.warmup });
    const reasons = (options.diagnoseWhen ?? growingMemory)(metrics);
    const measuredS = (measuredEndS ?? 0) - Math.max(scenario.warmup, resumeAtS);
    const plan = planDiagnosis(snapshotMode, reasons, measuredS);
    if (!plan) return;
    // memlab takes seconds to import (more on a loaded machine): it loads while the snapshots are taken, not after.
    loadMemlab(runDir).catch(() => {});
    phase = 'diagnosis';
    sampler?.addEvent({ type: 'phase', detail: 'diagnosis' });
    const why = reasons.length > 0 ? reasons.join(', ') : `--snapshots ${snapshotMode}`;
    note(`measurement over; diagnosis: ${plan.count} heap snapshots ${Math.round(plan.spacingS)} s apart under the same load (${why})`);
    for (let i = 0; i < plan.count; i++) {
      // In short slices, so Ctrl-C or a crash ends the phase at once.
      const nextAt = Date.now() + (i > 0 ? plan.spacingS * 1000 : 0);
      while (Date.now() < nextAt && !interrupted && !crashed) await delay(Math.min(250, nextAt - Date.now()));
      if (interrupted || crashed) return;
      await takeSnapshot();
    }
  }

  async function takeSnapshot(): Promise<void> {
    const pid = target.pid;
    if (pid === null || !probe.isConnected(pid)) {
      sampler?.addEvent({ type: 'snapshot', detail: 'skipped: the target has no probe (not a Node process?)' });
      note('heap snapshot skipped: the target has no probe');
      return;
    }
    const t = sampler ? Math.round(sampler.now()) : 0;
    const number = (resume?.snapshotsBefore ?? 0) + taken.length + 1;
    const file = join(runDir, `heap-${String(number).padStart(2, '0')}-${t}s.heapsnapshot`);
    const began = sampler?.now();
    let durationMs: number;
    let heapUsedBytes: number | null;
    try {
      ({ durationMs, heapUsedBytes } = await probe.snapshot(pid, file, SNAPSHOT_TIMEOUT_MS));
    } catch (err) {
      // A snapshot that fails (the target died meanwhile, a full disk) costs the run its snapshot, not the run.
      sampler?.addEvent({ type: 'snapshot', t: began, detail: `failed: ${(err as Error).message}` });
      note(`heap snapshot failed: ${(err as Error).message}`);
      return;
    }
    taken.push({ file, pid, heapUsedBytes });
    // Marked at the time it began, with how long the target's event loop was blocked writing it.
    sampler?.addEvent({ type: 'snapshot', t: began, durationMs: Math.round(durationMs), detail: basename(file) });
    note(`heap snapshot ${basename(file)} written; it blocked the target for ${Math.round(durationMs)} ms`);
  }

  /**
   * Seconds into the measured window, or null outside it: a storm's errors during warmup, a scripted restart or the
   * diagnosis phase (a heap snapshot blocks the target for seconds) are counted but do not fail the load.
   */
  function measuredS(): number | null {
    if (phase !== 'running' || measuredEndS !== null || !sampler) return null;
    const t = sampler.now() - scenario.warmup;
    return t >= 0 ? t : null;
  }

  /** A crash or an interruption has its own exit code and says why; the load's errors after it are its consequence. */
  function judgeLoad(started: LoadHandle, cutShort: boolean): LoadSummary {
    const { failed, ...figures } = checkLoad(scenario.load.map((spec, i) => ({ spec, figures: started.tallies[i].figures() })), scenario.maxErrorShare);
    return cutShort || failed === undefined ? figures : { failed, ...figures };
  }

  const { samples } = parseSamples(sampler || resume ? readFileSync(join(runDir, 'samples.jsonl'), 'utf8') : '');
  const finalCrash = crashed as TargetExit | null;
  const summary: Summary = {
    scenario: scenario.name,
    target: target.spec.label,
    durationS: Math.round((measuredEndS ?? durationS) * 1000) / 1000,
    samples: samples.length,
    interrupted,
    operations: opCounter.totals(),
    ...(load ? { load: judgeLoad(load, finalCrash !== null || interrupted) } : {}),
    metrics: analyzeSamples(samples, { warmupS: scenario.warmup }),
    ...(stateSampler ? { state: stateSummary(samples, scenario.state, stateSampler.lastMisses()) } : {}),
  };
  const heap = await diagnosing;
  if (heap) summary.heap = heap;
  writeJsonAtomically(join(runDir, 'summary.json'), summary);

  const exitCode = finalCrash ? EXIT_CRASHED : interrupted ? EXIT_INTERRUPTED : summary.load?.failed ? EXIT_LOAD_FAILED : EXIT_OK;
  recordProcessTree();
  meta.endedAt = new Date().toISOString();
  meta.interrupted = interrupted;
  meta.exitCode = exitCode;
  if (finalCrash) meta.crashed = { ...finalCrash, ...(startupFailed ? { lastLines: [startupFailed, ...finalCrash.lastLines] } : {}) };
  writeRunMeta(runDir, meta);
  const snapshots = taken.map((s) => s.file);
  return { runDir, exitCode, interrupted, ...(meta.crashed ? { crashed: meta.crashed } : {}), snapshots, summary };
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Set in the target's environment so `run --resume` can tell this run's leftover target from any other process. */
export const RUN_DIR_ENV = 'SOAKGATE_RUN_DIR';

function targetSpec(scenario: Scenario, runDir: string, probe: ProbeClient): CommandTargetSpec {
  const logFile = join(runDir, 'target.log');
  if ('gateway' in scenario.target) {
    const gateway = scenario.target.gateway;
    return gatewayTargetSpec(
      {
        store: gateway.store,
        fixes: gateway.store === 'dedup' ? gateway.fixes : undefined,
        dataDir: join(runDir, 'data'),
        skills: gateway.skills,
        skillsDir: gateway.skillsDir,
        cronJobs: gateway.cronJobs,
        timeScale: gateway.timeScale,
        pruneAfterMs: gateway.pruneAfter * 1000,
        seedState: gateway.seedState,
      },
      {
        env: { ...probe.targetEnv(), [RUN_DIR_ENV]: runDir },
        logFile,
        readyTimeoutMs: gateway.readyTimeout * 1000,
        stopGraceMs: gateway.stopGrace * 1000,
      },
    );
  }
  const command = scenario.target.command;
  return {
    label: `command:${commandName(command.argv)}`,
    argv: command.argv,
    cwd: command.cwd,
    env: { ...command.env, ...probe.targetEnv(command.env.NODE_OPTIONS ?? process.env.NODE_OPTIONS), [RUN_DIR_ENV]: runDir },
    ...(command.ready === undefined ? {} : { ready: new RegExp(command.ready) }),
    ...(command.url === undefined ? {} : { url: command.url }),
    ...(command.health === undefined ? {} : { health: command.health, healthIntervalMs: command.healthInterval * 1000 }),
    readyTimeoutMs: command.readyTimeout * 1000,
    stopGraceMs: command.stopGrace * 1000,
    logFile,
  };
}

/** `server.mjs` for [node, server.mjs, --port, 0]; the executable's name when no script file is named (node -e ...). */
function commandName(argv: string[]): string {
  const script = argv.slice(1).find((arg) => !arg.startsWith('-'));
  return basename(script && /^[\w./@-]+\.[a-z]+$/i.test(script) ? script : argv[0]);
}

/** Starts the target and gives its probe a moment to connect; returns how long start-up took. */
async function startTarget(target: CommandTarget, probe: ProbeClient, note: (message: string) => void): Promise<number> {
  const began = performance.now();
  await target.start();
  const readyMs = Math.round(performance.now() - began);
  const probed = await probe.waitFor(target.pid!, PROBE_CONNECT_MS);
  note(`target ${target.spec.label} ready at ${target.baseUrl} in ${readyMs} ms (pid ${target.pid}${probed ? ', probe connected' : ', no probe: not a Node process?'})`);
  return readyMs;
}

/**
 * Fires each event at its time, one at a time in order (a snapshot never overlaps a restart). `cancel` stops the
 * ones not yet due and waits for the one in progress, so the target is never stopped halfway through a restart.
 */
function scheduleEvents(events: ScenarioEvent[], startedAtMs: number, run: (event: ScenarioEvent) => Promise<void>, onFailure: () => void) {
  let chain = Promise.resolve();
  let cancelled = false;
  let failure: unknown = null;
  const timers = [...events]
    .sort((a, b) => a.at - b.at)
    .map((event) =>
      setTimeout(() => {
        chain = chain.then(async () => {
          if (cancelled || failure) return;
          try {
            await run(event);
          } catch (err) {
            failure = err;
            onFailure();
          }
        });
      }, Math.max(0, startedAtMs + event.at * 1000 - Date.now())),
    );
  return {
    async cancel(): Promise<void> {
      cancelled = true;
      for (const timer of timers) clearTimeout(timer);
      await chain;
      if (failure) throw failure;
    },
  };
}

