// What `run`, `gate`, `compare` and `baseline` share on the command line: the scenario overrides (--store, --fixes,
// --duration, --seed, --settle-interval), the run options `run` and `compare` share (--out, --snapshots,
// --no-report), loading a scenario with them, where its baseline lives, and Ctrl-C handling.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_INTERRUPTED, UsageError } from '../contracts/exitCodes.ts';
import { parseBaseline, type Baseline, type MachineFingerprint } from '../gate/baseline.ts';
import { describeMachine } from '../run/runFolder.ts';
import { loadScenario } from '../scenario/loadScenario.ts';
import { applyOverrides } from '../scenario/overrides.ts';
import { DEFAULT_SETTLE_INTERVAL_S, type Scenario } from '../scenario/schema.ts';
import { GATEWAY_LIMITS } from '../target/gatewayLimits.ts';

export const OVERRIDE_OPTIONS = {
  store: { type: 'string' },
  fixes: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  'settle-interval': { type: 'string' },
} as const;

const STORE_USAGE = `  --store naive|dedup   the embedded gateway's session store (gateway scenarios only)`;
const OTHER_OVERRIDES_USAGE = `  --fixes LIST          dedup fixes, comma-separated: ${GATEWAY_LIMITS.fixes.join(',')}, or none
  --duration D          how long each run lasts: 90s, 10m, 1h (default: the scenario's)
  --seed N              seed for the storms' randomness (default: the scenario's)
  --settle-interval D   how often the probe collects garbage before reading heap and RSS,
                        such as 5s, or 0 never (default: the scenario's, else ${DEFAULT_SETTLE_INTERVAL_S}s)`;

export const OVERRIDE_USAGE = `${STORE_USAGE}\n${OTHER_OVERRIDES_USAGE}`;

/**
 * What `run` and `compare` share beyond the overrides: the folder, heap snapshots and the report. compare gives
 * `--store` a list, run one store; the live options (--memory-limit, --metrics-port, --resume) are run's alone,
 * since they follow one target.
 */
export const RUN_OPTIONS = {
  ...OVERRIDE_OPTIONS,
  out: { type: 'string' },
  snapshots: { type: 'string' },
  'no-report': { type: 'boolean' },
} as const;

/** RUN_OPTIONS' help, with the command's own lines for --store and --out. */
export function runUsage(store: string, out: string): string {
  return `${store}
${OTHER_OVERRIDES_USAGE}
${out}
  --snapshots MODE      heap snapshots for memlab's "what grew", after the measured window: auto (only when
                        memory grows), always (3), N (2 to 10), or never; default auto
  --no-report           skip report.html (soakgate report <run-dir> builds it later)`;
}

export interface Overrides {
  store?: string;
  fixes?: string;
  duration?: string;
  seed?: string;
  'settle-interval'?: string;
}

/** Loads and validates a scenario file with command-line overrides; throws ScenarioError (exit 2) when bad. */
export async function loadScenarioWith(file: string, overrides: Overrides): Promise<Scenario> {
  const { 'settle-interval': settleInterval, ...rest } = overrides;
  return applyOverrides(await loadScenario(file), { ...rest, settleInterval });
}

/** A short, file-name-safe name for what a scenario soaks: gateway-naive, gateway-dedup, gateway-dedup-prune, command. */
export function targetSlug(scenario: Scenario): string {
  if (!('gateway' in scenario.target)) return 'command';
  const { store, fixes } = scenario.target.gateway;
  if (store === 'naive' || !fixes || fixes.length === GATEWAY_LIMITS.fixes.length) return `gateway-${store}`;
  return `gateway-dedup-${fixes.length ? fixes.join('-') : 'nofixes'}`;
}

/**
 * A gateway scenario's baseline is recorded on the known-good target (the dedup store, all fixes), and every gated
 * run of that scenario, whatever its store, is judged against it: that is what makes the naive store fail.
 */
export function baselineFile(scenario: Scenario, dir: string): string {
  const slug = 'gateway' in scenario.target ? 'gateway-dedup' : 'command';
  return join(dir, `${scenario.name}.${slug}.json`);
}

export function readBaselineFile(file: string): Baseline {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`baseline ${file}: not readable JSON (${(err as Error).message}). Record it again with \`soakgate baseline <scenario> --write\`.`);
  }
  return parseBaseline(json, file);
}

export function baselineExists(file: string): boolean {
  return existsSync(file);
}

export function machineFingerprint(): MachineFingerprint {
  const { cpu, os } = describeMachine();
  return { cpuModel: cpu.model, cores: cpu.cores, memoryBytes: cpu.totalMemBytes, os: `${os.platform} ${os.release} ${os.arch}` };
}

/**
 * Aborts the returned signal on the first SIGINT/SIGTERM (the caller stops cleanly and exits 130); a second one
 * exits at once. Call `release` when done.
 */
export function interruptOnSignals(onFirst: (signal: string) => void): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      onFirst(signal);
      controller.abort();
    } else {
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
