// What the harness costs the thing it measures: the same Node server with and without the injected probe, in one
// run, and the sampler's own CPU use. Each round loads one server, then the other (the order alternates), for
// `--round-seconds` of steady load after `--warm-seconds` that are not counted: a soak drives its target steadily,
// and the first seconds after an idle spell are the re-warming a forced collection also causes (the probe settles
// an idle target). With taskset, the load generator runs on one core and the servers on the other, so at full
// speed the server, not the generator, is the bottleneck and throughput is the server's capacity.
// Throughput on a shared machine is noisy, so each round also reads the server's CPU time per 1,000 requests
// (/proc via pidusage), which other processes barely disturb.
// The probe's own full collections grow with the heap, so `--target gateway` measures the embedded gateway holding
// the reported state (naive store, 188 sessions with their 41 KB skills snapshots; no cron jobs, so nothing but
// the measured requests runs) as well as the tiny server.
// The probed server is asked for a settled reading every `--settle-ms`, as a run does at its scenario's
// settleInterval (default 10 s); the probe takes it only while the server's event loop is less than half busy.
// `--settle-ms 0` measures the probe watching only. `--rate N` (requests/s, well under the server's maximum)
// measures a paced load, under which settled readings are taken, through CPU per request.
// Run: node --import tsx bench/probe.ts [--target tiny|gateway] [--rate N] [--rounds 6] [--round-seconds 10] [--warm-seconds 4] [--interval-ms 500] [--settle-ms 10000]
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pidusage from 'pidusage';
import { ProbeClient } from '../harness/probe/probeClient.ts';
import { DEFAULT_SETTLE_INTERVAL_S } from '../harness/scenario/schema.ts';
import type { Sample } from '../harness/contracts/sample.ts';
import { Sampler } from '../harness/sampling/sampler.ts';
import { CommandTarget, type CommandTargetSpec } from '../harness/target/commandTarget.ts';
import { gatewaySessionsFile, gatewayTargetSpec } from '../harness/target/gatewayTarget.ts';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'tiny' },
    rate: { type: 'string' },
    rounds: { type: 'string', default: '6' },
    'round-seconds': { type: 'string', default: '10' },
    'warm-seconds': { type: 'string', default: '4' },
    'interval-ms': { type: 'string', default: '500' },
    'settle-ms': { type: 'string', default: String(DEFAULT_SETTLE_INTERVAL_S * 1000) },
  },
});
const rounds = Number(values.rounds);
const roundSeconds = Number(values['round-seconds']);
const warmSeconds = Number(values['warm-seconds']);
const rate = values.rate === undefined ? undefined : Number(values.rate);
const intervalMs = Number(values['interval-ms']);
const settleMs = Number(values['settle-ms']);

if (values.target !== 'tiny' && values.target !== 'gateway') throw new Error(`--target must be tiny or gateway, got '${values.target}'`);
const dir = mkdtempSync(join(os.tmpdir(), 'soakgate-bench-probe-'));
const probe = await ProbeClient.listen();

// The generator (this process) on the first core, the servers on the second, when the machine has two and taskset.
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

function targetSpec(label: string, env: Record<string, string>): CommandTargetSpec {
  if (values.target === 'gateway') {
    const spec = gatewayTargetSpec({ store: 'naive', dataDir: join(dir, label), seedState: true, cronJobs: 0 }, { env });
    return { ...spec, argv: [...serverCores, ...spec.argv], label };
  }
  const server = new URL('../test/fixtures/tinyServer.mjs', import.meta.url).pathname;
  return { label, argv: [...serverCores, process.execPath, server], env, ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/ };
}
const path = values.target === 'gateway' ? '/healthz' : '/';
const plain = new CommandTarget(targetSpec('plain', {}));
const probed = new CommandTarget(targetSpec('probed', probe.targetEnv('')));
const noWindow = { requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null };
const ops = { totals: () => ({}), takeWindow: () => noWindow };

const samplersStartedAtMs = Date.now();

function samplerFor(target: CommandTarget, file: string): Sampler {
  return new Sampler({
    file: join(dir, file),
    intervalMs,
    startedAtMs: samplersStartedAtMs,
    target: () => ({ pid: target.pid, baseUrl: target.baseUrl }),
    probe,
    settleEveryMs: settleMs,
    // The gateway is sampled as in a run, GET /v1/stats included, so the sampler's CPU is measured in full.
    gateway: values.target === 'gateway' ? { sessionsFile: gatewaySessionsFile(join(dir, target.spec.label)) } : undefined,
    files: {},
    ops,
    phase: () => 'load',
  });
}

interface Round {
  requestsPerS: number;
  cpuMsPer1k: number;
  /** The counted window, in ms since the epoch. */
  fromMs: number;
  toMs: number;
}

