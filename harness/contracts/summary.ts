// summary.json: the verdicts of one run. Other tools read it, so its field names are a contract (docs/ARCHITECTURE.md, "Contracts").

export type Verdict = 'growing' | 'flat' | 'plateau' | 'inconclusive';

export interface MetricSummary {
  unit: 'bytes' | 'count' | 'ms' | 'percent';
  slopePerMin: number;
  ciLow: number;
  ciHigh: number;
  slopePer1kOps: number | null;
  /** Two-sided p-value of "no trend": Mann-Kendall corrected for autocorrelation, joined with a test on the values. */
  trendP: number;
  /**
   * `growing` is a clear upward trend, whatever its size; `flat` means no clear trend and growth above
   * `floorPerMin` ruled out. Whether growth matters is its size against `floorPerMin`, the gate's floor.
   */
  verdict: Verdict;
  /** Growth per minute that matters for this metric (harness/analysis/metricCatalogue.ts), in its unit. */
  floorPerMin?: number;
  first: number;
  last: number;
  max: number;
  /** For plateau: the level reached and when (seconds since start). */
  plateauLevel?: number;
  plateauAtS?: number;
  /**
   * For `growing` that only the tail shows: a rise that started part way through the window, whose one line over the
   * whole window is not clear. Where the tail starts (seconds since start), its own slope per minute and 95% interval.
   */
  lateRise?: { sinceS: number; slopePerMin: number; ciLow: number; ciHigh: number };
  /** For inconclusive: about how many more minutes of samples would decide it. */
  moreMinutesNeeded?: number;
  /** Robust spread of the samples around the fitted line (1.4826 x MAD), in the metric's unit; baselines keep it. */
  noise?: number;
  /** How many steady-state samples the figures rest on. */
  samples?: number;
  /** How many processes (restarts, resumes) or post-snapshot stretches those samples span; each has its own intercept. */
  segments?: number;
}

export interface GateCheck {
  metric: string;
  limit: number;
  observed: number;
  pass: boolean;
  reason: string;
  /** What was checked: growth against the baseline, a budget per minute or per 1,000 operations, or a budgeted metric the run did not measure. */
  kind?: 'baseline' | 'budgetPerMin' | 'budgetPer1kOps' | 'missing';
  /** Close enough to its limit that the gate reruns once to confirm. */
  borderline?: boolean;
}

export interface HeapGrowth {
  name: string;
  countFirst: number;
  countLast: number;
  retainedFirst: number;
  retainedLast: number;
  retainerPath: string[];
}

/** One storm's load over the run (harness/storms/loadCheck.ts); storms are numbered from 1 in the scenario's load order. */
export interface StormLoad {
  storm: number;
  /** Its kind and request, such as `http POST /v1/chat/completions`. */
  label: string;
  sent: number;
  /** Requests finished: answered, failed or timed out (those still in flight when the run stopped are not). */
  requests: number;
  /** Requests not answered 2xx: another status, a socket error or a timeout. */
  errors: number;
  /** errors / requests; null with no request finished. */
  errorShare: number | null;
  /** Operations due while the storm's in-flight cap was reached, so never sent (open loop). */
  skipped: number;
  /** The most common causes of its errors (`HTTP 401`, `timeout`, `ECONNREFUSED`...) and their counts, most common first. */
  errorCauses: Record<string, number>;
  /** The measured minute (from 1, counted from the end of warmup) with the highest error share. */
  worstMinute?: { minute: number; requests: number; errors: number };
}

export interface LoadSummary {
  /** Present when the load failed (exit 5): one sentence naming the storm and why. */
  failed?: string;
  /** The scenario's limit on a minute's error share. */
  maxErrorShare: number;
  storms: StormLoad[];
}

export interface Summary {
  scenario: string;
  target: string;
  durationS: number;
  samples: number;
  interrupted: boolean;
  operations: Record<string, number>;
  /** Each storm's requests, errors and skipped operations, and whether the load failed; absent when no load started. */
  load?: LoadSummary;
  metrics: Record<string, MetricSummary>;
  gate?: { pass: boolean; checks: GateCheck[] };
  /**
   * The scenario's state readings (metrics `state:<name>`): where each comes from, how many samples had it, how
   * many missed it, and the last reason it was missed (this harness process's, so not from before a resume).
   */
  state?: Record<string, { source: 'sqlite' | 'prometheus'; readings: number; missed: number; lastMiss?: string }>;
  /** memlab's diagnosis: `grew` holds only shapes whose growth matters; `heapGrowthBytes` is what there was to explain. */
  heap?: { snapshots: string[]; grew: HeapGrowth[]; duplicates: HeapDuplicates; heapGrowthBytes?: number };
  /** Why the diagnosis the run had reason for was not begun or not finished (`gate`'s time limit came first). */
  diagnosisMissed?: string;
}

// How much of a heap is the same content held more than once (harness/heap/duplicates.ts finds it).
export interface DuplicateGroup {
  /** memlab's shape summary of one copy. */
  shape: string;
  copies: number;
  retainedEach: number;
  /** Bytes that sharing one copy would free: (copies - 1) copies. */
  duplicatedBytes: number;
}

export interface StringDuplicates {
  count: number;
  /** Strings whose value another string already holds. */
  duplicatedCount: number;
  bytes: number;
  duplicatedBytes: number;
  share: number;
}

export interface HeapDuplicates {
  heapBytes: number;
  /** Bytes held by copies of content held elsewhere too (outermost copies only, so nothing counts twice). */
  duplicatedBytes: number;
  /** duplicatedBytes / heapBytes. */
  share: number;
  strings: StringDuplicates;
  top: DuplicateGroup[];
}
