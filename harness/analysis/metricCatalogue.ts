// Every metric soakgate samples, in one place: its unit, the growth per minute that matters, whether the gate
// judges it without a budget, what it says about memory, how a heap snapshot disturbs it, and where the report
// draws it (docs/ARCHITECTURE.md, "The metric catalogue"). Analysis, the gate, the report and the CLI look metrics
// up here instead of keeping lists of their own. Pure data and small lookups.
import { KiB, MiB, type Unit } from './units.ts';

export interface MetricInfo {
  name: string;
  /** What a person calls it, in a verdict line or a legend. */
  label: string;
  unit: Unit;
  /** Growth per minute that matters, in the unit; absent: the rule of its unit (floorPerMin). */
  floorPerMin?: number;
  /** The gate judges it against the baseline without a budget (issue #55334's metrics). */
  gated?: boolean;
  /**
   * A memory signal: clear growth above its floor in the final analysis asks for heap snapshots, and the progress
   * line shows its slope. heapUsedBytes is not one: it is the collector's sawtooth.
   */
  memorySignal?: boolean;
  /** Process memory: a failing or borderline gate check on it asks for heap snapshots (the gate's diagnosis). */
  memoryChecked?: boolean;
  /** Writing a heap snapshot raises it for good: the series leaves out the disturbance and starts a new segment. */
  stepsAtSnapshot?: boolean;
  /** Followed by the live verdict of `soakgate run`. */
  live?: boolean;
  /** The live verdict says when it would reach `--memory-limit` at its slope. */
  projectedToLimit?: boolean;
  /** Printed in `soakgate run`'s closing lines. */
  headline?: boolean;
  /** The other reading of the same signal (RSS raw and settled): one failing clearly settles both. */
  sameSignal?: string;
  /** The baseline entry judged against when the baseline predates this metric (docs/ARCHITECTURE.md, "Process tree"). */
  baselineStandIn?: string;
  /**
   * Where the report draws it: chart id, its line's name, whether that chart fits this metric's slope, and whether
   * the line is only there to compare with (it alone does not make the chart).
   */
  charts?: Array<{ id: string; series: string; fitted?: boolean; comparison?: boolean }>;
  /** Probe bookkeeping that no budget may name. */
  notBudgetable?: boolean;
}

