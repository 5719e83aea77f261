// `run --resume <run-dir>`: reads what a run cut short left behind (run.json, samples.jsonl, a target still running
// on its own), refuses what cannot be carried on, tidies the rest and says where runScenario picks the series up.
import { appendFileSync, existsSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isRunning } from '../target/processAlive.ts';
import { procStrings } from '../target/procfs.ts';
import type { RunMeta } from './runFolder.ts';
import type { ResumeFrom } from './runState.ts';
import { RUN_DIR_ENV } from './startTarget.ts';
import { parseSamples } from '../contracts/sample.ts';
import { loadScenario } from '../scenario/loadScenario.ts';
import { applyOverrides } from '../scenario/overrides.ts';
import type { Scenario } from '../scenario/schema.ts';
import { UsageError } from '../contracts/exitCodes.ts';

/** A run folder that cannot be resumed; the message says why and what to do instead (exit 2). */
export class ResumeError extends UsageError {}

export interface PreparedResume {
  runDir: string;
  /** The scenario reloaded from its file with the overrides the run was started with. */
  scenario: Scenario;
  from: ResumeFrom;
  /** The snapshot mode the run was started with, when run.json records it. */
  snapshots?: string;
  /** Target processes the dead harness left running, stopped here. */
  stoppedPids: number[];
}

/**
 * Checks that `dir` holds a run cut short (killed, rebooted, interrupted), reloads its scenario, drops a torn last
 * sample line and stops the target the dead harness left behind. Throws ResumeError, or ScenarioError for a
 * scenario file that no longer loads.
 */
export async function prepareResume(dir: string): Promise<PreparedResume> {
  const runDir = resolve(dir);
  if (!existsSync(runDir)) throw new ResumeError(`${dir}: no such run folder`);
  const metaFile = join(runDir, 'run.json');
  const samplesFile = join(runDir, 'samples.jsonl');
  if (!existsSync(metaFile)) throw new ResumeError(`${dir} holds no run.json: it is not a run folder`);
  if (!existsSync(samplesFile)) {
    throw new ResumeError(`${dir} has no samples.jsonl: the run was cut short before its first sample, so there is nothing to carry on; start it again with soakgate run`);
  }
  const meta = readMeta(metaFile, dir);
  refuseEnded(meta, dir);
  const harness = meta.harnessPid;
  if (harness !== undefined && harness !== process.pid && isRunning(harness) && procStrings(harness, 'cmdline').some((arg) => arg.includes('soakgate'))) {
    throw new ResumeError(`${dir} is still being recorded by soakgate (pid ${harness}); stop it first (Ctrl-C), then resume`);
  }

  const { samples } = parseSamples(readFileSync(samplesFile, 'utf8'));
  const last = samples.at(-1);
  if (!last) throw new ResumeError(`${dir} has no complete sample: there is nothing to carry on; start it again with soakgate run`);

  const scenario = await reloadScenario(meta, dir);
  if (last.t >= scenario.duration) {
    throw new ResumeError(`${dir} already has samples up to its full duration (${scenario.duration} s); nothing is left to run`);
  }
  // Nothing in the folder is touched until the run is known to be resumable.
  endLastLine(samplesFile);
  const stoppedPids = await stopLeftoverTargets(meta, runDir, scenario);
  const snapshotsBefore = readdirSync(runDir).filter((name) => /^heap-\d+-.*\.heapsnapshot$/.test(name)).length;
  const snapshots = meta.options.snapshots;
  return {
    runDir,
    scenario,
    from: { meta, lastT: last.t, ops: last.ops ?? {}, snapshotsBefore, samples },
    ...(typeof snapshots === 'string' ? { snapshots } : {}),
    stoppedPids,
  };
}

function readMeta(file: string, dir: string): RunMeta {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunMeta;
  } catch (err) {
    throw new ResumeError(`${dir}/run.json is not readable JSON (${(err as Error).message})`);
  }
}

// A run that ended on its own said what it had to say: a finished run is complete, and a target crash is the run's
// result (carrying on would bury it). Only a run cut short from outside is carried on: killed (no end recorded) or
// interrupted (Ctrl-C, exit 130).
function refuseEnded(meta: RunMeta, dir: string): void {
  if (meta.endedAt === undefined || meta.interrupted) return;
  if (meta.crashed) {
    const { signal, code } = meta.crashed;
    const how = signal ? `signal ${signal}` : code !== null ? `exit code ${code}` : 'it never got ready';
    throw new ResumeError(`${dir}: the target crashed in this run (${how}); the crash is its result, so it is not resumed; start a new run`);
  }
  throw new ResumeError(`${dir}: this run finished at ${meta.endedAt} (exit code ${meta.exitCode ?? 0}); only a run cut short can be resumed`);
}

