// What the probe with settled readings costs a target (the goal: at most 2% of its throughput), measured side by side:
// two copies of the same server, one plain (A) and one with the injected probe asked for a settled reading every
// `--settle-s` (B), both pinned together on the last core (the kernel's scheduler shares it between them) and each
// loaded by its own generator in this process on the first core, at the same time, for the whole measurement:
// machine noise hits both alike, and the probed server is never idle, so it is never settled in an idle gap that
// the next counted window pays for (the old design's artefact, BENCHMARKS.md). After at least `--warm-s` not
// counted, consecutive windows each give a throughput ratio (B / A) and each server's CPU per request. A window is
// a whole number of settle intervals, so every window holds the same number of settles.
// Three loads (bench/probeLoad.ts): full speed (meant to saturate, where the probe defers its settles and the cost
// is its watching; the bench shows whether it did), paced well under capacity (throughput cannot drop: CPU per
// request and latency p99 tell the cost) and a closed loop with think time in between (settles land and
// throughput can drop). An A/A pair (no probe on either) run the same way shows the design's own error.
// Run: node --import tsx bench/probe.ts [--target tiny,gateway] [--load full,paced,closed] [--aa closed|none]
//        [--settle-s <the default settleInterval, 30>] [--windows N] [--window-s <a multiple of settle-s>]
//        [--warm-s 5] [--interval-ms 1000] [--connections N] [--think-ms N] [--pairs N]
// --pairs runs each pair N times, each time with fresh servers: at full speed two plain copies differ by up to about
// 3 points for the life of the pair, so one pair cannot tell 2% from nothing there; the mean over N pairs can.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pidusage from 'pidusage';
import { median } from '../harness/analysis/theilSen.ts';
import { ProbeClient } from '../harness/probe/probeClient.ts';
import { DEFAULT_SETTLE_INTERVAL_S } from '../harness/scenario/schema.ts';
import type { Sample } from '../harness/contracts/sample.ts';
import { Sampler } from '../harness/sampling/sampler.ts';
import { CommandTarget, type CommandTargetSpec } from '../harness/target/commandTarget.ts';
import { gatewayReadings, gatewaySessionsFile, gatewayTargetSpec } from '../harness/target/gatewayTarget.ts';
import { loadAverage, machine, machineFacts } from './machine.ts';
import { startLoad, type LoadKind, type LoadSpec, type LoadWindow } from './probeLoad.ts';

type TargetKind = 'tiny' | 'gateway';

// Per target, what each load sends. Full speed: 50 connections, each sending again as soon as it is answered. Closed
// loop: 100 users thinking 50 ms between an answer and their next request, at most 2,000 req/s per server, chosen on
// this machine (both servers sharing one core with other engineers' work) to land between the paced load and full
// speed; the bench prints the event-loop utilization it reached.
const LOADS: Record<TargetKind, Record<LoadKind, LoadSpec>> = {
  tiny: {
    full: { kind: 'full', connections: 50 },
    paced: { kind: 'paced', connections: 10, rate: 1000 },
    closed: { kind: 'closed', connections: 100, thinkMs: 50 },
  },
  gateway: {
    full: { kind: 'full', connections: 50 },
    paced: { kind: 'paced', connections: 10, rate: 500 },
    closed: { kind: 'closed', connections: 100, thinkMs: 50 },
  },
};

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'tiny,gateway' },
    load: { type: 'string', default: 'full,paced,closed' },
    aa: { type: 'string', default: 'closed' },
    'settle-s': { type: 'string', default: String(DEFAULT_SETTLE_INTERVAL_S) },
    windows: { type: 'string' },
    'window-s': { type: 'string' },
    'warm-s': { type: 'string', default: '5' },
    'interval-ms': { type: 'string', default: '1000' },
    connections: { type: 'string' },
    'think-ms': { type: 'string' },
    pairs: { type: 'string', default: '1' },
  },
});
const targets = list(values.target, ['tiny', 'gateway'] as const, '--target');
const loads = list(values.load, ['full', 'paced', 'closed'] as const, '--load');
const aaLoads = values.aa === 'none' ? [] : list(values.aa, ['full', 'paced', 'closed'] as const, '--aa');
const settleS = Number(values['settle-s']);
const windowS = values['window-s'] ? Number(values['window-s']) : settleS > 0 ? settleS * Math.ceil(10 / settleS) : 10;
// About 80 s counted per case, and never fewer than three windows: eight cases stay within about 15 minutes.
const windows = values.windows ? Number(values.windows) : Math.max(3, Math.round(80 / windowS));
const warmS = Number(values['warm-s']);
const intervalMs = Number(values['interval-ms']);
const pairsPerCase = Number(values.pairs);
if (!Number.isInteger(pairsPerCase) || pairsPerCase < 1) throw new Error(`--pairs takes a whole number, got '${values.pairs}'`);
// Overrides for every load of the run, to find a closed loop's think time on another machine.
for (const kind of targets) {
  for (const load of Object.values(LOADS[kind])) {
    if (values.connections) load.connections = Number(values.connections);
    if (values['think-ms'] && load.kind === 'closed') load.thinkMs = Number(values['think-ms']);
  }
}
if (settleS > 0 && Math.abs(windowS / settleS - Math.round(windowS / settleS)) > 1e-9) {
  throw new Error(`--window-s (${windowS}) must be a whole number of settle intervals (${settleS} s)`);
}

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value.split(',').filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`${flag} takes ${allowed.join(', ')}; got '${item}'`);
  return items as T[];
}

