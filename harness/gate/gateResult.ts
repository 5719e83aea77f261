// gate.json: the verdict of one `soakgate gate` (or of `soakgate merge` over shards). CI tools and `merge` read it.
import { EXIT_CRASHED, EXIT_LOAD_FAILED, EXIT_OK, EXIT_REGRESSION } from '../runScenario.ts';
import type { GateCheck } from '../summary.ts';

export interface GateScenarioResult {
  scenario: string;
  /** `gateway-dedup`, `gateway-naive`, or `command`: what was soaked. */
  target: string;
  runDir: string;
  pass: boolean;
  /** The target died mid-run; its checks are not trustworthy. */
  crashed: boolean;
  /** The run's load failed (harness/loadCheck.ts): the sentence saying which storm and why; its checks say nothing. */
  loadFailed?: string;
  /** A borderline failure was run again; `checks` are the rerun's. */
  reran: boolean;
  durationS: number;
  checks: GateCheck[];
}

export interface GateResult {
  pass: boolean;
  /**
   * 0 pass, 1 regression, 3 a target crashed, 5 a run's load failed. A crash wins over a failed load and a failed
   * load over a regression: the numbers of a dead target, or of one the load never reached, mean little.
   */
  exitCode: typeof EXIT_OK | typeof EXIT_REGRESSION | typeof EXIT_CRASHED | typeof EXIT_LOAD_FAILED;
  shard?: string;
  createdAt: string;
  scenarios: GateScenarioResult[];
}

/** Folds per-scenario results into one verdict; used by `gate` and by `merge` so both decide alike. */
export function combineGateResults(scenarios: GateScenarioResult[], createdAt: string, shard?: string): GateResult {
  const crashed = scenarios.some((s) => s.crashed);
  const loadFailed = scenarios.some((s) => s.loadFailed !== undefined);
  const pass = scenarios.length > 0 && scenarios.every((s) => s.pass && !s.crashed && s.loadFailed === undefined);
  const exitCode = crashed ? EXIT_CRASHED : loadFailed ? EXIT_LOAD_FAILED : pass ? EXIT_OK : EXIT_REGRESSION;
  return { pass, exitCode, ...(shard ? { shard } : {}), createdAt, scenarios };
}
