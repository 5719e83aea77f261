// The OpenClaw example (scenarios/openclaw.ts) run once as a user runs it, and what BENCHMARKS.md and the README
// record of it: OpenClaw's start-up time, the verdicts and slopes of its RSS (main process, settled, whole process
// tree) and heap, its SQLite rows per minute, soakgate's own RSS over the run, the load, and whether the example
// did what it promises (process tree, heap floor and session rows sampled; RSS and heap decided within the run).
// Takes the scenario's 10 minutes plus OpenClaw's start and any diagnosis, and both cores.
// Usage: npm run bench:openclaw [-- --duration 10m] [--snapshots auto|never] [--out DIR] [--screenshot FILE.png]
// Or on a run folder it left, its samples analysed again by this checkout: npm run bench:openclaw -- --from DIR
// [--warmup S] (S: seconds from the start left out as warmup, to read one run as if its warmup had been longer).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { growthNotes } from '../harness/analysis/verdict.ts';
import { formatDuration, formatRate } from '../harness/analysis/units.ts';
import { defaultRunDir, type RunMeta } from '../harness/run/runFolder.ts';
import type { MetricSummary, Summary } from '../harness/contracts/summary.ts';
import { analyzeSamples } from '../harness/analysis/analyze.ts';
import { parseSamples, type Sample } from '../harness/contracts/sample.ts';
import { machine } from './machine.ts';
import { soakgateRun } from './soakgateRun.ts';
import { screenshot } from './screenshot.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    snapshots: { type: 'string', default: 'auto' },
    out: { type: 'string' },
    screenshot: { type: 'string' },
    from: { type: 'string' },
    warmup: { type: 'string', default: '0' },
  },
});
const root = new URL('..', import.meta.url).pathname;
// Seconds from the start left out as warmup when a run folder is read again; the samples' phases mark the run's own.
const warmupS = Number(values.warmup);
if (!Number.isFinite(warmupS) || warmupS < 0) throw new Error(`--warmup takes seconds, such as 90: got ${values.warmup}`);
if (warmupS > 0 && !values.from) throw new Error('--warmup reads a finished run again: give it with --from DIR');
const out = resolve(values.from ?? values.out ?? defaultRunDir('openclaw', 'bench', new Date(), join(root, 'runs')));
// The memory the example must decide on: RSS (raw, or its settled series, which the gate judges too) and the heap
// floor; then what explains it, then the state it keeps and the harness itself.
const DECIDED: Record<string, string[]> = { RSS: ['rssBytes', 'rssSettledBytes'], 'the heap floor': ['heapFloorBytes'] };
const METRICS = [
  'rssBytes', 'rssSettledBytes', 'rssOutsideHeapBytes', 'treeRssBytes', 'heapFloorBytes', 'heapUsedBytes',
  'workerThreads', 'workerHeapBytes', 'workerHeapFloorBytes',
  'state:sessionRows', 'state:transcriptEvents', 'state:cronRuns', 'state:subagentRuns', 'state:agentDbBytes', 'harnessRssBytes',
];
const SAMPLED = ['treeRssBytes', 'heapFloorBytes', 'state:sessionRows'];

const { code, summary, began } = values.from ? reanalyzed(out) : await runOnce();
if (!summary) {
  console.error(`bench:openclaw: the run left no summary.json (soakgate exited ${code}); see ${out}`);
  process.exit(code === 2 ? 2 : 1);
}
const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunMeta;

