// The gate's judgement of one run: each gated metric against the scenario's budgets and its baseline. Growth
// fails only when it is both statistically clear and large enough to matter; near-misses are flagged borderline.
import { floorPerMin, metricInfo, metricsWith } from '../analysis/metricCatalogue.ts';
import type { GateCheck, MetricSummary } from '../contracts/summary.ts';
import type { Baseline, MachineFingerprint } from './baseline.ts';
import { formatBytes, formatDuration, formatRate, PER_1K_OPS, PER_MIN } from '../analysis/units.ts';
import { currentGrowth } from '../analysis/verdict.ts';

/** A scenario's limits for one metric, in its unit. */
export interface Budget {
  maxSlopePerMin?: number;
  maxSlopePer1kOps?: number;
}

export interface JudgeOptions {
  /** Metrics to judge; default: gatedMetrics(). */
  metrics?: string[];
  /** Per-minute floors of growth that matters, overriding the metric catalogue's. */
  floors?: Record<string, number>;
  /**
   * Added to the baseline's slope before growth counts as clear, per minute; default three times the spread of the
   * baseline runs' slopes, and at least a quarter of the floor.
   */
  tolerance?: Record<string, number>;
  /** Where this run was measured, to note a baseline recorded elsewhere. */
  nodeVersion?: string;
  machine?: MachineFingerprint;
}

export interface Judgement {
  pass: boolean;
  checks: GateCheck[];
  /** Some check was close to its limit: the gate should run the scenario once more and judge that run. */
  borderline: boolean;
  /** Things a person should know that are not failures (baseline from another machine, a metric not measured). */
  notes: string[];
}

/**
 * The metrics issue #55334 is about, judged unless the caller says otherwise (the catalogue's `gated`). RSS twice:
 * every sample (dense, noisy) and the settled series read right after a full collection (sparse, without garbage); a
 * target without the probe has only the first. treeRssBytes adds the target's child processes (a spawn broker, an
 * SQLite worker), which the main process's RSS does not see (Linux only). State readings are judged only when
 * budgeted.
 */
export const GATED_BY_DEFAULT = metricsWith('gated');

/** The defaults, every budgeted metric, and every watched file (a user watches a file because it may grow). */
export function gatedMetrics(metrics: Record<string, MetricSummary>, budgets: Record<string, Budget>): string[] {
  const watched = Object.keys(metrics).filter((m) => m.startsWith('file:'));
  return [...new Set([...GATED_BY_DEFAULT, ...Object.keys(budgets), ...watched])];
}

/**
 * A metric newer than a baseline, judged against the entry the baseline does have for what it measured then (the
 * catalogue's `baselineStandIn`). A baseline recorded before soakgate sampled the process tree has no treeRssBytes,
 * and judged against zero growth every target whose RSS warms up within its baseline (dedup's ci-gate: 7.5 MB/min)
 * would fail after an upgrade; the tree holds the main process, so its RSS entry is the closest record there is.
 */
function baselineEntry(baseline: Baseline | undefined, metric: string): Baseline['metrics'][string] | undefined {
  const standIn = metricInfo(metric).baselineStandIn;
  return baseline?.metrics[metric] ?? (standIn === undefined ? undefined : baseline?.metrics[standIn]);
}

/** Memory metrics: a failing or borderline check on one is a reason to take heap snapshots (the catalogue's `memoryChecked`). */
export const MEMORY_CHECKED: ReadonlySet<string> = new Set(metricsWith('memoryChecked'));

/** For a late rise, which the checks judge by its own slope: from when (docs/ARCHITECTURE.md, "Verdicts"). */
function since(m: MetricSummary): string {
  return m.lateRise ? ` since ${formatDuration(m.lateRise.sinceS)}` : '';
}

function plateauCheck(metric: string, m: MetricSummary, kind: GateCheck['kind'], limit: number): GateCheck {
  const level = m.unit === 'bytes' ? formatBytes(m.plateauLevel ?? m.last) : String(m.plateauLevel ?? m.last);
  return {
    metric, kind, limit, observed: m.slopePerMin, pass: true, borderline: false,
    reason: `${metric} levelled off at ${level} after ${Math.round(m.plateauAtS ?? 0)} s: a plateau, not a leak.`,
  };
}

