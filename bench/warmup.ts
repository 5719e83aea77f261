// How long ci-gate's load takes to warm the embedded gateway up, against how long the naive store keeps answering:
// each store run for longer than the gate's 50 s, one at a time. For dedup, the RSS verdict over the whole run and
// over its first 50 s (the gate's window, re-analysed from the same samples), and when RSS reached its plateau; for
// naive, when its storms' requests stop being answered. Together they say which window can show the fix flat and
// the leak alive (docs/ARCHITECTURE.md, "Warm-up"). V8's young generation at the same times says how much of
// the rise is V8 growing it.
// --v8-defaults starts the gateway on V8's defaults (SOAKGATE_GATEWAY_V8_DEFAULTS=1), its young generation small.
// Usage: node --import tsx bench/warmup.ts [--runs 3] [--duration 150s] [--v8-defaults]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeSamples } from '../harness/analysis/analyze.ts';
import { formatRate } from '../harness/analysis/units.ts';
import type { Sample } from '../harness/contracts/sample.ts';
import type { MetricSummary } from '../harness/contracts/summary.ts';
import { loadScenario } from '../harness/scenario/loadScenario.ts';
import { machine } from './machine.ts';
import { soakgateRun } from './soakgateRun.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, duration: { type: 'string', default: '150s' }, 'v8-defaults': { type: 'boolean', default: false } },
});
if (values['v8-defaults']) process.env.SOAKGATE_GATEWAY_V8_DEFAULTS = '1';
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`usage: warmup.ts [--runs N] [--duration D]: --runs must be a whole number, got '${values.runs}'`);
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const SCENARIO = 'scenarios/ci-gate.ts';
/** The window the gate judges: ci-gate's own warmup and duration, in seconds. */
const { warmup: GATE_WARMUP_S, duration: GATE_END_S } = await loadScenario(join(root, SCENARIO));
const dir = mkdtempSync(join(tmpdir(), 'soakgate-bench-warmup-'));

function run(store: string, out: string) {
  const args = ['run', SCENARIO, '--store', store, '--duration', values.duration!, '--snapshots', 'never', '--no-report', '--out', out];
  return soakgateRun(args, out, { withSamples: true });
}

const verdictText = (m: MetricSummary | undefined) => (m ? `${m.verdict} ${formatRate(m.slopePerMin, m.unit)}` : 'not measured');
const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : formatRate(bytes, 'bytes', ''));

/** `metric` of the sample nearest `t` seconds that has it. */
function metricAt(samples: Sample[], metric: string, t: number): number | undefined {
  const live = samples.filter((s) => s.metrics[metric] !== undefined);
  return live.reduce<Sample | undefined>((best, s) => (!best || Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best), undefined)?.metrics[metric];
}

/** `metric` at each of `times`, in MiB, as "a / b / c". */
const levelsAt = (samples: Sample[], metric: string, times: number[]) => times.map((t) => mib(metricAt(samples, metric, t))).join(' / ');

/** The first time from which no request was answered any more (every window after it only failed or timed out). */
function stoppedAnsweringAtS(samples: Sample[]): number | null {
  let last = samples.length - 1;
  while (last >= 0 && samples[last].window.requests <= samples[last].window.errors) last--;
  const unanswered = samples.slice(last + 1);
  return unanswered.some((s) => s.window.errors > 0) ? unanswered[0].t : null;
}

/** The slowest p99 latency of the windows around `t` seconds (within 5 s). */
function p99Near(samples: Sample[], t: number): string {
  const p99s = samples.filter((s) => Math.abs(s.t - t) <= 5 && s.window.latencyP99Ms !== null).map((s) => s.window.latencyP99Ms!);
  return p99s.length > 0 ? `${(Math.max(...p99s) / 1000).toFixed(1)} s` : 'none answered';
}

const began = new Date().toISOString();
const dedupRows: string[] = [];
const naiveRows: string[] = [];
try {
  for (let i = 1; i <= runs; i++) {
    const dedup = await run('dedup', join(dir, `dedup-${i}`));
    const whole = dedup.summary?.metrics.rssBytes;
    const gateWindow = analyzeSamples(dedup.samples.filter((s) => s.t <= GATE_END_S), { warmupS: GATE_WARMUP_S }).rssBytes;
    const plateau = whole?.plateauAtS !== undefined ? `${whole.plateauAtS.toFixed(0)} s at ${mib(whole.plateauLevel)}` : '-';
    const times = [GATE_WARMUP_S, GATE_END_S, 90, 140];
    dedupRows.push(
      `| ${i} | ${dedup.code} | ${verdictText(gateWindow)} | ${verdictText(whole)} | ${plateau} | ${levelsAt(dedup.samples, 'rssBytes', times)} | ${levelsAt(dedup.samples, 'youngGenerationBytes', times)} |`,
    );
    const naive = await run('naive', join(dir, `naive-${i}`));
    const stopped = stoppedAnsweringAtS(naive.samples);
    naiveRows.push(`| ${i} | ${naive.code} | ${p99Near(naive.samples, GATE_END_S)} | ${stopped === null ? 'answered to the end' : `${stopped.toFixed(0)} s`} | ${mib(metricAt(naive.samples, 'rssBytes', GATE_END_S))} | ${levelsAt(naive.samples, 'youngGenerationBytes', [0, GATE_WARMUP_S])} |`);
    console.error(`run ${i} of ${runs} done`);
  }
  const v8 = values['v8-defaults'] ? "the gateway on V8's defaults" : "the gateway's young generation at full size";
  console.log(`bench:warmup: ${SCENARIO} for ${values.duration} per store, one run at a time, ${v8}; ${machine()}; from ${began}\n`);
  console.log(`| dedup run | exit | RSS over the gate's window (${GATE_WARMUP_S}-${GATE_END_S} s) | RSS over the whole run | plateau reached | RSS at ${GATE_WARMUP_S} / ${GATE_END_S} / 90 / 140 s | young generation at the same times |`);
  console.log('| ---: | ---: | --- | --- | --- | --- | --- |');
  for (const row of dedupRows) console.log(row);
  console.log('');
  console.log(`| naive run | exit | slowest p99 latency near ${GATE_END_S} s | stops answering at | RSS at ${GATE_END_S} s | young generation at its first sample / ${GATE_WARMUP_S} s |`);
  console.log('| ---: | ---: | --- | --- | --- | --- |');
  for (const row of naiveRows) console.log(row);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