const how = values.from ? `re-analysed by this checkout (${process.argv[1]})` : `soakgate exit ${code}`;
console.log(`bench:openclaw: ${summary.scenario} for ${summary.durationS} s from ${began}, ${how}; ${machine()}\n`);
console.log(`OpenClaw start to ready (listening, then /readyz answering): ${((meta.targetStartupMs ?? 0) / 1000).toFixed(1)} s\n`);
console.log('| metric | verdict | slope per minute [95% interval] | first -> last (max) | samples |');
console.log('| --- | --- | --- | --- | ---: |');
for (const metric of METRICS) {
  const m = summary.metrics[metric];
  if (m) console.log(`| ${metric} | ${verdictText(m)} | ${formatRate(m.slopePerMin, m.unit)} [${formatRate(m.ciLow, m.unit)}, ${formatRate(m.ciHigh, m.unit)}] | ${level(m, m.first)} -> ${level(m, m.last)} (${level(m, m.max)}) | ${m.samples ?? ''} |`);
  else console.log(`| ${metric} | not sampled | | | |`);
}
console.log('');
for (const storm of summary.load?.storms ?? []) {
  const causes = Object.entries(storm.errorCauses).map(([cause, n]) => `${cause} ${n}`).join(', ');
  console.log(`- load: storm ${storm.storm} (${storm.label}): ${storm.requests} finished, ${storm.errors} errors${causes ? ` (${causes})` : ''}, ${storm.skipped} skipped`);
}
if (summary.load?.failed) console.log(`- load failed: ${summary.load.failed}`);
console.log(`- operations: ${Object.entries(summary.operations).map(([op, n]) => `${op} ${n}`).join(', ')}`);
for (const process of meta.processTree ?? []) {
  console.log(`- process ${process.pid} (peak ${formatRate(process.peakRssBytes, 'bytes', '')}, seen ${process.firstSeenS}-${process.lastSeenS} s): ${process.command.slice(0, 140)}`);
}
// The measured window's samples, read once for the lines below.
const measured = parseSamples(readFileSync(join(out, 'samples.jsonl'), 'utf8')).samples.filter((s) => s.phase === 'load' && s.t >= warmupS && s.t <= summary.durationS);
console.log(`- ${settledReadings(measured)}`);
console.log(`- ${workerThreads(measured)}`);
console.log(`- ${whereRssWent(measured)}`);
const top = summary.heap?.grew[0];
console.log(`- diagnosis: ${summary.heap ? (top ? `${top.name} grew (${top.countFirst} -> ${top.countLast} objects)` : 'nothing that grew explains the growth') : 'none'}`);

const decided = (metric: string) => summary.metrics[metric] !== undefined && summary.metrics[metric].verdict !== 'inconclusive';
const undecided = Object.entries(DECIDED).filter(([, metrics]) => !metrics.some(decided)).map(([what, metrics]) => `${what}: ${metrics.join(', ')} inconclusive`);
const unsampled = SAMPLED.filter((metric) => !summary.metrics[metric]?.samples);
console.log(`- done when: ${SAMPLED.join(', ')} sampled: ${unsampled.length === 0 ? 'yes' : `no (${unsampled.join(', ')} missing)`}; ` +
  `${Object.entries(DECIDED).map(([what, metrics]) => `${what} (${metrics.join(' or ')})`).join(' and ')} decided: ${undecided.length === 0 ? 'yes' : `no (${undecided.join('; ')})`}`);
console.log(`- run folder: ${out}`);

// The top of the report (the verdict, then RSS, the process tree and the heap), as the README shows it.
if (values.screenshot) await screenshot(join(out, 'report.html'), resolve(values.screenshot), { width: 1280, height: 1900 });
process.exit(unsampled.length === 0 && undecided.length === 0 ? 0 : 1);

/** One run of the example, its own lines on stderr so that stdout holds only the figures. */
async function runOnce(): Promise<{ code: number | null; summary: Summary | null; began: string }> {
  const args = ['run', 'scenarios/openclaw.ts', '--out', out, '--snapshots', values.snapshots!];
  if (values.duration) args.push('--duration', values.duration);
  const began = new Date().toISOString();
  const { code, summary } = await soakgateRun(args, out, { stdio: ['ignore', process.stderr, process.stderr] });
  return { code, summary, began };
}

/** A finished run's summary with its metrics analysed again from samples.jsonl, as this checkout analyses them. */
function reanalyzed(dir: string): { code: number | null; summary: Summary | null; began: string } {
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
  const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunMeta;
  const samples = parseSamples(readFileSync(join(dir, 'samples.jsonl'), 'utf8')).samples;
  return { code: null, summary: { ...summary, metrics: analyzeSamples(samples, { warmupS }) }, began: meta.startedAt };
}