async function round(target: CommandTarget): Promise<Round> {
  const load = (seconds: number) =>
    autocannon({ url: `${target.baseUrl}${path}`, connections: 10, duration: seconds, ...(rate ? { overallRate: rate } : {}) });
  await load(warmSeconds);
  const cpuBefore = (await pidusage(target.pid!)).ctime;
  const fromMs = Date.now();
  // A fixed duration, not a request count: autocannon only notices a reached `amount` on its one-second tick.
  const result = await load(roundSeconds);
  const cpuAfter = (await pidusage(target.pid!)).ctime;
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${target.spec.label}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  return { requestsPerS: result.requests.total / roundSeconds, cpuMsPer1k: (cpuAfter - cpuBefore) / (result.requests.total / 1000), fromMs, toMs: Date.now() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function percent(ratio: number): string {
  return `${((ratio - 1) * 100).toFixed(2)}%`;
}

try {
  await plain.start();
  await probed.start();
  if (!(await probe.waitFor(probed.pid!, 5_000))) throw new Error('the probe did not connect');
  // Both servers are sampled the whole time, as in a real run; only the probed one has a probe to answer.
  const samplers = [samplerFor(plain, 'plain.jsonl'), samplerFor(probed, 'probed.jsonl')];
  for (const sampler of samplers) sampler.start();
  await round(plain);
  await round(probed);

  const throughputRatios: number[] = [];
  const cpuRatios: number[] = [];
  const rows: string[] = [];
  const probedWindows: Round[] = [];
  for (let index = 1; index <= rounds; index++) {
    // Alternate which goes first so warm-up and drift do not favour one side.
    const order = index % 2 ? [plain, probed] : [probed, plain];
    const result = new Map<CommandTarget, Round>();
    for (const target of order) result.set(target, await round(target));
    const without = result.get(plain)!;
    const withProbe = result.get(probed)!;
    probedWindows.push(withProbe);
    throughputRatios.push(withProbe.requestsPerS / without.requestsPerS);
    cpuRatios.push(withProbe.cpuMsPer1k / without.cpuMsPer1k);
    rows.push(
      `| ${index} | ${without.requestsPerS.toFixed(0)} | ${withProbe.requestsPerS.toFixed(0)} | ${percent(throughputRatios.at(-1)!)} ` +
        `| ${without.cpuMsPer1k.toFixed(1)} | ${withProbe.cpuMsPer1k.toFixed(1)} | ${percent(cpuRatios.at(-1)!)} |`,
    );
  }
  for (const sampler of samplers) await sampler.stop();

  // The sampler's own CPU: one sampler on the probed server with no load running in this process.
  const quietSeconds = 20;
  const sampler = samplerFor(probed, 'quiet.jsonl');
  const cpuBefore = process.cpuUsage();
  sampler.start();
  await new Promise((resolve) => setTimeout(resolve, quietSeconds * 1000));
  await sampler.stop();
  const cpu = process.cpuUsage(cpuBefore);
  const samplerCpuPercent = ((cpu.user + cpu.system) / 1000 / (quietSeconds * 1000)) * 100;
  const perSampleMs = (cpu.user + cpu.system) / 1000 / sampler.count;

  console.log(`machine: ${os.cpus()[0]?.model.trim()} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}, ${new Date().toISOString()}`);
  console.log(`target: ${values.target} (GET ${path}); ${rounds} rounds of ${roundSeconds} s per server after ${warmSeconds} s not counted, ${pinned ? 'generator and servers on separate cores' : 'not pinned to cores'}, autocannon 10 connections${rate ? ` at ${rate} req/s` : ' at full speed'}, sampler every ${intervalMs} ms on both, a settled reading every ${settleMs} ms on the probed one\n`);
  console.log('| round | plain req/s | probed req/s | throughput change | plain CPU ms/1k req | probed CPU ms/1k req | CPU change |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(`\nthroughput with the probe: median ${percent(median(throughputRatios))} (goal: no worse than -2%)`);
  console.log(`server CPU per request with the probe: median ${percent(median(cpuRatios))}`);
  // What the probed server's samples say inside its counted windows: how busy its event loop was, and whether it
  // was settled there (at full speed it should not be: the probe defers a busy target).
  const probedSamples = readFileSync(join(dir, 'probed.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Sample);
  const inWindows = probedSamples.filter((sample) => {
    const atMs = samplersStartedAtMs + sample.t * 1000;
    return probedWindows.some((window) => atMs >= window.fromMs && atMs <= window.toMs);
  });
  const utilization = inWindows.map((sample) => sample.metrics.eventLoopUtilization).filter((u): u is number => u !== undefined);
  const settledIn = inWindows.filter((sample) => sample.metrics.settlePauseMs !== undefined).length;
  const deferredIn = inWindows.filter((sample) => sample.metrics.settleDeferred !== undefined).length;
  if (utilization.length > 0) {
    console.log(`probed server under load: event-loop utilization median ${median(utilization).toFixed(2)}; ${settledIn} settled readings and ${deferredIn} deferred as busy in ${inWindows.length} samples`);
  }
  const settlePauses = probedSamples.map((sample) => sample.metrics.settlePauseMs).filter((ms): ms is number => ms !== undefined);
  if (settlePauses.length > 0) {
    console.log(`settled readings in the whole run: ${settlePauses.length}, forced collection median ${median(settlePauses).toFixed(1)} ms, max ${Math.max(...settlePauses).toFixed(1)} ms`);
  }
  console.log(`sampler CPU: ${samplerCpuPercent.toFixed(2)}% of one core at ${intervalMs} ms (${perSampleMs.toFixed(2)} ms per sample, ${sampler.count} samples)`);
} finally {
  await plain.stop();
  await probed.stop();
  await plain.close();
  await probed.close();
  await probe.close();
  rmSync(dir, { recursive: true, force: true });
}