/** In the order a reader checks them: the report's tables and run's closing lines follow it. */
const CATALOGUE: MetricInfo[] = [
  {
    name: 'rssBytes', label: 'RSS', unit: 'bytes', floorPerMin: 2 * MiB, gated: true, memorySignal: true, memoryChecked: true,
    stepsAtSnapshot: true, live: true, projectedToLimit: true, headline: true, sameSignal: 'rssSettledBytes',
    charts: [{ id: 'rss', series: 'RSS', fitted: true }, { id: 'tree-rss', series: 'main process', comparison: true }],
  },
  {
    name: 'rssSettledBytes', label: 'settled RSS', unit: 'bytes', floorPerMin: 2 * MiB, gated: true, memorySignal: true,
    memoryChecked: true, stepsAtSnapshot: true, live: true, projectedToLimit: true, headline: true, sameSignal: 'rssBytes',
    charts: [{ id: 'rss', series: 'settled RSS' }],
  },
  {
    // The same floor as the main process's RSS: children add to the level, not to what growth matters. Not memory
    // checked: its own growth is in the children, which a snapshot of the main process cannot explain.
    name: 'treeRssBytes', label: 'process tree RSS', unit: 'bytes', floorPerMin: 2 * MiB, gated: true, stepsAtSnapshot: true,
    headline: true, baselineStandIn: 'rssBytes', charts: [{ id: 'tree-rss', series: 'process tree', fitted: true }],
  },
  {
    // Settled RSS less the main thread's heap in memory: worker threads, buffers' memory, code and native allocations.
    // Not memory checked: a heap snapshot of the main thread cannot explain it (docs/ARCHITECTURE.md, "Outside the
    // main heap").
    name: 'rssOutsideHeapBytes', label: 'settled RSS outside the main heap', unit: 'bytes', floorPerMin: 2 * MiB, stepsAtSnapshot: true,
    headline: true, charts: [{ id: 'rss', series: 'outside the main heap' }],
  },
  {
    name: 'heapFloorBytes', label: 'heap floor after GC', unit: 'bytes', floorPerMin: 1 * MiB, gated: true, memorySignal: true,
    memoryChecked: true, live: true, headline: true, charts: [{ id: 'heap', series: 'post-GC floor', fitted: true }],
  },
  {
    name: 'heapUsedBytes', label: 'heap used', unit: 'bytes', floorPerMin: 2 * MiB, memoryChecked: true, headline: true,
    charts: [{ id: 'heap', series: 'heap used' }],
  },
  { name: 'heapTotalBytes', label: 'heap total', unit: 'bytes', floorPerMin: 2 * MiB, memoryChecked: true, stepsAtSnapshot: true },
  { name: 'heapPhysicalBytes', label: 'heap in memory', unit: 'bytes', floorPerMin: 2 * MiB, memoryChecked: true, stepsAtSnapshot: true },
  { name: 'heapAfterGcBytes', label: 'heap after a GC', unit: 'bytes', notBudgetable: true },
  // Bounded by V8 (16 MiB a semi-space on Node 20): its growth is a warm-up, never a leak, so no budget names it.
  { name: 'youngGenerationBytes', label: "V8's young generation", unit: 'bytes', notBudgetable: true },
  // Worker threads' isolates: in the process's RSS, in none of the main thread's heap figures (the probe's
  // watchWorkers). Not memory checked: a heap snapshot of the main thread cannot explain them.
  {
    name: 'workerHeapFloorBytes', label: "worker threads' heap floor after GC", unit: 'bytes', floorPerMin: 1 * MiB, headline: true,
    charts: [{ id: 'workers', series: 'their floor after GC', fitted: true }],
  },
  { name: 'workerHeapBytes', label: "worker threads' heaps", unit: 'bytes', floorPerMin: 2 * MiB, charts: [{ id: 'workers', series: 'heap used' }] },
  { name: 'workerThreads', label: 'worker threads', unit: 'count', floorPerMin: 1, headline: true },
  { name: 'workersStarted', label: 'worker threads started', unit: 'count', notBudgetable: true },
  { name: 'workerHeapsRead', label: 'worker threads whose heap was read', unit: 'count', notBudgetable: true },
  { name: 'externalBytes', label: 'external memory', unit: 'bytes', floorPerMin: 1 * MiB, memoryChecked: true, stepsAtSnapshot: true },
  {
    name: 'sessionsFileBytes', label: 'sessions.json', unit: 'bytes', floorPerMin: 100 * KiB, gated: true, live: true, headline: true,
    charts: [{ id: 'sessions-file', series: 'sessions.json', fitted: true }],
  },
  {
    name: 'transcriptBytes', label: 'transcript bytes', unit: 'bytes', floorPerMin: 500 * KiB, gated: true, headline: true,
    charts: [{ id: 'transcript-bytes', series: 'transcripts', fitted: true }],
  },
  {
    name: 'transcriptFiles', label: 'transcript files', unit: 'count', floorPerMin: 10,
    charts: [{ id: 'transcript-files', series: 'transcript files', fitted: true }],
  },
  {
    name: 'sessionCount', label: 'sessions', unit: 'count', floorPerMin: 10, gated: true, headline: true,
    charts: [{ id: 'sessions-kind', series: 'total', fitted: true }],
  },
  { name: 'orphanTranscripts', label: 'orphan transcripts', unit: 'count' },
  { name: 'skillSnapshotBlobs', label: 'skill snapshot blobs', unit: 'count' },
  { name: 'eventLoopDelayP50Ms', label: 'event-loop delay p50', unit: 'ms', charts: [{ id: 'event-loop', series: 'p50' }] },
  { name: 'eventLoopDelayP99Ms', label: 'event-loop delay p99', unit: 'ms', charts: [{ id: 'event-loop', series: 'p99' }] },
  { name: 'eventLoopUtilization', label: 'event-loop utilization', unit: 'count', notBudgetable: true },
  { name: 'mainThreadDemand', label: 'main thread running or waiting for a CPU', unit: 'count', notBudgetable: true },
  { name: 'gcCount', label: 'garbage collections', unit: 'count' },
  { name: 'gcPauseMs', label: 'GC pause', unit: 'ms' },
  { name: 'settlePauseMs', label: 'settling pause', unit: 'ms', notBudgetable: true },
  { name: 'settlesDeferred', label: 'settles deferred (target saturated)', unit: 'count', notBudgetable: true },
  { name: 'settlesByTarget', label: "settled readings from the target's own full collections", unit: 'count', notBudgetable: true },
  { name: 'cpuPercent', label: 'CPU', unit: 'percent' },
  { name: 'harnessRssBytes', label: "soakgate's own RSS", unit: 'bytes' },
];

