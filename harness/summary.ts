// summary.json: the verdicts of one run. Other tools read it, so its field names are a contract (DESIGN.md).

export type Verdict = 'growing' | 'flat' | 'plateau' | 'inconclusive';

export interface MetricSummary {
  unit: 'bytes' | 'count' | 'ms' | 'percent';
  slopePerMin: number;
  ciLow: number;
  ciHigh: number;
  slopePer1kOps: number | null;
  trendP: number;
  verdict: Verdict;
  first: number;
  last: number;
  max: number;
  /** For plateau: the level reached and when (seconds since start). */
  plateauLevel?: number;
  plateauAtS?: number;
  /** For inconclusive: about how many more minutes of samples would decide it. */
  moreMinutesNeeded?: number;
}

export interface GateCheck {
  metric: string;
  limit: number;
  observed: number;
  pass: boolean;
  reason: string;
}

export interface HeapGrowth {
  name: string;
  countFirst: number;
  countLast: number;
  retainedFirst: number;
  retainedLast: number;
  retainerPath: string[];
}

export interface Summary {
  scenario: string;
  target: string;
  durationS: number;
  samples: number;
  interrupted: boolean;
  operations: Record<string, number>;
  metrics: Record<string, MetricSummary>;
  gate?: { pass: boolean; checks: GateCheck[] };
  heap?: { snapshots: string[]; grew: HeapGrowth[]; duplicates: unknown };
}
