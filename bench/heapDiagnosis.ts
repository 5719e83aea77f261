// Cost of heap diagnosis: time and peak RSS of this process while it analyses three snapshots of one
// process whose heap grows to ~200 MB (the naive store's per-session skills snapshots). Goal: < 60 s, < 2 GB.
// Usage: node --import tsx bench/heapDiagnosis.ts [sessionsPerStep]   (default 1,500: ~200 MB at the last)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { diagnoseHeap } from '../harness/heap/diagnose.ts';
import { writeGrowthSnapshots } from '../test/fixtures/heap-growthDriver.ts';

const GOAL_SECONDS = 60;
const GOAL_RSS_BYTES = 2 * 1024 ** 3;
const MB = 1024 ** 2;

const sessionsPerStep = Number(process.argv[2] ?? 1500);
if (!Number.isInteger(sessionsPerStep) || sessionsPerStep < 1) {
  console.error(`usage: heapDiagnosis.ts [sessionsPerStep]: a positive whole number, got '${process.argv[2]}'`);
  process.exit(2);
}

const runDir = mkdtempSync(join(tmpdir(), 'soakgate-bench-heap-'));
try {
  const run = await writeGrowthSnapshots('copied', runDir, 3, sessionsPerStep);
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const loadBefore = loadavg()[0];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const diagnosis = await diagnoseHeap(run.snapshotPaths, { workDir: runDir });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // maxRSS is this process's peak, so it covers the analysis (the fixture that wrote the heaps is a child).
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, ${Math.round(totalmem() / MB)} MB RAM, Node ${process.version}`,
    sessions: run.sessionCounts,
    heapUsedMB: run.heapUsedBytes.map((b) => Math.round(b / MB)),
    snapshotFileMB: run.snapshotPaths.map((p) => Math.round(statSync(p).size / MB)),
    analysisSeconds: Number(seconds.toFixed(1)),
    // On a shared machine wall time also counts waiting for a core; CPU time is what the analysis costs.
    analysisCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
    loadAverageBefore: Number(loadBefore.toFixed(2)),
    peakRssMB: Math.round(peakRssBytes / MB),
    rssBeforeAnalysisMB: Math.round(rssBefore / MB),
    topGrower: diagnosis.grew[0]?.name,
    duplicateShare: Number(diagnosis.duplicates.share.toFixed(3)),
  };
  console.log(JSON.stringify(result, null, 2));
  const pass = seconds < GOAL_SECONDS && peakRssBytes < GOAL_RSS_BYTES;
  console.log(`${pass ? 'PASS' : 'FAIL'}: ${result.analysisSeconds} s (goal < ${GOAL_SECONDS}), peak RSS ${result.peakRssMB} MB (goal < 2048)`);
  process.exitCode = pass ? 0 : 1;
} finally {
  rmSync(runDir, { recursive: true, force: true });
}
