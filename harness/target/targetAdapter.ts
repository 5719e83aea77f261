// A kind of target behind one interface (docs/ARCHITECTURE.md, "Targets"): the process to start, and what it can be
// sampled for beyond what every process gives (RSS, CPU, its process tree, the probe's heap figures). The embedded
// gateway and a command are its two adapters; the sampler asks the adapter, never a target's API itself.
import type { Sample } from '../contracts/sample.ts';
import type { CommandTargetSpec } from './commandTarget.ts';

/** One reading of a target's own figures; a figure that cannot be had is left out. */
export interface TargetReading {
  metrics: Record<string, number>;
  sessions?: Sample['sessions'];
}

export interface TargetReadings {
  /** Reads the target's own figures now, within `timeoutMs`; `baseUrl` is null while the target is down. */
  read(baseUrl: string | null, timeoutMs: number): Promise<TargetReading>;
}

/** What the run adds to every target's process: the probe's environment, the run's own variables, its log. */
export interface TargetLaunch {
  /**
   * The probe's NODE_OPTIONS, joined to the target's own (`nodeOptions`), or else to the harness's own, which the
   * target inherits (the probe client's default).
   */
  probeEnv(nodeOptions?: string): Record<string, string>;
  env: Record<string, string>;
  logFile: string;
}

export interface TargetAdapter {
  /** `gateway:naive`, `command:server.mjs`: names the target in run.json, summaries and baselines. */
  readonly label: string;
  /** The process to start, with its readiness and stop grace. */
  process(launch: TargetLaunch): CommandTargetSpec;
  readings: TargetReadings;
}