/** The scenario file again, with the run's own overrides, and refused if it no longer describes the same run. */
async function reloadScenario(meta: RunMeta, dir: string): Promise<Scenario> {
  const file = meta.scenario.path ?? (meta.scenario.file ? resolve(meta.scenario.file) : undefined);
  if (!file) throw new ResumeError(`${dir}/run.json does not name its scenario file`);
  if (!existsSync(file)) throw new ResumeError(`the scenario file of ${dir} is gone: ${file}; restore it to resume the run`);
  const option = (name: string) => (typeof meta.options[name] === 'string' ? (meta.options[name] as string) : undefined);
  const scenario = applyOverrides(await loadScenario(file), { store: option('store'), fixes: option('fixes'), duration: option('duration'), seed: option('seed') });
  const recorded = meta.options.scenario as Record<string, unknown> | undefined;
  if (recorded) {
    const now = JSON.parse(JSON.stringify(scenario)) as Record<string, unknown>;
    const changed = [...new Set([...Object.keys(recorded), ...Object.keys(now)])]
      .filter((key) => key !== 'source' && JSON.stringify(recorded[key]) !== JSON.stringify(now[key]));
    if (changed.length > 0) {
      throw new ResumeError(`${file} changed since ${dir} started (${changed.join(', ')}); a resumed run must go on with the same scenario`);
    }
  }
  return scenario;
}

/**
 * A sample line cut short by the kill is dropped from the file (parseSamples skipped it too), so the next sample
 * starts on a line of its own; a whole sample that only lacks its newline is kept.
 */
function endLastLine(file: string): void {
  const text = readFileSync(file, 'utf8');
  if (text === '' || text.endsWith('\n')) return;
  const start = text.lastIndexOf('\n') + 1;
  try {
    JSON.parse(text.slice(start));
    appendFileSync(file, '\n');
  } catch {
    truncateSync(file, Buffer.byteLength(text.slice(0, start)));
  }
}

/**
 * A killed harness's watchdog stops its target, but a harness killed together with its watchdog leaves the target
 * running (it has its own process group). Each pid run.json lists that is still alive and shows it is this run's
 * target is stopped (SIGTERM, then SIGKILL after the target's stop grace); any other process is left alone.
 */
async function stopLeftoverTargets(meta: RunMeta, runDir: string, scenario: Scenario): Promise<number[]> {
  const stopped: number[] = [];
  const graceMs = ('gateway' in scenario.target ? scenario.target.gateway.stopGrace : scenario.target.command.stopGrace) * 1000;
  for (const pid of new Set(meta.targetPids)) {
    if (!isRunning(pid) || !isThisRunsTarget(pid, runDir, scenario)) continue;
    try {
      process.kill(pid, 'SIGTERM');
      if (!(await exitsWithin(pid, graceMs))) {
        process.kill(pid, 'SIGKILL');
        await exitsWithin(pid, 2_000);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
        throw new ResumeError(`the target pid ${pid} left running by ${runDir} could not be stopped: ${(err as Error).message}`);
      }
    }
    if (isRunning(pid)) throw new ResumeError(`the target pid ${pid} left running by ${runDir} did not stop`);
    stopped.push(pid);
  }
  return stopped;
}

// Its command line must be this run's: the gateway's names the run's own data dir; a command target's is the
// scenario's argv, and then its environment must also name this run folder (another run of the same scenario has
// the same argv).
function isThisRunsTarget(pid: number, runDir: string, scenario: Scenario): boolean {
  const args = procStrings(pid, 'cmdline');
  if ('gateway' in scenario.target) {
    const at = args.indexOf('--data-dir');
    return at >= 0 && args[at + 1] === join(runDir, 'data');
  }
  const argv = scenario.target.command.argv;
  if (args.length !== argv.length || args.some((arg, i) => arg !== argv[i])) return false;
  return procStrings(pid, 'environ').includes(`${RUN_DIR_ENV}=${runDir}`);
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
