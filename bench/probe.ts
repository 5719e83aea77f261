// What the harness costs the thing it measures: the same plain Node server with and without the injected probe,
// loaded in alternating rounds in one run (so machine noise hits both alike), and the sampler's own CPU use.
// Throughput on a shared machine is noisy, so each round also reads the server's CPU time per 1,000 requests
// (/proc via pidusage), which other processes barely disturb.
// The probe's own full collections grow with the heap, so `--target gateway` measures the embedded gateway holding
// the reported state (naive store, 188 sessions with their 41 KB skills snapshots; no cron jobs, so nothing but
// the measured requests runs) as well as the tiny server.
// The probed server is asked for a settled reading (one forced full collection) every `--settle-ms`, as a run does
// at its scenario's settleInterval (default 10 s); `--settle-ms 0` measures the probe watching only. `--rate N`
// (requests/s, well under the server's maximum) measures a paced load through CPU per request.
// Run: node --import tsx bench/probe.ts [--target tiny|gateway] [--rate N] [--rounds 10] [--round-seconds 3] [--interval-ms 500] [--settle-ms 5000]
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pidusage from 'pidusage';
import { ProbeClient } from '../harness/probe/probeClient.ts';
import { DEFAULT_SETTLE_INTERVAL_S } from '../harness/scenario.ts';
import type { Sample } from '../harness/sample.ts';
import { Sampler } from '../harness/sampler.ts';
import { CommandTarget, type CommandTargetSpec } from '../harness/target/commandTarget.ts';
import { gatewaySessionsFile, gatewayTargetSpec } from '../harness/target/gatewayTarget.ts';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'tiny' },
    rate: { type: 'string' },
    rounds: { type: 'string', default: '10' },
    'round-seconds': { type: 'string', default: '3' },
    'interval-ms': { type: 'string', default: '500' },
    'settle-ms': { type: 'string', default: String(DEFAULT_SETTLE_INTERVAL_S * 1000) },
  },
});
const rounds = Number(values.rounds);
const roundSeconds = Number(values['round-seconds']);
const rate = values.rate === undefined ? undefined : Number(values.rate);
const intervalMs = Number(values['interval-ms']);
const settleMs = Number(values['settle-ms']);

if (values.target !== 'tiny' && values.target !== 'gateway') throw new Error(`--target must be tiny or gateway, got '${values.target}'`);
const dir = mkdtempSync(join(os.tmpdir(), 'soakgate-bench-probe-'));
const probe = await ProbeClient.listen();

function targetSpec(label: string, env: Record<string, string>): CommandTargetSpec {
  if (values.target === 'gateway') {
    return { ...gatewayTargetSpec({ store: 'naive', dataDir: join(dir, label), seedState: true, cronJobs: 0 }, { env }), label };
  }
  const server = new URL('../test/fixtures/tinyServer.mjs', import.meta.url).pathname;
  return { label, argv: [process.execPath, server], env, ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/ };
}
const path = values.target === 'gateway' ? '/healthz' : '/';
const plain = new CommandTarget(targetSpec('plain', {}));
const probed = new CommandTarget(targetSpec('probed', probe.targetEnv('')));
const noWindow = { requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null };
const ops = { totals: () => ({}), takeWindow: () => noWindow };

function samplerFor(target: CommandTarget, file: string): Sampler {
  return new Sampler({
    file: join(dir, file),
    intervalMs,
    startedAtMs: Date.now(),
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
}

async function round(target: CommandTarget): Promise<Round> {
  const cpuBefore = (await pidusage(target.pid!)).ctime;
  // A fixed duration, not a request count: autocannon only notices a reached `amount` on its one-second tick.
  const result = await autocannon({ url: `${target.baseUrl}${path}`, connections: 10, duration: roundSeconds, ...(rate ? { overallRate: rate } : {}) });
  const cpuAfter = (await pidusage(target.pid!)).ctime;
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${target.spec.label}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  return { requestsPerS: result.requests.total / roundSeconds, cpuMsPer1k: (cpuAfter - cpuBefore) / (result.requests.total / 1000) };
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
  for (let index = 1; index <= rounds; index++) {
    // Alternate which goes first so warm-up and drift do not favour one side.
    const order = index % 2 ? [plain, probed] : [probed, plain];
    const result = new Map<CommandTarget, Round>();
    for (const target of order) result.set(target, await round(target));
    const without = result.get(plain)!;
    const withProbe = result.get(probed)!;
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
  console.log(`target: ${values.target} (GET ${path}); ${rounds} rounds of ${roundSeconds} s per server, autocannon 10 connections${rate ? ` at ${rate} req/s` : ' at full speed'}, sampler every ${intervalMs} ms on both, a settled reading every ${settleMs} ms on the probed one\n`);
  console.log('| round | plain req/s | probed req/s | throughput change | plain CPU ms/1k req | probed CPU ms/1k req | CPU change |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(`\nthroughput with the probe: median ${percent(median(throughputRatios))} (goal: no worse than -2%)`);
  console.log(`server CPU per request with the probe: median ${percent(median(cpuRatios))}`);
  const settlePauses = readFileSync(join(dir, 'probed.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((line) => (JSON.parse(line) as Sample).metrics.settlePauseMs).filter((ms): ms is number => ms !== undefined);
  if (settlePauses.length > 0) {
    console.log(`settled readings: ${settlePauses.length}, forced collection median ${median(settlePauses).toFixed(1)} ms, max ${Math.max(...settlePauses).toFixed(1)} ms`);
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