function verdictText(m: MetricSummary): string {
  const held = m.plateauLevel !== undefined && m.plateauAtS !== undefined ? [`at ${level(m, m.plateauLevel)} from ${formatDuration(m.plateauAtS)}`] : [];
  const notes = [...held, ...growthNotes(m)];
  return notes.length ? `${m.verdict} (${notes.join('; ')})` : m.verdict;
}

/**
 * How many settled readings reached the measured window and what their full collections cost OpenClaw: each pauses
 * it for seconds, longer than a sample waits, so every one of them arrives late (docs/ARCHITECTURE.md, "Settled
 * samples").
 */
function settledReadings(window: Sample[]): string {
  const pauses = window.map((s) => s.metrics.settlePauseMs).filter((ms): ms is number => ms !== undefined && ms > 0).sort((a, b) => a - b);
  if (window.length < 2 || pauses.length === 0) return 'settled readings: none in the measured window';
  const spanS = window[window.length - 1].t - window[0].t;
  const pausedS = pauses.reduce((sum, ms) => sum + ms, 0) / 1000;
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  return `settled readings: ${pauses.length} in the measured window, each pausing OpenClaw ${seconds(pauses[0])}-${seconds(pauses[pauses.length - 1])} s ` +
    `(median ${seconds(pauses[pauses.length >> 1])} s; ${Math.round((100 * pausedS) / spanS)}% of the window)`;
}

/** How many worker threads OpenClaw kept and started in the measured window (docs/ARCHITECTURE.md, "Worker threads"). */
function workerThreads(measured: Sample[]): string {
  const window = measured.filter((s) => s.metrics.workerThreads !== undefined);
  if (window.length === 0) return 'worker threads: not sampled';
  const live = window.map((s) => s.metrics.workerThreads);
  const started = window.slice(1).reduce((sum, s) => sum + (s.metrics.workersStarted ?? 0), 0);
  const minutes = (window[window.length - 1].t - window[0].t) / 60;
  return `worker threads: ${Math.min(...live)}-${Math.max(...live)} alive at a sample, ${started} started in the measured window (${(started / minutes).toFixed(1)} a minute)`;
}

/**
 * What the settled RSS held at each settled reading of the measured window: the main thread's heap (its pages in
 * memory in that sample), the worker threads' heaps (after their collections) and the rest, outside every V8 heap:
 * first third against last third, medians (docs/ARCHITECTURE.md, "Worker threads", "Outside the main heap").
 */
function whereRssWent(window: Sample[]): string {
  const points = window
    .map((s) => s.metrics)
    .filter((m) => m.rssOutsideHeapBytes !== undefined && m.workerHeapFloorBytes !== undefined);
  if (points.length < 6) return `where the settled RSS went: ${points.length} settled readings with the workers' heaps, too few`;
  const third = Math.floor(points.length / 3);
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
  const parts: Array<[string, (m: Record<string, number>) => number]> = [
    ['settled RSS', (m) => m.rssSettledBytes],
    ["main thread's heap", (m) => m.heapPhysicalBytes],
    ["worker threads' heaps", (m) => m.workerHeapFloorBytes],
    // The sampler's rssOutsideHeapBytes is the settled RSS less the main heap; less the workers' too, here.
    ['outside every V8 heap', (m) => m.rssOutsideHeapBytes - m.workerHeapFloorBytes],
  ];
  const mib = (bytes: number) => formatRate(bytes, 'bytes', '');
  const read = points.map((m) => m.workerHeapsRead ?? 0);
  return `where the settled RSS went (${points.length} settled readings, medians of the first and last third; workers read ${Math.min(...read)}-${Math.max(...read)} of ${median(points.map((m) => m.workerThreads ?? 0))} live): ` +
    parts.map(([what, of]) => `${what} ${mib(median(points.slice(0, third).map(of)))} -> ${mib(median(points.slice(-third).map(of)))}`).join(', ');
}

function level(m: MetricSummary, value: number): string {
  return formatRate(value, m.unit, '');
}
