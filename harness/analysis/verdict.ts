// The verdict on one metric: growing, flat, plateau or inconclusive. Growing needs a clear trend; flat needs no
// clear trend and the interval to rule out growth that matters (the floor); anything else is inconclusive, with an
// estimate of how much longer the run would have to be to decide.
import type { MetricSummary, Verdict } from '../contracts/summary.ts';
import { formatDuration, formatQuantity, formatRate, MiB } from './units.ts';
import { normalQuantile } from './normal.ts';
import type { Plateau } from './plateau.ts';
import type { LateRise } from './lateRise.ts';

/** Two-sided level of the trend test for `growing`: a CI gate must not cry wolf, so stricter than 5%. */
export const GROWTH_ALPHA = 0.01;
/** Below this, the rank test and the autocorrelation estimate have too little to go on: inconclusive. */
export const MIN_SAMPLES = 10;

export interface VerdictInput {
  slopePerMin: number;
  /** The 95% interval of the slope. */
  ciLow: number;
  ciHigh: number;
  trendP: number;
  floorPerMin: number;
  /** Time spanned by the analysed samples. */
  durationS: number;
  samples: number;
  plateau: Plateau | null;
  /** A tail that rises clearly on its own after a bend the whole window's line does not see (harness/analysis/lateRise.ts). */
  lateRise?: LateRise | null;
}

export interface VerdictResult {
  verdict: Verdict;
  moreMinutesNeeded?: number;
}

/** Minutes rounded up to the next half minute, at least half a minute: "about how many more". */
function aboutMinutes(seconds: number): number {
  return Math.max(0.5, Math.ceil(seconds / 30) / 2);
}

/** The trend test's `growing`: significant at GROWTH_ALPHA, upward, and its interval above zero. */
export function clearGrowth(p: number, slope: number, ciLow: number): boolean {
  return p < GROWTH_ALPHA && slope > 0 && ciLow > 0;
}

/**
 * The rate a series grows at now, as every reader of a verdict takes it: a late rise's own slope and interval where
 * it has one (the whole window's line runs across its bend), else the whole window's (docs/ARCHITECTURE.md, "Verdicts").
 */
export function currentGrowth(m: MetricSummary): { slopePerMin: number; ciLow: number; ciHigh: number } {
  return m.lateRise ?? m;
}

export function decideVerdict(input: VerdictInput): VerdictResult {
  const { slopePerMin: slope, ciLow, ciHigh, floorPerMin: floor, durationS, samples } = input;
  if (samples < MIN_SAMPLES) {
    const intervalS = samples >= 2 && durationS > 0 ? durationS / (samples - 1) : 1;
    return { verdict: 'inconclusive', moreMinutesNeeded: aboutMinutes((MIN_SAMPLES - samples) * intervalS) };
  }
  if (input.plateau) return { verdict: 'plateau' };
  // A clear trend is `growing` however small: 100 KB/min is 144 MB a day on a gateway that runs for weeks. Whether
  // it matters is the floor's business (the gate's, and the label's "under the N/min that matters"); `flat` is
  // kept for no clear trend with growth above the floor ruled out.
  if (clearGrowth(input.trendP, slope, ciLow) || input.lateRise) return { verdict: 'growing' };
  if (ciHigh < floor) return { verdict: 'flat' };
  // A slope's interval narrows as duration^-1.5 (more samples, and a longer lever arm): solve for the duration
  // at which it would exclude zero at the test's level, or fall under the floor, whichever comes first.
  const halfWidth = (ciHigh - ciLow) / 2;
  const halfWidthAtAlpha = halfWidth * (normalQuantile(1 - GROWTH_ALPHA / 2) / normalQuantile(0.975));
  const needed: number[] = [];
  if (slope > 0) needed.push(durationS * (halfWidthAtAlpha / slope) ** (2 / 3));
  if (slope < floor) needed.push(durationS * (halfWidth / (floor - slope)) ** (2 / 3));
  return { verdict: 'inconclusive', moreMinutesNeeded: aboutMinutes(Math.min(...needed) - durationS) };
}

/**
 * For clear growth under the floor that matters: what the label adds so `growing` is read right ("under the
 * 500.0 KiB/min that matters; 137.3 MiB a day"). Null for any other verdict or growth that matters.
 */
export function underFloorNote(m: MetricSummary): string | null {
  const slope = currentGrowth(m).slopePerMin;
  if (m.verdict !== 'growing' || m.floorPerMin === undefined || slope > m.floorPerMin) return null;
  const perDay = formatRate(slope * 60 * 24, m.unit, ' a day');
  return `under the ${formatRate(m.floorPerMin, m.unit)} that matters; ${perDay}`;
}

