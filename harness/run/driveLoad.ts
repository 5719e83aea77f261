// The run's load stage: the scenario's storms started together against the ready target, and its scripted events
// (pause, resume, restart, snapshot) fired on the run's clock, until the run ends: at its duration, on abort, when
// the policy says it is decided (`finish`), or when the target dies.
import type { ScenarioEvent } from '../scenario/schema.ts';
import type { OpCounter } from '../sampling/opCounter.ts';
import { startLoad } from '../storms/load.ts';
import type { HeapSnapshots } from './heapSnapshots.ts';
import { measuredS, type RunState } from './runState.ts';
import { restartTarget } from './startTarget.ts';

/** Drives the load until `ended` settles; returns once no event is running and the measured window is over. */
export async function driveLoad(run: RunState, opCounter: OpCounter, snapshots: HeapSnapshots, ended: Promise<void>, endRun: () => void): Promise<void> {
  const { scenario, target } = run;
  // A resumed run's storms count, and have their load judged, from the resume on.
  run.load = await startLoad(scenario.load, {
    baseUrl: target.baseUrl!,
    seed: scenario.seed,
    timeScale: scenario.timeScale,
    opCounter,
    measuredS: () => measuredS(run),
  });
  // Events already past when the run was cut short happened in its first part: they are not played again.
  const upcoming = run.resume ? scenario.events.filter((event) => event.at > run.resumeAtS) : scenario.events;
  const events = scheduleEvents(upcoming, run.startedAtMs, (event) => runEvent(run, event, snapshots), endRun);
  const timer = endAt(run.startedAtMs + scenario.duration * 1000, endRun);
  await ended;
  timer.cancel();
  await events.cancel();
  run.measuredEndS = run.sampler!.now();
}

/**
 * Calls `end` once Date.now() reaches `atMs`. Node's timers can fire a millisecond early (libuv rounds its clock), and
 * a resumed run's start is fractional: a run of 6 s must not end at 5.999 s, so an early firing waits out the rest.
 */
function endAt(atMs: number, end: () => void): { cancel(): void } {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const leftMs = atMs - Date.now();
    if (leftMs <= 0) end();
    else timer = setTimeout(arm, Math.max(1, Math.ceil(leftMs)));
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}

async function runEvent(run: RunState, event: ScenarioEvent, snapshots: HeapSnapshots): Promise<void> {
  if (event.type === 'pause') {
    run.load?.pause();
    run.sampler?.addEvent({ type: 'pause' });
  } else if (event.type === 'resume') {
    run.load?.resume(run.target.baseUrl ?? undefined);
    run.sampler?.addEvent({ type: 'resume' });
  } else if (event.type === 'restart') {
    await restartTarget(run);
  } else {
    await snapshots.take();
  }
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