const BY_NAME = new Map(CATALOGUE.map((m, i) => [m.name, { info: m, rank: i }]));

/** The unit a metric's name gives: `...Bytes` and watched files are bytes, `...Ms` milliseconds, else a count. */
function unitByName(name: string): Unit {
  if (name.endsWith('Bytes') || name.startsWith('file:')) return 'bytes';
  if (name.endsWith('Ms')) return 'ms';
  return 'count';
}

/**
 * What the catalogue knows of `name`. A watched file (`file:<label>`) is bytes with sessions.json's floor and is
 * gated (a user watches a file because it may grow); a state reading (`state:<name>`) takes the unit its name gives
 * and is judged only when budgeted, since no number of rows per minute matters for every table.
 */
export function metricInfo(name: string): MetricInfo {
  const known = BY_NAME.get(name)?.info;
  if (known) return known;
  if (name.startsWith('file:')) return { name, label: name.slice('file:'.length), unit: 'bytes', floorPerMin: 100 * KiB, gated: true };
  if (name.startsWith('state:')) return { name, label: name.slice('state:'.length), unit: unitByName(name) };
  return { name, label: name, unit: unitByName(name) };
}

export function unitOf(name: string): Unit {
  return metricInfo(name).unit;
}

type Flag = 'gated' | 'memorySignal' | 'memoryChecked' | 'stepsAtSnapshot' | 'live' | 'projectedToLimit' | 'headline';

/** The catalogued metrics with `flag`, in catalogue order. */
export function metricsWith(flag: Flag): string[] {
  return CATALOGUE.filter((m) => m[flag]).map((m) => m.name);
}

/** Metrics a scenario's budget may name, besides `file:<label>` and `state:<name>`. */
export function budgetableMetrics(): string[] {
  return CATALOGUE.filter((m) => !m.notBudgetable).map((m) => m.name);
}

/** Catalogue order first, then watched files, state readings and anything else, each alphabetically. */
export function compareMetrics(a: string, b: string): number {
  const rank = (name: string) => BY_NAME.get(name)?.rank ?? CATALOGUE.length + (name.startsWith('file:') ? 0 : name.startsWith('state:') ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/**
 * The catalogued lines a report chart draws, as [line name, metric], its own metrics' first and comparisons after;
 * the lines of its own metrics, one of which it needs to be drawn; and the metric whose slope it fits.
 */
export function chartMetrics(chartId: string): { series: Array<[string, string]>; own: string[]; fitMetric?: string } {
  const own: Array<[string, string]> = [];
  const comparisons: Array<[string, string]> = [];
  let fitMetric: string | undefined;
  for (const m of CATALOGUE) {
    for (const chart of m.charts ?? []) {
      if (chart.id !== chartId) continue;
      (chart.comparison ? comparisons : own).push([chart.series, m.name]);
      if (chart.fitted) fitMetric = m.name;
    }
  }
  return { series: [...own, ...comparisons], own: own.map(([series]) => series), ...(fitMetric ? { fitMetric } : {}) };
}

/**
 * Growth per minute that matters for `metric`: an override, the catalogue's floor, or the rule of its unit (other
 * bytes 1 MiB, milliseconds 5, percent 5, and for counts 1% of the metric's level). A verdict of `flat` rules out
 * growth above it, and the gate ignores statistically clear growth under it (a 1 KiB/min drift is real but harmless).
 */
export function floorPerMin(metric: string, level: number, overrides: Record<string, number> = {}): number {
  const floor = overrides[metric] ?? metricInfo(metric).floorPerMin;
  if (floor !== undefined) return floor;
  const unit = unitOf(metric);
  if (unit === 'bytes') return 1 * MiB;
  if (unit === 'ms' || unit === 'percent') return 5;
  return Math.max(1, Math.abs(level) / 100);
}
