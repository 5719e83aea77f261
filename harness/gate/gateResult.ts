// gate.json: the verdict of one `soakgate gate` (or of `soakgate merge` over shards). CI tools and `merge` read it.
import type { GateCheck } from '../summary.ts';

export interface GateScenarioResult {
  scenario: string;
  /** `gateway-dedup`, `gateway-naive`, or `command`: what was soaked. */
  target: string;
  runDir: string;
  pass: boolean;
  /** The target died mid-run; its checks are not trustworthy. */
  crashed: boolean;
  /** A borderline failure was run again; `checks` are the rerun's. */
  reran: boolean;
  durationS: number;
  checks: GateCheck[];
}

export interface GateResult {
  pass: boolean;
  /** 0 pass, 1 regression, 3 a target crashed (crash wins over regression: the numbers of a dead target mean little). */
  exitCode: 0 | 1 | 3;
  shard?: string;
  createdAt: string;
  scenarios: GateScenarioResult[];
}

/** Folds per-scenario results into one verdict; used by `gate` and by `merge` so both decide alike. */
export function combineGateResults(scenarios: GateScenarioResult[], createdAt: string, shard?: string): GateResult {
  const crashed = scenarios.some((s) => s.crashed);
  const pass = scenarios.length > 0 && scenarios.every((s) => s.pass && !s.crashed);
  const exitCode = crashed ? 3 : pass ? 0 : 1;
  return { pass, exitCode, ...(shard ? { shard } : {}), createdAt, scenarios };
}
