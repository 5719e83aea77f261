// The report's answer, read before anything else: per run one verdict (pass or fail when the gate judged it, else
// growing, flat or inconclusive over the metrics that are judged) with one sentence saying why, and the metrics
// that decided it, whose charts come right after. Pure: a run's summary and metadata in, words and names out.
import { compareMetrics, metricInfo, metricsWith } from '../harness/analysis/metricCatalogue.ts';
import type { GateCheck, MetricSummary, Summary } from '../harness/contracts/summary.ts';
import { formatDuration, formatRate, formatSignedRate, PER_1K_OPS, PER_MIN } from '../harness/analysis/units.ts';
import { currentGrowth } from '../harness/analysis/verdict.ts';

export type VerdictState = 'pass' | 'fail' | 'growing' | 'flat' | 'inconclusive' | 'crashed' | 'no verdict';

export interface RunVerdict {
  state: VerdictState;
  /** One sentence: why. */
  why: string;
  /** The metrics that decided it, whose charts the report shows first. */
  deciding: string[];
}

/** What the verdict reads from a run: its summary, and run.json's `crashed` when the target died. */
export interface VerdictInput {
  summary?: Summary;
  meta?: Record<string, unknown>;
}

/** a, b and c */
function listOf(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const label = (metric: string) => metricInfo(metric).label;

/** One failing check in words: "RSS grows +48.2 MiB/min against a limit of 2.6 MiB/min". */
function failedCheck(c: GateCheck, unit: MetricSummary['unit']): string {
  if (c.kind === 'missing') return `${label(c.metric)} has a budget but was not measured`;
  const per = c.kind === 'budgetPer1kOps' ? PER_1K_OPS : PER_MIN;
  const limit = formatRate(c.limit, unit, per);
  const over = c.kind === 'baseline' || c.kind === undefined ? `the ${limit} the baseline allows` : `its budget of ${limit}`;
  return `${label(c.metric)} grows ${formatSignedRate(c.observed, unit, per)}, over ${over}`;
}

function gateVerdict(summary: Summary, gate: NonNullable<Summary['gate']>): RunVerdict {
  const unitOf = (metric: string) => summary.metrics[metric]?.unit ?? metricInfo(metric).unit;
  const checked = [...new Set(gate.checks.map((c) => c.metric))];
  if (gate.pass) {
    const borderline = gate.checks.filter((c) => c.borderline).map((c) => label(c.metric));
    const close = borderline.length ? `; ${listOf(borderline)} close to the limit` : '';
    return { state: 'pass', why: `${listOf(checked.map(label))} within what the baseline and budgets allow${close}.`, deciding: checked };
  }
  const failed = gate.checks.filter((c) => !c.pass);
  return { state: 'fail', why: `${failed.map((c) => failedCheck(c, unitOf(c.metric))).join('; ')}.`, deciding: [...new Set(failed.map((c) => c.metric))] };
}

/** Without a gate: the metrics the gate would judge, growing above what matters or not. */
function growthVerdict(summary: Summary): RunVerdict {
  const judged = Object.keys(summary.metrics).filter((m) => metricsWith('gated').includes(m) || m.startsWith('file:')).sort(compareMetrics);
  const metric = (m: string) => summary.metrics[m];
  const rate = (m: string) => currentGrowth(metric(m)).slopePerMin;
  const growing = judged.filter((m) => metric(m).verdict === 'growing' && rate(m) > (metric(m).floorPerMin ?? 0));
  if (growing.length > 0) {
    const parts = growing.map((m) => `${label(m)} ${formatSignedRate(rate(m), metric(m).unit)}${metric(m).lateRise ? ' lately' : ''}`);
    return { state: 'growing', why: `${listOf(parts)}, more than matters for ${growing.length === 1 ? 'it' : 'each'}.`, deciding: growing };
  }
  const open = judged.filter((m) => metric(m).verdict === 'inconclusive');
  if (open.length > 0) {
    const minutes = Math.max(...open.map((m) => metric(m).moreMinutesNeeded ?? 0));
    const longer = minutes > 0 ? `: about ${minutes} more ${minutes === 1 ? 'minute' : 'minutes'} would decide` : '';
    return { state: 'inconclusive', why: `nothing grows more than matters, but ${listOf(open.map(label))} ${open.length === 1 ? 'is' : 'are'} not decided${longer}.`, deciding: open };
  }
  if (judged.length === 0) return { state: 'no verdict', why: 'none of the metrics the gate judges was measured.', deciding: [] };
  return { state: 'flat', why: `none of ${listOf(judged.map(label))} grows more than matters.`, deciding: judged };
}

/** The verdict of one run; a crash or a run without summary.json shows its memory, the likeliest cause. */
export function runVerdict(run: VerdictInput): RunVerdict {
  const crashed = run.meta?.crashed as { code?: unknown; signal?: unknown } | undefined;
  const memory = metricsWith('memorySignal');
  if (crashed && typeof crashed === 'object') {
    const how = typeof crashed.signal === 'string' && crashed.signal ? `was killed by ${crashed.signal}` : `exited with code ${String(crashed.code ?? 'unknown')}`;
    const after = run.summary ? ` after ${formatDuration(run.summary.durationS)}` : '';
    return { state: 'crashed', why: `the target ${how}${after}; its last output is under Details.`, deciding: memory };
  }
  if (!run.summary) return { state: 'no verdict', why: 'no summary.json: the run stopped before its analysis, so the charts below are its samples alone.', deciding: memory };
  return run.summary.gate ? gateVerdict(run.summary, run.summary.gate) : growthVerdict(run.summary);
}

/** Whether a chart draws `metric` as one of its own lines or fits its slope. */
export function chartDraws(chart: { id: string; fitMetric?: string }, metric: string): boolean {
  return chart.fitMetric === metric || (metricInfo(metric).charts ?? []).some((c) => c.id === chart.id && !c.comparison);
}