/**
 * For `growing` that only the window's tail shows: what the label adds, since the slope beside it is the whole
 * window's ("rising since 5 min 0 s at 3.9 MiB/min, 95% CI 2.1 MiB/min to 5.6 MiB/min; slower before it";
 * docs/ARCHITECTURE.md, "Verdicts"). Null otherwise.
 */
export function lateRiseNote(m: MetricSummary): string | null {
  if (m.verdict !== 'growing' || !m.lateRise) return null;
  const { sinceS, slopePerMin, ciLow, ciHigh } = m.lateRise;
  const rate = (v: number) => formatRate(v, m.unit);
  return `rising since ${formatDuration(sinceS)} at ${rate(slopePerMin)}, 95% CI ${rate(ciLow)} to ${rate(ciHigh)}; slower before it`;
}

/** What a growing series' label says of its rate, first its late rise, then how it stands to the floor that matters. */
export function growthNotes(m: MetricSummary): string[] {
  return [lateRiseNote(m), underFloorNote(m)].filter((note) => note !== null);
}

/** The RSS series, part of whose rise V8's young generation growing to its limit can be. */
const RSS_SERIES = new Set(['rssBytes', 'rssSettledBytes', 'treeRssBytes']);
/**
 * V8 grows the young generation by doubling it; less than half again (OpenClaw's, on Node 26, moves between 62.8 and
 * 64.0 MiB as V8 resizes it by pages) or under 1 MiB is not that warm-up.
 */
const YOUNG_GROWTH_RATIO = 1.5;
const YOUNG_GROWTH_NOTED = 1 * MiB;

/**
 * For an RSS series that is not flat, in a window where V8 grew the target's young generation: what the label
 * adds, so that one-time, bounded warm-up is not read as a leak ("V8's young generation grew 16.0 MiB -> 32.0 MiB in
 * this window: a bounded warm-up that RSS includes"; docs/ARCHITECTURE.md, "Warm-up"). Null otherwise.
 */
export function youngGenerationNote(name: string, metrics: Record<string, MetricSummary>): string | null {
  const young = metrics.youngGenerationBytes;
  const rss = metrics[name];
  if (!RSS_SERIES.has(name) || !rss || rss.verdict === 'flat' || !young) return null;
  if (young.max - young.first < YOUNG_GROWTH_NOTED || young.max < young.first * YOUNG_GROWTH_RATIO) return null;
  return `V8's young generation grew ${formatQuantity(young.first, 'bytes')} -> ${formatQuantity(young.max, 'bytes')} in this window: a bounded warm-up that RSS includes`;
}

/** The RSS series whose growth the main heap's share of it qualifies: the main process's, raw and settled. */
const MAIN_RSS_SERIES = new Set(['rssBytes', 'rssSettledBytes']);

/**
 * For an RSS series growing more than matters, where most of the settled RSS's growth is outside the main thread's
 * V8 heap: what the label adds, so that the heap diagnosis is not read as the whole story ("80.0 MiB/min of the
 * settled RSS's 85.0 MiB/min is outside the main heap: worker threads, ..."; docs/ARCHITECTURE.md, "Outside the main
 * heap"). Null otherwise.
 */
export function outsideHeapNote(name: string, metrics: Record<string, MetricSummary>): string | null {
  const rss = metrics[name];
  const settled = metrics.rssSettledBytes;
  const outside = metrics.rssOutsideHeapBytes;
  if (!MAIN_RSS_SERIES.has(name) || !rss || !settled || !outside) return null;
  if (rss.verdict !== 'growing' || currentGrowth(rss).slopePerMin <= (rss.floorPerMin ?? 0)) return null;
  // Measured against the settled RSS it is part of: raw RSS's slope carries the transient swings. The whole window's
  // slopes of both, a late rise of one or the other being no measure of the other's share.
  if (outside.slopePerMin < settled.slopePerMin / 2) return null;
  return `${formatRate(outside.slopePerMin, 'bytes')} of the settled RSS's ${formatRate(settled.slopePerMin, 'bytes')} is outside the main heap: worker threads, buffers and native memory, which a heap snapshot of the main thread does not show`;
}

/** Every note `name`'s label carries after its verdict, in the order they are read: the CLI's and the report's. */
export function labelNotes(name: string, metrics: Record<string, MetricSummary>): string[] {
  const m = metrics[name];
  return [...(m ? growthNotes(m) : []), youngGenerationNote(name, metrics), outsideHeapNote(name, metrics)].filter((note) => note !== null);
}