// Read before pinning: nproc answers for this process's cores.
const machineAtStart = machineFacts();
const loadAtStart = loadAverage();
// The generator (this process) on the first core, the servers together on the last.
const pinned = os.cpus().length >= 2 && hasTaskset();
if (pinned) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
const serverCores = pinned ? ['taskset', '-c', String(os.cpus().length - 1)] : [];

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// With the kernel's autogroups on, CPU time is shared between sessions whatever each process's nice value, and each
// target runs in a session of its own: the servers' sessions and this one (the generator's, restored at the end)
// take this process's niceness (root only; otherwise each session gets an equal share).
function shareCpuAsThisProcess(pid: number | 'self'): string | null {
  try {
    const before = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1] ?? null;
    writeFileSync(`/proc/${pid}/autogroup`, String(os.getPriority()));
    return before;
  } catch {
    return null;
  }
}
const generatorNiceBefore = shareCpuAsThisProcess('self');
function restoreSessionNice(): void {
  if (generatorNiceBefore !== null) writeFileSync('/proc/self/autogroup', generatorNiceBefore);
}
// The session is the caller's shell too: Ctrl-C or a kill must not leave it at this niceness (the servers are
// stopped by their watchdog when this process dies).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    restoreSessionNice();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

/** One side of a pair: its server, its sampler, and what the sampler saw in the current counted window. */
interface Side {
  target: CommandTarget;
  sampler: Sampler;
  seen: Seen;
}

/** What a side's sampler saw in the current counted window. */
interface Seen {
  settles: number;
  deferred: number;
  utilization: number[];
  settlePausesMs: number[];
}

const nothingSeen = (): Seen => ({ settles: 0, deferred: 0, utilization: [], settlePausesMs: [] });

interface WindowFigures {
  requestsPerS: [number, number];
  cpuMsPer1k: [number, number];
  cpuPercent: [number, number];
  /** The main thread's time running or runnable and waiting for a CPU, % of the window (Linux schedstat). */
  demandPercent: [number, number];
  settles: number;
  deferred: number;
}

interface CaseResult {
  target: TargetKind;
  load: LoadSpec;
  /** 'A/B': plain and probed; 'A/A': plain and plain. */
  pair: 'A/B' | 'A/A';
  /** Which of the `--pairs` pairs of fresh servers, from 0. */
  round: number;
  windows: WindowFigures[];
  totals: { answers: [number, number]; cpuMs: [number, number]; errors: number; seconds: number };
  latencyP99Ms: [number, number];
  utilization: number[];
  generatorCpuPercent: number;
  settlePausesMs: number[];
}

const dir = mkdtempSync(join(os.tmpdir(), 'soakgate-bench-probe-'));
const probe = await ProbeClient.listen();
const startedAtMs = Date.now();

