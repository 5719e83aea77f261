// The run's first stage: the scenario's target as its adapter (the embedded gateway or a command), started with the
// probe injected and waited for until ready; and a scripted restart, which starts it again on the same data.
import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.ts';
import { commandAdapter } from '../target/commandAdapter.ts';
import type { CommandTarget } from '../target/commandTarget.ts';
import { gatewayAdapter } from '../target/gatewayTarget.ts';
import type { TargetAdapter } from '../target/targetAdapter.ts';
import type { ProbeClient } from '../probe/probeClient.ts';
import { writeRunMeta } from './runFolder.ts';
import type { RunState } from './runState.ts';

/** Set in the target's environment so `run --resume` can tell this run's leftover target from any other process. */
export const RUN_DIR_ENV = 'SOAKGATE_RUN_DIR';

const PROBE_CONNECT_MS = 5_000;

/** The adapter for the scenario's kind of target; the gateway keeps its data in the run folder. */
export function targetAdapter(scenario: Scenario, runDir: string): TargetAdapter {
  if ('command' in scenario.target) return commandAdapter(scenario.target.command);
  const gateway = scenario.target.gateway;
  return gatewayAdapter(
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
    { readyTimeoutMs: gateway.readyTimeout * 1000, stopGraceMs: gateway.stopGrace * 1000 },
  );
}

/** The target's process as its adapter describes it, with the probe, the run's variable and the run's log. */
export function targetLaunch(adapter: TargetAdapter, probe: ProbeClient, runDir: string) {
  return adapter.process({
    probeEnv: (nodeOptions) => probe.targetEnv(nodeOptions),
    env: { [RUN_DIR_ENV]: runDir },
    logFile: join(runDir, 'target.log'),
  });
}

/** Starts the target and gives its probe a moment to connect; returns how long start-up took. */
export async function startTarget(target: CommandTarget, probe: ProbeClient, note: (message: string) => void): Promise<number> {
  const began = performance.now();
  await target.start();
  const readyMs = Math.round(performance.now() - began);
  const probed = await probe.waitFor(target.pid!, PROBE_CONNECT_MS);
  note(`target ${target.spec.label} ready at ${target.baseUrl} in ${readyMs} ms (pid ${target.pid}${probed ? ', probe connected' : ', no probe: not a Node process?'})`);
  return readyMs;
}

/** A scripted restart: the load pauses, the target stops and starts again, the load resumes at its new address. */
export async function restartTarget(run: RunState): Promise<void> {
  const { target, probe, load, sampler } = run;
  const wasPaused = load?.paused ?? false;
  load?.pause();
  run.stage = 'restarting';
  const oldPid = target.pid;
  const t = sampler?.now();
  const began = performance.now();
  await target.restart();
  await probe.waitFor(target.pid!, PROBE_CONNECT_MS);
  const durationMs = performance.now() - began;
  run.stage = 'running';
  if (!wasPaused) load?.resume(target.baseUrl!);
  run.meta.targetPids.push(target.pid!);
  writeRunMeta(run.runDir, run.meta);
  sampler?.addEvent({ type: 'restart', t, durationMs: Math.round(durationMs), detail: `pid ${oldPid} -> ${target.pid}` });
  run.note(`target restarted in ${Math.round(durationMs)} ms (pid ${oldPid} -> ${target.pid})`);
}
