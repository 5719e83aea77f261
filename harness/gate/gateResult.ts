// gate.json: the verdict of one `soakgate gate` (or of `soakgate merge` over shards). CI tools and `merge` read it.
import { EXIT_CRASHED, EXIT_LOAD_FAILED, EXIT_OK, EXIT_REGRESSION } from '../contracts/exitCodes.ts';
import type { GateCheck } from '../contracts/summary.ts';

export interface GateScenarioResult {
  scenario: string;
  /** `gateway-dedup`, `gateway-naive`, or `command`: what was soaked. */
  target: string;
  runDir: string;
  pass: boolean;
  /** The target died mid-run; its checks are not trustworthy. */
  crashed: boolean;
  /** The run's load failed (harness/storms/loadCheck.ts): the sentence saying which storm and why; its passing checks say little. */
  loadFailed?: string;
  /** A borderline failure was run again; `checks` are the rerun's. */
  reran: boolean;
  durationS: number;
  checks: GateCheck[];
}

export interface GateResult {
  pass: boolean;
  /**
   * 0 pass, 1 regression, 3 a target crashed, 5 a run's load failed. A crash wins: the numbers of a dead target mean
   * little. A failed check wins over a failed load: growth measured under the load that did arrive is real (the
   * naive store's latency climbs with its leak until requests time out, as the reported gateway hung), while a load
   * that failed with nothing growing is no pass.
   */
  exitCode: typeof EXIT_OK | typeof EXIT_REGRESSION | typeof EXIT_CRASHED | typeof EXIT_LOAD_FAILED;
  /** `i/n`: this is one job's share of a sharded gate (`gate --shard`). */
  shard?: string;
  /**
   * A shard's whole scenario list as the gate was given it, before the split (the same in every shard of one gate):
   * with `shard`, it says which scenarios each shard got, so `merge` knows a shard with none is complete.
   */
  scenarioFiles?: string[];
  createdAt: string;
  scenarios: GateScenarioResult[];
}

/** Folds per-scenario results into one verdict; used by `gate` and by `merge` so both decide alike. */
export function combineGateResults(scenarios: GateScenarioResult[], createdAt: string): GateResult {
  const crashed = scenarios.some((s) => s.crashed);
  const loadFailed = scenarios.some((s) => s.loadFailed !== undefined);
  const pass = scenarios.length > 0 && scenarios.every((s) => s.pass && !s.crashed && s.loadFailed === undefined);
  const regressed = scenarios.some((s) => s.checks.some((check) => !check.pass));
  const exitCode = crashed ? EXIT_CRASHED : regressed ? EXIT_REGRESSION : loadFailed ? EXIT_LOAD_FAILED : pass ? EXIT_OK : EXIT_REGRESSION;
  return { pass, exitCode, createdAt, scenarios };
}