/**
 * Growth against the baseline: fails when the interval's lower bound is above the baseline's upper bound plus the
 * tolerance (clear) and the slope exceeds the baseline's by more than the floor (matters). Borderline when it
 * fails by less than a quarter of the floor, or passes only because the interval is too wide to be clear.
 */
function baselineCheck(metric: string, m: MetricSummary, baseline: Baseline | undefined, options: JudgeOptions): GateCheck {
  const floor = floorPerMin(metric, m.last, options.floors);
  const base = baselineEntry(baseline, metric);
  const baseSlope = base?.slopePerMin ?? 0;
  const tolerance = options.tolerance?.[metric] ?? Math.max(3 * (base?.slopeSpread ?? 0), floor / 4);
  const threshold = baseSlope + tolerance;
  const limit = baseSlope + floor;
  if (m.verdict === 'plateau') return plateauCheck(metric, m, 'baseline', limit);
  const rate = (v: number) => formatRate(v, m.unit);
  const { slopePerMin: slope, ciLow, ciHigh } = currentGrowth(m);
  const clearMargin = ciLow - threshold;
  const sizeMargin = slope - limit;
  const pass = !(clearMargin > 0 && sizeMargin > 0);
  const borderline = pass ? sizeMargin > 0 && slope > threshold : Math.min(clearMargin, sizeMargin) < floor / 4;
  const against = base
    ? `the baseline's ${rate(baseSlope)} (+ ${rate(tolerance)} tolerance from its runs' spread)`
    : `zero (no baseline for it; tolerance ${rate(tolerance)})`;
  const growth = `${metric} grows ${rate(slope)}${since(m)} (95% CI ${rate(ciLow)} to ${rate(ciHigh)})`;
  let reason: string;
  if (!pass) {
    reason = `${growth}: clearly above ${against}, and ${rate(slope - baseSlope)} more than it, over the ${rate(floor)} that matters.`;
  } else if (clearMargin > 0) {
    reason = `${growth}: clearly above ${against}, but only ${rate(slope - baseSlope)} more, under the ${rate(floor)} that matters.`;
  } else if (sizeMargin > 0) {
    reason = `${growth}: more than ${rate(limit)} but not clearly above ${against}; the interval is too wide to tell.`;
  } else {
    reason = `${growth}: within ${against}.`;
  }
  return { metric, kind: 'baseline', limit, observed: slope, pass, borderline, reason: borderline ? `${reason} Borderline: rerun to confirm.` : reason };
}

/**
 * A budget is a limit the slope must not clearly exceed: fails when the interval's lower bound is above it.
 * Per 1,000 operations only the point slope is measured, so its interval is the per-minute one scaled by the
 * run's operation rate (slopePerMin / slopePer1kOps).
 */
function budgetCheck(metric: string, m: MetricSummary, limit: number, perOps: boolean): GateCheck {
  const kind = perOps ? 'budgetPer1kOps' : 'budgetPerMin';
  if (m.verdict === 'plateau') return plateauCheck(metric, m, kind, limit);
  const per = perOps ? PER_1K_OPS : PER_MIN;
  // The run's operations per minute, from the whole window's two slopes; a late rise is scaled by the same rate.
  const kOpsPerMin = perOps && m.slopePer1kOps ? m.slopePerMin / m.slopePer1kOps : NaN;
  const scaled = !perOps || (Number.isFinite(kOpsPerMin) && kOpsPerMin > 0);
  const growth = currentGrowth(m);
  const observed = perOps ? (m.lateRise && scaled ? growth.slopePerMin / kOpsPerMin : (m.slopePer1kOps ?? 0)) : growth.slopePerMin;
  const ciLow = perOps ? (scaled ? growth.ciLow / kOpsPerMin : -Infinity) : growth.ciLow;
  const rate = (v: number) => formatRate(v, m.unit, per);
  const pass = !(ciLow > limit);
  const borderline = pass ? scaled && observed > limit : ciLow - limit < limit / 4;
  const lower = Number.isFinite(ciLow) ? ` (95% lower bound ${rate(ciLow)})` : '';
  let reason = pass
    ? observed > limit
      ? `${metric} grows ${rate(observed)}${since(m)}${lower}, over its budget of ${rate(limit)} but not clearly.`
      : `${metric} grows ${rate(observed)}${since(m)}${lower}, within its budget of ${rate(limit)}.`
    : borderline
      ? `${metric} grows ${rate(observed)}${since(m)}${lower}, over its budget of ${rate(limit)}, its lower bound by less than a quarter of it.`
      : `${metric} grows ${rate(observed)}${since(m)}${lower}, clearly over its budget of ${rate(limit)}.`;
  if (borderline) reason += ' Borderline: rerun to confirm.';
  return { metric, kind, limit, observed, pass, borderline, reason };
}

