// How much growth per minute matters for each metric. A verdict of `flat` means growth is ruled out above this
// floor, and the gate ignores statistically clear growth under it (a 1 KB/min drift is real but harmless).

import { KiB as KB, MiB as MB } from '../units.ts';

/** Defaults per metric, per minute, in the metric's own unit. */
export const DEFAULT_FLOORS_PER_MIN: Readonly<Record<string, number>> = {
  rssBytes: 2 * MB,
  rssSettledBytes: 2 * MB,
  // The same floor as the main process's RSS: children add to the level, not to what growth matters.
  treeRssBytes: 2 * MB,
  heapFloorBytes: 1 * MB,
  heapUsedBytes: 2 * MB,
  heapTotalBytes: 2 * MB,
  externalBytes: 1 * MB,
  sessionsFileBytes: 100 * KB,
  transcriptBytes: 500 * KB,
  transcriptFiles: 10,
  sessionCount: 10,
};

/**
 * The floor for `metric`: an override, the default above, or for other metrics a rule by kind (a watched file
 * like sessions.json, other bytes, milliseconds, percent) or, for counts, 1% of the metric's level per minute.
 * State readings (`state:<name>`) are of the unit their name gives (harness/analysis/analyze.ts, unitOf), so they
 * take the rule of that unit: a count of rows or sessions, 1% of its level per minute; no absolute number of
 * rows matters for every table, which is why the gate judges them only when the scenario budgets them.
 */
export function floorPerMin(metric: string, level: number, overrides: Record<string, number> = {}): number {
  const floor = overrides[metric] ?? DEFAULT_FLOORS_PER_MIN[metric];
  if (floor !== undefined) return floor;
  if (metric.startsWith('file:')) return 100 * KB;
  if (metric.endsWith('Bytes')) return 1 * MB;
  if (metric.endsWith('Ms')) return 5;
  if (metric === 'cpuPercent') return 5;
  return Math.max(1, Math.abs(level) / 100);
}