function targetSpec(kind: TargetKind, label: string, dataDir: string, env: Record<string, string>): CommandTargetSpec {
  if (kind === 'gateway') {
    const spec = gatewayTargetSpec({ store: 'naive', dataDir, seedState: true, cronJobs: 0 }, { env });
    return { ...spec, argv: [...serverCores, ...spec.argv], label };
  }
  const server = new URL('../test/fixtures/tinyServer.mjs', import.meta.url).pathname;
  return { label, argv: [...serverCores, process.execPath, server], env, ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/ };
}

const requestPath = (kind: TargetKind) => (kind === 'gateway' ? '/healthz' : '/');

async function startSide(kind: TargetKind, label: string, probed: boolean): Promise<Side> {
  const dataDir = join(dir, `${kind}-${label}`);
  const target = new CommandTarget(targetSpec(kind, label, dataDir, probed ? probe.targetEnv('') : {}));
  await target.start();
  shareCpuAsThisProcess(target.pid!);
  if (probed && !(await probe.waitFor(target.pid!, 5_000))) throw new Error(`${label}: the probe did not connect`);
  // Assigned before the sampler starts, so before its first sample.
  let side: Side;
  // Both servers are sampled as in a run (the gateway's GET /v1/stats included); only a probed one answers the probe.
  const sampler = new Sampler({
    file: join(dir, `${kind}-${label}.jsonl`),
    intervalMs,
    startedAtMs,
    target: () => ({ pid: target.pid, baseUrl: target.baseUrl }),
    probe,
    settleEveryMs: probed ? settleS * 1000 : 0,
    readings: kind === 'gateway' ? gatewayReadings(gatewaySessionsFile(dataDir)) : undefined,
    ops: { totals: () => ({}), takeWindow: () => ({ requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null }) },
    phase: () => 'load',
    onSample: (sample: Sample) => {
      if (sample.metrics.settlePauseMs !== undefined) {
        side.seen.settles++;
        side.seen.settlePausesMs.push(sample.metrics.settlePauseMs);
      }
      if (sample.metrics.settlesDeferred !== undefined) side.seen.deferred++;
      if (sample.metrics.eventLoopUtilization !== undefined) side.seen.utilization.push(sample.metrics.eventLoopUtilization);
    },
  });
  side = { target, sampler, seen: nothingSeen() };
  sampler.start();
  return side;
}

async function stopSide(side: Side): Promise<void> {
  await side.sampler.stop();
  await side.target.stop();
  await side.target.close();
}

const cpuMs = async (side: Side) => (await pidusage(side.target.pid!)).ctime;

/** The main thread's nanoseconds on a CPU plus waiting in a run queue (/proc/<pid>/schedstat), NaN where unreadable. */
function runnableNs(side: Side): number {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${side.target.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return onCpu + waiting;
  } catch {
    return NaN;
  }
}

