// The CI gate's trustworthiness and speed: N gate runs against each store on ci-gate (naive must fail, dedup must
// pass), counting false alarms and misses and timing each verdict, wall clock: with the gate's defaults (a clear
// failure ends a run early), with --stop-when-decided (a pass may too) or with --full-window (no run ends early).
// A naive run counts as caught only when gate.json names a failing memory or state metric (any other exit 1 is a
// miss), and the table says how often each of RSS, the heap floor and sessions.json failed, and whether the heap
// diagnosis named the skills snapshot; for dedup, how the report labels its raw RSS and whether it was diagnosed.
// Usage: node --import tsx bench/gate.ts [runsPerStore=10] [--stop-when-decided | --full-window] [--store naive|dedup]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 10);
const mode = ['--stop-when-decided', '--full-window'].filter((flag) => process.argv.includes(flag));
const onlyStore = process.argv.includes('--store') ? process.argv[process.argv.indexOf('--store') + 1] : undefined;
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`usage: gate.ts [runsPerStore] [--stop-when-decided | --full-window] [--store naive|dedup]: a whole number, got '${process.argv[2]}'`);
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'soakgate-bench-gate-'));

function gate(store: string, out: string): Promise<{ code: number | null; seconds: number }> {
  const began = performance.now();
  const args = [join(root, 'bin/soakgate.js'), 'gate', '--store', store, '--out', out, ...mode];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
    child.on('close', (code) => resolve({ code, seconds: (performance.now() - began) / 1000 }));
  });
}

/** Metrics whose failure is the leak the gate exists for (memory or the gateway's state). */
const LEAK_METRICS = new Set(['rssBytes', 'rssSettledBytes', 'heapFloorBytes', 'sessionsFileBytes', 'sessionCount', 'transcriptBytes']);

interface GateOutcome {
  failing: Set<string>;
  /** The heap diagnosis's first "what grew", if the run had one. */
  grew: string | null;
  /** Why a diagnosis the run had reason for was skipped or stopped (the gate's time limit), if it was. */
  missed: string | null;
  /** The report's label on raw RSS and its slope per minute (the label a person reads, not the gate's check). */
  rss: { verdict: string; slopePerMin: number } | null;
}

function readOutcome(out: string): GateOutcome {
  const file = join(out, 'gate.json');
  if (!existsSync(file)) return { failing: new Set(), grew: null, missed: null, rss: null };
  const gate = JSON.parse(readFileSync(file, 'utf8')) as { scenarios: Array<{ runDir: string; checks: Array<{ metric: string; pass: boolean }> }> };
  const scenario = gate.scenarios[0];
  const failing = new Set(scenario?.checks.filter((c) => !c.pass).map((c) => c.metric) ?? []);
  const summaryFile = scenario ? join(out, scenario.runDir, 'summary.json') : '';
  const summary = summaryFile && existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : {};
  const rss = summary.metrics?.rssBytes;
  return {
    failing,
    grew: summary.heap ? (summary.heap.grew?.[0]?.name ?? 'nothing that explains the growth') : null,
    missed: summary.diagnosisMissed ?? null,
    rss: rss ? { verdict: rss.verdict, slopePerMin: rss.slopePerMin } : null,
  };
}

const rows: string[] = [];
const naiveRows: string[] = [];
const dedupRows: string[] = [];
try {
  for (const [store, expected] of ([['naive', 1], ['dedup', 0]] as const).filter(([store]) => !onlyStore || store === onlyStore)) {
    const times: number[] = [];
    let wrong = 0;
    let other = 0;
    const failedBy = new Map<string, number>();
    let namedSkills = 0;
    const rssLabels: string[] = [];
    let diagnosed = 0;
    let missed = 0;
    for (let i = 0; i < runs; i++) {
      const out = join(dir, `${store}-${i}`);
      const { code, seconds } = await gate(store, out);
      const outcome = readOutcome(out);
      times.push(seconds);
      const groups = new Set([...outcome.failing].map((m) => (m === 'rssSettledBytes' ? 'rssBytes' : m)));
      for (const metric of groups) failedBy.set(metric, (failedBy.get(metric) ?? 0) + 1);
      if (outcome.grew && /skills|prompt/.test(outcome.grew)) namedSkills++;
      if (outcome.grew) diagnosed++;
      if (outcome.missed) missed++;
      if (outcome.rss) rssLabels.push(`${outcome.rss.verdict} ${(outcome.rss.slopePerMin / 2 ** 20).toFixed(1)}`);
      const caught = code === 1 && [...outcome.failing].some((m) => LEAK_METRICS.has(m));
      if (code !== 0 && code !== 1) other++;
      else if (store === 'naive' ? !caught : code !== expected) wrong++;
      console.error(`${store} run ${i + 1}/${runs}: exit ${code} in ${seconds.toFixed(1)} s; failing: ${[...outcome.failing].join(', ') || 'none'}; what grew: ${outcome.grew ?? `no diagnosis${outcome.missed ? ` (${outcome.missed})` : ''}`}`);
    }
    times.sort((a, b) => a - b);
    const kind = store === 'naive' ? 'false negatives (not failed on memory or state)' : 'false positives (failed)';
    rows.push(
      `| ${store} | ${runs} | ${wrong} ${kind} | ${other} | ${times[0].toFixed(1)} | ${times[Math.floor(runs / 2)].toFixed(1)} | ${times[runs - 1].toFixed(1)} | ${times.filter((t) => t > 60).length} |`,
    );
    if (store === 'naive') {
      const count = (metric: string) => failedBy.get(metric) ?? 0;
      naiveRows.push(`| ${count('rssBytes')} of ${runs} | ${count('heapFloorBytes')} of ${runs} | ${count('sessionsFileBytes')} of ${runs} | ${namedSkills} of ${runs} | ${missed} of ${runs} |`);
    } else {
      const growing = rssLabels.filter((label) => label.startsWith('growing')).length;
      dedupRows.push(`| ${growing} of ${rssLabels.length} | ${rssLabels.join('; ')} | ${diagnosed} of ${runs} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`gate on scenarios/ci-gate.ts${mode.length ? ` with ${mode.join(' ')}` : ' with its defaults'}; ${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}\n`);
console.log('| store | runs | wrong verdicts | other exits | fastest s | median s | slowest s | over 60 s |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
if (naiveRows.length > 0) {
  console.log('\nWhat failed the naive runs (RSS: rssBytes or rssSettledBytes), whether "what grew" named the skills snapshot, and how\noften the diagnosis did not fit in the time limit:\n');
  console.log('| RSS failed | heap floor failed | sessions.json failed | what grew: skills snapshot | diagnosis skipped or stopped |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const row of naiveRows) console.log(row);
}
if (dedupRows.length > 0) {
  console.log("\nThe dedup runs' raw RSS as their reports label it (MiB/min), and how many had a diagnosis:\n");
  console.log('| rssBytes labelled growing | labels | diagnosis |');
  console.log('| ---: | --- | ---: |');
  for (const row of dedupRows) console.log(row);
}
