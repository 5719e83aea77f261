// Cost of the HTML report for a one-hour run at 1 Hz: build time and file size of one run's report and of a
// compare of two stores (3,600 samples each). Goal: each under 5 s and under 3 MB.
// Usage: node --import tsx bench/report.ts [samplesPerRun]   (default 3,600)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticRun } from '../test/report-syntheticRun.ts';

const GOAL_SECONDS = 5;
const GOAL_BYTES = 3 * 1024 ** 2;

const samples = Number(process.argv[2] ?? 3600);
if (!Number.isInteger(samples) || samples < 2) {
  console.error(`usage: report.ts [samplesPerRun]: a whole number of at least 2, got '${process.argv[2]}'`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'soakgate-bench-report-'));
try {
  await writeSyntheticRun(join(dir, 'naive'), { store: 'naive', samples });
  await writeSyntheticRun(join(dir, 'dedup'), { store: 'dedup', samples });
  // The first build pays for loading vega and the bundles, as `soakgate report` does in a fresh process.
  // CPU time is reported beside wall time: on a shared machine the wall time also measures the neighbours.
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return Number(((used.user + used.system) / 1e6).toFixed(2));
  };
  let cpu = process.cpuUsage();
  let started = performance.now();
  const { writeCompareReport, writeRunReport } = await import('../reports/writeReport.ts');
  const runFile = await writeRunReport(join(dir, 'naive'));
  const runSeconds = (performance.now() - started) / 1000;
  const runCpu = cpuSeconds(cpu);
  cpu = process.cpuUsage();
  started = performance.now();
  const compareFile = await writeCompareReport([join(dir, 'naive'), join(dir, 'dedup')], join(dir, 'compare.html'), 'naive vs dedup');
  const compareSeconds = (performance.now() - started) / 1000;
  const compareCpu = cpuSeconds(cpu);
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, ${Math.round(totalmem() / 1024 ** 2)} MB RAM, Node ${process.version}`,
    loadAverage: loadavg()[0],
    samplesPerRun: samples,
    runReport: { seconds: Number(runSeconds.toFixed(2)), cpuSeconds: runCpu, bytes: statSync(runFile).size },
    compareReport: { seconds: Number(compareSeconds.toFixed(2)), cpuSeconds: compareCpu, bytes: statSync(compareFile).size },
  };
  const pass = [result.runReport, result.compareReport].every((r) => r.seconds < GOAL_SECONDS && r.bytes < GOAL_BYTES);
  console.log(JSON.stringify({ ...result, goal: `< ${GOAL_SECONDS} s and < 3 MB each`, pass }, null, 2));
  process.exitCode = pass ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
