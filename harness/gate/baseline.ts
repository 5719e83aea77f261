// A baseline: the committed record (baselines/<scenario>.<target>.json) of how fast each metric grows on a
// known-good target, with its noise and where it was measured, so the gate can tell a regression from a slow box.
import { z } from 'zod';
import { median } from '../analysis/theilSen.ts';
import type { MetricSummary, Summary } from '../summary.ts';

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
  /** The envelope of the runs' 95% intervals: run-to-run spread and within-run uncertainty together. */
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
    metrics[name] = {
      unit: runs[0].unit,
      slopePerMin: median(Float64Array.from(runs, (m) => m.slopePerMin)),
      ciLow: Math.min(...runs.map((m) => m.ciLow)),
      ciHigh: Math.max(...runs.map((m) => m.ciHigh)),
      noise: median(Float64Array.from(runs, (m) => m.noise ?? 0)),
      samples: runs.reduce((sum, m) => sum + (m.samples ?? 0), 0),
    };
  }
  return { scenario, target, runs: summaries.length, nodeVersion: meta.nodeVersion, machine: meta.machine, created: meta.created, metrics };
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
  throw new Error(`${file}: not a soakgate baseline: ${where}: ${issue.message}. Record it again with \`soakgate baseline <scenario> --write\`.`);
}