async function measure(kind: TargetKind, pair: 'A/B' | 'A/A', round: number, sides: [Side, Side], load: LoadSpec): Promise<CaseResult> {
  const running = sides.map((side) => startLoad(`${side.target.baseUrl}${requestPath(kind)}`, load));
  try {
    await sleep(warmS * 1000);
    // No need to start on the settle grid: a settle whose re-warming runs past its window's end is matched by the
    // one before the window, whose re-warming runs into it, since the load never stops.
    for (const load of running) load.takeWindow();
    for (const side of sides) side.seen = nothingSeen();
    let cpuBefore = await Promise.all(sides.map(cpuMs));
    let runnableBefore = sides.map(runnableNs);
    const generatorBefore = process.cpuUsage();
    let windowStartedMs = Date.now();
    const firstWindowMs = windowStartedMs;
    const figures: WindowFigures[] = [];
    const latencies: [number[], number[]] = [[], []];
    const totals = { answers: [0, 0] as [number, number], cpuMs: [0, 0] as [number, number], errors: 0, seconds: 0 };
    const utilization: number[] = [];
    const settlePausesMs: number[] = [];
    for (let index = 1; index <= windows; index++) {
      await sleep(Math.max(0, firstWindowMs + index * windowS * 1000 - Date.now()));
      const taken = running.map((load) => load.takeWindow()) as [LoadWindow, LoadWindow];
      const cpuAfter = await Promise.all(sides.map(cpuMs));
      const runnableAfter = sides.map(runnableNs);
      const nowMs = Date.now();
      const seconds = (nowMs - windowStartedMs) / 1000;
      const cpu = [cpuAfter[0] - cpuBefore[0], cpuAfter[1] - cpuBefore[1]] as [number, number];
      figures.push({
        requestsPerS: [taken[0].answers / seconds, taken[1].answers / seconds],
        cpuMsPer1k: [cpu[0] / (taken[0].answers / 1000), cpu[1] / (taken[1].answers / 1000)],
        cpuPercent: [(cpu[0] / (seconds * 1000)) * 100, (cpu[1] / (seconds * 1000)) * 100],
        demandPercent: [((runnableAfter[0] - runnableBefore[0]) / (seconds * 1e9)) * 100, ((runnableAfter[1] - runnableBefore[1]) / (seconds * 1e9)) * 100],
        settles: sides[1].seen.settles,
        deferred: sides[1].seen.deferred,
      });
      utilization.push(...sides[1].seen.utilization);
      settlePausesMs.push(...sides[1].seen.settlePausesMs);
      sides[1].seen = nothingSeen();
      for (const i of [0, 1] as const) {
        totals.answers[i] += taken[i].answers;
        totals.cpuMs[i] += cpu[i];
        for (const ms of taken[i].latenciesMs) latencies[i].push(ms);
      }
      totals.errors += taken[0].errors + taken[1].errors;
      totals.seconds += seconds;
      cpuBefore = cpuAfter;
      runnableBefore = runnableAfter;
      windowStartedMs = nowMs;
      process.stderr.write(
        `[bench:probe] ${kind} ${load.kind} ${pair} window ${index}/${windows}: ${figures.at(-1)!.requestsPerS.map((r) => r.toFixed(0)).join(' / ')} req/s, ` +
          `ratio ${percent(figures.at(-1)!.requestsPerS[1] / figures.at(-1)!.requestsPerS[0])}, settles ${figures.at(-1)!.settles}\n`,
      );
    }
    const generator = process.cpuUsage(generatorBefore);
    return {
      target: kind,
      load,
      pair,
      round,
      windows: figures,
      totals,
      latencyP99Ms: [quantile(latencies[0], 0.99), quantile(latencies[1], 0.99)],
      utilization,
      generatorCpuPercent: ((generator.user + generator.system) / 1000 / (totals.seconds * 1000)) * 100,
      settlePausesMs,
    };
  } finally {
    await Promise.all(running.map((load) => load.stop()));
  }
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function percent(ratio: number): string {
  const value = (ratio - 1) * 100;
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
}

const mid = (values: number[]) => median(Float64Array.from(values));

/** The sampler's own CPU: both samplers running, no load. */
async function samplerCpu(sides: [Side, Side]): Promise<string> {
  const quietS = 10;
  const counts = sides.map((side) => side.sampler.count);
  const before = process.cpuUsage();
  await sleep(quietS * 1000);
  const used = process.cpuUsage(before);
  const ms = (used.user + used.system) / 1000;
  const samples = sides.reduce((sum, side, i) => sum + side.sampler.count - counts[i], 0);
  return `${((ms / (quietS * 1000)) * 100).toFixed(2)}% of one core for two samplers at ${intervalMs} ms (${(ms / samples).toFixed(2)} ms per sample)`;
}

function row(result: CaseResult): string {
  const ratios = result.windows.map((w) => w.requestsPerS[1] / w.requestsPerS[0]);
  const cpuRatios = result.windows.map((w) => w.cpuMsPer1k[1] / w.cpuMsPer1k[0]);
  const sorted = [...ratios].sort((a, b) => a - b);
  const q1 = quantile(ratios, 0.25);
  const q3 = quantile(ratios, 0.75);
  const perS = (i: 0 | 1) => (result.totals.answers[i] / result.totals.seconds).toFixed(0);
  const cpu1k = (i: 0 | 1) => (result.totals.cpuMs[i] / (result.totals.answers[i] / 1000)).toFixed(1);
  const cpuPercent = (i: 0 | 1) => mid(result.windows.map((w) => w.cpuPercent[i])).toFixed(0);
  const demandPercent = (i: 0 | 1) => mid(result.windows.map((w) => w.demandPercent[i])).toFixed(0);
  const settles = result.windows.reduce((sum, w) => sum + w.settles, 0);
  const deferred = result.windows.reduce((sum, w) => sum + w.deferred, 0);
  const load = result.load.kind === 'full' ? `full speed, ${result.load.connections} conn.` : result.load.kind === 'paced' ? `paced ${result.load.rate} req/s` : `closed loop, ${result.load.connections} users, think ${result.load.thinkMs} ms`;
  const settleCell = result.pair === 'A/A' ? 'no probe on either' : settleS > 0 ? `${settles} (${deferred} deferred)` : 'never asked';
  return (
    `| ${result.target} | ${load} | ${pairLabel(result)} | ${perS(0)} / ${perS(1)} | ${percent(mid(ratios))} [${percent(q1)}, ${percent(q3)}; ${percent(sorted[0])} .. ${percent(sorted.at(-1)!)}] ` +
    `| ${percent(result.totals.answers[1] / result.totals.answers[0])} | ${cpu1k(0)} / ${cpu1k(1)} (${percent(mid(cpuRatios))}) | ${cpuPercent(0)} / ${cpuPercent(1)} | ${demandPercent(0)} / ${demandPercent(1)} ` +
    `| ${result.latencyP99Ms.map((ms) => ms.toFixed(1)).join(' / ')} | ${result.utilization.length ? mid(result.utilization).toFixed(2) : '-'} | ${settleCell} | ${result.generatorCpuPercent.toFixed(0)}% |`
  );
}

const pairLabel = (result: CaseResult) => (pairsPerCase > 1 ? `${result.pair} #${result.round + 1}` : result.pair);

const medianRatio = (result: CaseResult) => mid(result.windows.map((w) => w.requestsPerS[1] / w.requestsPerS[0]));

// The goal: the probe with settling costs at most 2% of the target's throughput.
const GOAL = 0.02;

function notes(result: CaseResult, all: CaseResult[]): string[] {
  const out: string[] = [];
  const label = `${result.target} ${result.load.kind} ${pairLabel(result)}`;
  const settles = result.windows.reduce((sum, w) => sum + w.settles, 0);
  if (result.pair === 'A/B' && settleS > 0 && settles === 0) out.push(`${label}: no settle landed in a counted window: the cost measured is the probe's watching only.`);
  if (result.totals.errors > 0) out.push(`${label}: ${result.totals.errors} errors or non-2xx answers.`);
  if (result.generatorCpuPercent > 85) out.push(`${label}: the generator used ${result.generatorCpuPercent.toFixed(0)}% of its core: it may have limited the load.`);
  if (result.settlePausesMs.length > 0) out.push(`${label}: forced collections median ${mid(result.settlePausesMs).toFixed(1)} ms, max ${Math.max(...result.settlePausesMs).toFixed(1)} ms.`);
  if (result.pair === 'A/A') {
    const error = Math.abs(medianRatio(result) - 1);
    out.push(
      `${label}: the design's own error is ${(error * 100).toFixed(2)} points on the median ratio (${error <= GOAL / 4 ? 'within' : 'more than'} a quarter of the 2% goal); ` +
        `a cost is judged against 2% only when it is farther than that from it.`,
    );
  }
  // Paced, the generator sets the throughput: the cost shows in CPU per request and latency instead.
  const control = all.find((other) => other.pair === 'A/A' && other.round === result.round && other.target === result.target && other.load.kind === result.load.kind);
  if (result.pair === 'A/B' && result.load.kind !== 'paced' && control) {
    const cost = 1 - medianRatio(result);
    const error = Math.abs(medianRatio(control) - 1);
    const verdict = cost + error <= GOAL ? 'under 2%' : cost - error > GOAL ? 'over 2%' : 'within the design\'s error of 2%: undecided';
    out.push(`${label}: throughput cost ${(cost * 100).toFixed(1)}% against the A/A error ${(error * 100).toFixed(2)} points: ${verdict}.`);
  }
  return out;
}

/**
 * Over several pairs of fresh servers: the mean cost of the A/B pairs against the error a mean of that many pairs
 * carries, the root mean square of the A/A pairs' offsets over the square root of the number of A/B pairs.
 */
function pooledNotes(all: CaseResult[]): string[] {
  if (pairsPerCase < 2) return [];
  const out: string[] = [];
  for (const kind of targets) {
    for (const load of loads) {
      if (load === 'paced') continue;
      const of = (pair: 'A/B' | 'A/A') => all.filter((r) => r.target === kind && r.load.kind === load && r.pair === pair);
      const costs = of('A/B').map((r) => 1 - medianRatio(r));
      const offsets = of('A/A').map((r) => medianRatio(r) - 1);
      if (costs.length === 0 || offsets.length === 0) continue;
      const cost = costs.reduce((sum, c) => sum + c, 0) / costs.length;
      const error = Math.sqrt(offsets.reduce((sum, o) => sum + o * o, 0) / offsets.length) / Math.sqrt(costs.length);
      const verdict = cost + error <= GOAL ? 'under 2%' : cost - error > GOAL ? 'over 2%' : "within the design's error of 2%: undecided";
      const list = (values: number[]) => values.map((v) => `${(v * 100).toFixed(1)}%`).join(', ');
      out.push(
        `${kind} ${load}, ${costs.length} A/B and ${offsets.length} A/A pairs: mean cost ${(cost * 100).toFixed(1)}% (pairs: ${list(costs)}; A/A offsets ${list(offsets)}) ` +
          `against an error of ${(error * 100).toFixed(2)} points: ${verdict}.`,
      );
    }
  }
  return out;
}

// Each case's row is printed as it finishes, so a long run that fails later keeps what it measured.
console.log(
  `Both servers of a pair on ${pinned ? `core ${os.cpus().length - 1}, the generator on core 0` : 'any core (no taskset)'}; ${warmS} s of load not counted, then ${windows} windows of ${windowS} s; ` +
    `sampler every ${intervalMs} ms on both; ${settleS > 0 ? `the probed one asked for a settled reading every ${settleS} s` : 'no settled readings asked for (the probe watching only)'}.\n`,
);
console.log("| target | load | pair | req/s (A / B) | throughput ratio B/A per window: median [IQR; range] | over all windows | CPU ms per 1k req (A / B, change) | CPU % (A / B) | main thread running or waiting for a CPU, % (A / B) | latency p99 ms (A / B) | B's event-loop utilization | settles in counted windows | generator CPU |");
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const results: CaseResult[] = [];
const samplerLines: string[] = [];
try {
  for (const kind of targets) {
    const pairs: { pair: 'A/B' | 'A/A'; loads: LoadKind[]; round: number }[] = [];
    for (let round = 0; round < pairsPerCase; round++) pairs.push({ pair: 'A/B', loads, round }, { pair: 'A/A', loads: aaLoads, round });
    for (const { pair, loads: pairLoads, round } of pairs) {
      if (pairLoads.length === 0) continue;
      const sides: Side[] = [];
      try {
        sides.push(await startSide(kind, 'plain', false));
        sides.push(await startSide(kind, pair === 'A/B' ? 'probed' : 'plain-2', pair === 'A/B'));
        for (const load of pairLoads) {
          results.push(await measure(kind, pair, round, sides as [Side, Side], LOADS[kind][load]));
          console.log(row(results.at(-1)!));
        }
        if (pair === 'A/B' && round === 0) samplerLines.push(`${kind}: ${await samplerCpu(sides as [Side, Side])}`);
      } finally {
        for (const side of sides) await stopSide(side);
      }
    }
  }
} finally {
  await probe.close();
  rmSync(dir, { recursive: true, force: true });
  restoreSessionNice();
}

console.log();
for (const result of results) for (const line of notes(result, results)) console.log(`- ${line}`);
for (const line of pooledNotes(results)) console.log(`- ${line}`);
for (const line of samplerLines) console.log(`- sampler CPU, ${line}`);
console.log(`- machine: ${machine(`${loadAtStart} at the start, ${loadAverage()} at the end`, machineAtStart)}`);
