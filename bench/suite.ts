// `npm run bench:suite [-- parallel|serial ...] [--concurrency N]`: the test suite's wall time per group, as `npm
// test` runs it (test/ two files at a time, then test/serial/ one at a time; docs/ARCHITECTURE.md, "Layers"), with
// the load average over each group's run: on a shared machine the time says little without it. --concurrency runs
// test/ that many files at a time instead, to compare; --per-file runs each file of the chosen groups alone, in a
// runner of its own, and lists their wall times. Prints Markdown tables.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { machine } from './machine.ts';

const LOAD_SAMPLE_MS = 5_000;

interface Group {
  name: string;
  folder: string;
  concurrency: number;
}

interface GroupResult extends Group {
  files: number;
  /** Each file's wall time, when the group ran one runner per file. */
  fileTimes: { file: string; wallS: number; failed: number }[];
  tests: number;
  failed: number;
  wallS: number;
  load: number[];
}

function testFiles(folder: string): string[] {
  return readdirSync(folder).filter((name) => name.endsWith('.test.ts')).sort().map((name) => `${folder}/${name}`);
}

function oneMinuteLoad(): number {
  return loadavg()[0];
}

/** Runs `files` in one test runner, `concurrency` at a time, and reads the counts off the TAP summary. */
async function runFiles(files: string[], concurrency: number): Promise<{ tests: number; failed: number; wallS: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=tap', ...files], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let tap = '';
  child.stdout.on('data', (chunk) => (tap += chunk));
  await new Promise((resolve) => child.on('close', resolve));
  const count = (label: string) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(tap)?.[1] ?? NaN);
  return { tests: count('tests'), failed: count('fail'), wallS: (performance.now() - started) / 1000 };
}

/**
 * Runs one group as `npm test` does. With `perFile`, each file runs alone in a runner of its own, so its wall time is
 * known (Node 20's TAP gives none per file); the runner's start-up is then counted per file.
 */
async function runGroup(group: Group, perFile: boolean): Promise<GroupResult> {
  const files = testFiles(group.folder);
  const load = [oneMinuteLoad()];
  const sampler = setInterval(() => load.push(oneMinuteLoad()), LOAD_SAMPLE_MS);
  const started = performance.now();
  let tests = 0;
  let failed = 0;
  const fileTimes: GroupResult['fileTimes'] = [];
  if (perFile) {
    for (const file of files) {
      const one = await runFiles([file], 1);
      fileTimes.push({ file, wallS: one.wallS, failed: one.failed });
      tests += one.tests;
      failed += one.failed;
    }
  } else ({ tests, failed } = await runFiles(files, group.concurrency));
  clearInterval(sampler);
  return { ...group, concurrency: perFile ? 1 : group.concurrency, files: files.length, fileTimes, tests, failed, wallS: (performance.now() - started) / 1000, load };
}

function row(r: GroupResult): string {
  const mean = r.load.reduce((sum, l) => sum + l, 0) / r.load.length;
  const minutes = `${Math.floor(r.wallS / 60)} min ${Math.round(r.wallS % 60)} s`;
  return `| ${r.folder}/ | ${r.files} | ${r.concurrency} | ${r.tests} | ${r.failed} | ${minutes} | ${mean.toFixed(1)} (${Math.min(...r.load).toFixed(1)}-${Math.max(...r.load).toFixed(1)}) |`;
}

const { values, positionals } = parseArgs({ options: { concurrency: { type: 'string' }, 'per-file': { type: 'boolean', default: false } }, allowPositionals: true });
const groups: Group[] = [
  { name: 'parallel', folder: 'test', concurrency: Number(values.concurrency ?? 2) },
  { name: 'serial', folder: 'test/serial', concurrency: 1 },
].filter((g) => positionals.length === 0 || positionals.includes(g.name));

const results: GroupResult[] = [];
for (const group of groups) results.push(await runGroup(group, values['per-file']));
console.log(machine());
console.log('| group | files | files at a time | tests | failed | wall | load average, mean (min-max) |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) console.log(row(r));
if (results.length > 1) console.log(`| all | | | | | ${Math.round(results.reduce((sum, r) => sum + r.wallS, 0))} s | |`);
const fileTimes = results.flatMap((r) => r.fileTimes);
if (fileTimes.length > 0) {
  console.log('\n| file (one at a time, each in its own runner) | wall s | failed |');
  console.log('|---|---:|---:|');
  for (const f of fileTimes.sort((a, b) => b.wallS - a.wallS)) console.log(`| ${f.file} | ${f.wallS.toFixed(1)} | ${f.failed} |`);
}
