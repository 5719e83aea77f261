// A baseline: the committed record (baselines/<scenario>.<target>.json) of how fast each metric grows on a
// known-good target, with its noise and where it was measured, so the gate can tell a regression from a slow box.
import { z } from 'zod';
import { median } from '../analysis/theilSen.ts';
import type { MetricSummary, Summary } from '../contracts/summary.ts';
import { UsageError } from '../contracts/exitCodes.ts';

export interface MachineFingerprint {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  /** e.g. `linux 6.8.0 x64`. */
  os: string;
}

export interface BaselineMetric {
  unit: MetricSummary['unit'];
  /** Median of the runs' slopes per minute. */
  slopePerMin: number;
  /** Each run's slope per minute, in run order. */
  slopes: number[];
  /**
   * How much the runs' slopes differ: their standard deviation (0 for one run). The gate's tolerance above the
   * baseline comes from this and the metric's floor, not from any one run's interval.
   */
  slopeSpread: number;
  /** The envelope of the runs' 95% intervals, kept for the report's band. */
  ciLow: number;
  ciHigh: number;
  /** Median of the runs' residual noise (robust SD around the fitted line), in the metric's unit. */
  noise: number;
  /** Steady-state samples over all runs. */
  samples: number;
}

export interface Baseline {
  scenario: string;
  target: string;
  runs: number;
  nodeVersion: string;
  machine: MachineFingerprint;
  /** ISO time the baseline was recorded. */
  created: string;
  metrics: Record<string, BaselineMetric>;
}

export interface BaselineMeta {
  nodeVersion: string;
  machine: MachineFingerprint;
  created: string;
}

/**
 * One baseline from N runs of the same scenario and target. Only metrics every run measured are kept: a metric
 * missing from one run (no probe that time) would make the baseline claim more than it saw.
 */
export function buildBaseline(summaries: Summary[], meta: BaselineMeta): Baseline {
  if (summaries.length === 0) throw new Error('a baseline needs at least one run');
  const { scenario, target } = summaries[0];
  const stray = summaries.find((s) => s.scenario !== scenario || s.target !== target);
  if (stray) {
    throw new Error(`a baseline is for one scenario and target: got ${scenario} on ${target} and ${stray.scenario} on ${stray.target}`);
  }
  const metrics: Record<string, BaselineMetric> = {};
  for (const name of Object.keys(summaries[0].metrics).sort()) {
    const runs = summaries.map((s) => s.metrics[name]).filter((m): m is MetricSummary => m !== undefined);
    if (runs.length < summaries.length) continue;
    const slopes = runs.map((m) => m.slopePerMin);
    metrics[name] = {
      unit: runs[0].unit,
      slopePerMin: median(Float64Array.from(slopes)),
      slopes,
      slopeSpread: standardDeviation(slopes),
      ciLow: Math.min(...runs.map((m) => m.ciLow)),
      ciHigh: Math.max(...runs.map((m) => m.ciHigh)),
      noise: median(Float64Array.from(runs, (m) => m.noise ?? 0)),
      samples: runs.reduce((sum, m) => sum + (m.samples ?? 0), 0),
    };
  }
  return { scenario, target, runs: summaries.length, nodeVersion: meta.nodeVersion, machine: meta.machine, created: meta.created, metrics };
}

function standardDeviation(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
}

const baselineSchema = z.object({
  scenario: z.string(),
  target: z.string(),
  runs: z.number().int().positive(),
  nodeVersion: z.string(),
  machine: z.object({ cpuModel: z.string(), cores: z.number(), memoryBytes: z.number(), os: z.string() }),
  created: z.string(),
  metrics: z.record(
    z.string(),
    z.object({
      unit: z.enum(['bytes', 'count', 'ms', 'percent']),
      slopePerMin: z.number(),
      slopes: z.array(z.number()),
      slopeSpread: z.number().nonnegative(),
      ciLow: z.number(),
      ciHigh: z.number(),
      noise: z.number().nonnegative(),
      samples: z.number().int().nonnegative(),
    }),
  ),
});

/** Checks a parsed baseline file; the error names the file, the field and what was expected (the CLI exits 2). */
export function parseBaseline(json: unknown, file: string): Baseline {
  const result = baselineSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  throw new UsageError(`${file}: not a soakgate baseline: ${where}: ${issue.message}. Record it again with \`soakgate baseline <scenario> --write\`.`);
}

/**
 * Which kind of target a baseline or a run is about: `gateway` (any store: the gate compares the stores against the
 * known-good one) or `command` (a server of the user's, which the gate compares with its own earlier builds).
 */
export function targetFamily(label: string): string {
  return label.startsWith('gateway') ? 'gateway' : label.startsWith('command') ? 'command' : label;
}

/**
 * Refuses a baseline recorded for another scenario or another target (a sub-agent storm's baseline makes ci-gate
 * pass whatever grows); the message names both. `target` is a run's target label or family.
 */
export function checkBaselineFits(baseline: Baseline, file: string, scenario: string, target: string): void {
  if (baseline.scenario !== scenario) {
    throw new UsageError(`${file} is the baseline of scenario '${baseline.scenario}', not of '${scenario}'. Judge ${scenario} against its own baseline (soakgate baseline <its file> --write).`);
  }
  if (targetFamily(baseline.target) !== targetFamily(target)) {
    throw new UsageError(`${file} was recorded on ${baseline.target}, and this run's target is ${target}. Record a baseline for this target (soakgate baseline <scenario> --write).`);
  }
}
