// For `--stop-when-decided`: may a run end early because every gated metric already has a clear verdict?
// Looking again and again at a growing run inflates false alarms, so a verdict must hold over several looks.
import type { MetricSummary, Verdict } from '../contracts/summary.ts';

export interface Decision {
  decided: boolean;
  /** Gated metrics still inconclusive (or whose verdict changed between looks). */
  undecided: string[];
  /** Gated metrics no sample carried: waiting longer will not decide them, so they do not hold the run. */
  missing: string[];
  /** The longest `moreMinutesNeeded` among the undecided, for the progress line. */
  moreMinutesNeeded: number;
}

/**
 * `history` is the analyses of the run so far, oldest first (say, one every 5 s). Decided when, in each of the
 * last `looks` of them, every gated metric that was measured has the same verdict and it is not inconclusive.
 */
export function isDecided(
  history: Array<Record<string, MetricSummary>>,
  gated: string[],
  opts: { looks?: number } = {},
): Decision {
  const looks = opts.looks ?? 3;
  const recent = history.slice(-looks);
  const latest = recent[recent.length - 1] ?? {};
  const missing = gated.filter((metric) => latest[metric] === undefined);
  const undecided: string[] = [];
  let moreMinutesNeeded = 0;
  for (const metric of gated) {
    if (latest[metric] === undefined) continue;
    const verdicts = new Set<Verdict | undefined>(recent.map((analysis) => analysis[metric]?.verdict));
    if (recent.length < looks || verdicts.size > 1 || verdicts.has('inconclusive')) {
      undecided.push(metric);
      moreMinutesNeeded = Math.max(moreMinutesNeeded, latest[metric].moreMinutesNeeded ?? 0);
    }
  }
  return { decided: undecided.length === 0 && missing.length < gated.length, undecided, missing, moreMinutesNeeded };
}

/**
 * For `gate --stop-when-decided`: the metrics that failed clearly (not borderline) in each of the last `looks`
 * judgements, oldest first. One is enough for the gate's verdict, whatever the other metrics still do.
 */
export function failuresHeld(clearFailures: string[][], looks = 3): string[] {
  const recent = clearFailures.slice(-looks);
  if (recent.length < looks) return [];
  return [...new Set(recent[0])].filter((metric) => recent.every((failed) => failed.includes(metric)));
}