/** A budget the run cannot be checked against fails: a limit nobody measured is no pass. */
function missingCheck(metric: string, budget: Budget): GateCheck {
  return {
    metric, kind: 'missing', limit: budget.maxSlopePerMin ?? budget.maxSlopePer1kOps ?? 0, observed: 0, pass: false,
    reason: `${metric} has a budget but the run did not measure it: check that the target reports it (heap figures need the probe, session figures the gateway).`,
  };
}

function budgetChecks(metric: string, m: MetricSummary, budget: Budget): GateCheck[] {
  return [
    ...(budget.maxSlopePerMin === undefined ? [] : [budgetCheck(metric, m, budget.maxSlopePerMin, false)]),
    ...(budget.maxSlopePer1kOps === undefined ? [] : [budgetCheck(metric, m, budget.maxSlopePer1kOps, true)]),
  ];
}

function judgement(checks: GateCheck[], notes: string[]): Judgement {
  return { pass: checks.every((c) => c.pass), checks, borderline: checks.some((c) => c.borderline), notes };
}

/**
 * Judges one run's metrics against the scenario's budgets alone, with no baseline: what `soakgate run` applies, so a
 * long soak fails when memory grows past what its scenario allows. The checks are the gate's own.
 */
export function judgeBudgets(metrics: Record<string, MetricSummary>, budgets: Record<string, Budget>): Judgement {
  const checks = Object.entries(budgets).flatMap(([metric, budget]) => {
    const m = metrics[metric];
    return m ? budgetChecks(metric, m, budget) : [missingCheck(metric, budget)];
  });
  return judgement(checks, []);
}

/** Judges one run's metrics (summary.json's `metrics`) against budgets and, when given, a baseline. */
export function judgeRun(
  metrics: Record<string, MetricSummary>,
  budgets: Record<string, Budget>,
  baseline?: Baseline,
  options: JudgeOptions = {},
): Judgement {
  const checks: GateCheck[] = [];
  const notes: string[] = [];
  for (const metric of options.metrics ?? gatedMetrics(metrics, budgets)) {
    const m = metrics[metric];
    const budget = budgets[metric];
    if (!m) {
      if (budget) {
        checks.push(missingCheck(metric, budget));
      } else if (baseline?.metrics[metric]) {
        notes.push(`${metric} is in the baseline but this run did not measure it.`);
      }
      continue;
    }
    if (baseline && !baseline.metrics[metric]) {
      const standIn = baselineEntry(baseline, metric) ? metricInfo(metric).baselineStandIn : undefined;
      notes.push(standIn
        ? `${metric} is not in the baseline (recorded before soakgate sampled it): judged against ${standIn}'s; record the baseline again to judge it on its own.`
        : `${metric} is not in the baseline: judged against zero growth.`);
    }
    checks.push(baselineCheck(metric, m, baseline, options));
    if (budget) checks.push(...budgetChecks(metric, m, budget));
  }
  if (baseline && options.nodeVersion && options.nodeVersion !== baseline.nodeVersion) {
    notes.push(`The baseline was recorded on Node ${baseline.nodeVersion}, this run used ${options.nodeVersion}.`);
  }
  if (baseline && options.machine) {
    const { cpuModel, cores, memoryBytes } = options.machine;
    const b = baseline.machine;
    if (cpuModel !== b.cpuModel || cores !== b.cores || memoryBytes !== b.memoryBytes) {
      notes.push(`The baseline was recorded on another machine (${b.cores} x ${b.cpuModel}, ${formatBytes(b.memoryBytes)}); slopes may differ a little.`);
    }
  }
  return judgement(checks, notes);
}
