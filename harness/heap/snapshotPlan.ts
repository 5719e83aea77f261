// When and how to take heap snapshots. Writing one blocks the target for seconds and raises its RSS for good, so
// snapshots are never taken inside the measured window: once it is over and analysed, a diagnosis phase under the
// same load takes them (docs/ARCHITECTURE.md, "Diagnosis after measurement"). By default (`auto`) only when what
// the gate would judge says memory grows, so a passing CI run never pays for them.
import type { MetricSummary } from '../contracts/summary.ts';
import { metricsWith } from '../analysis/metricCatalogue.ts';
import { currentGrowth } from '../analysis/verdict.ts';
import { UsageError } from '../contracts/exitCodes.ts';

export type SnapshotMode = 'auto' | 'always' | 'never' | number;

/** The memory metrics whose growth is worth explaining with snapshots (the catalogue's memory signals). */
export const MEMORY_METRICS = metricsWith('memorySignal');

export function parseSnapshotMode(text: string): SnapshotMode {
  if (text === 'auto' || text === 'always' || text === 'never') return text;
  const n = Number(text);
  if (Number.isInteger(n) && n >= 2 && n <= 10) return n;
  throw new UsageError(`--snapshots takes auto, always, never, or a count from 2 to 10; got '${text}'.`);
}

/**
 * Memory metrics the final analysis calls growing by more than the growth that matters, as reasons to diagnose.
 * The gate adds its own failing and borderline memory checks to these.
 */
export function growingMemory(metrics: Record<string, MetricSummary>): string[] {
  return MEMORY_METRICS.filter((name) => {
    const m = metrics[name];
    return m !== undefined && m.verdict === 'growing' && currentGrowth(m).slopePerMin > (m.floorPerMin ?? 0);
  }).map((name) => `${name} growing`);
}

export interface DiagnosisPlan {
  /** How many snapshots, one process, the first at the start of the phase. */
  count: number;
  /** Seconds between two snapshots, under load. */
  spacingS: number;
}

/**
 * Spacing: a tenth of the measured window, from 3 s (time-compressed CI runs) to a minute (soaks of ten minutes and
 * more). A leak that shows in the window's slopes adds a tenth of the window's growth between two snapshots, which
 * memlab's reader spends reading the first one (harness/heap/diagnosisProcess.ts).
 */
const MIN_SPACING_S = 3;
const MAX_SPACING_S = 60;

/**
 * The diagnosis phase for this mode, or null for none: `never` none; `auto` two snapshots when there is a reason;
 * `always` three, N that many, whatever the reasons.
 */
export function planDiagnosis(mode: SnapshotMode, reasons: string[], measuredS: number): DiagnosisPlan | null {
  const count = mode === 'never' ? 0 : mode === 'always' ? 3 : mode === 'auto' ? (reasons.length > 0 ? 2 : 0) : mode;
  if (count === 0) return null;
  return { count, spacingS: Math.min(MAX_SPACING_S, Math.max(MIN_SPACING_S, measuredS / 10)) };
}

/** The snapshots worth diagnosing together: the longest run of them from one process (a restart starts anew). */
export function snapshotsOfOneProcess(snapshots: Array<{ file: string; pid: number }>): string[] {
  let best: string[] = [];
  let current: string[] = [];
  let pid: number | null = null;
  for (const s of snapshots) {
    if (s.pid !== pid) current = [];
    pid = s.pid;
    current.push(s.file);
    if (current.length >= best.length) best = [...current];
  }
  return best;
}
