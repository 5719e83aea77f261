// The CI gate's trustworthiness and speed: N gate runs against each store on ci-gate (naive must fail, dedup must
// pass), counting false alarms and misses and timing each verdict, wall clock, with and without --stop-when-decided.
// Usage: node --import tsx bench/gate.ts [runsPerStore=10] [--stop-when-decided]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 10);
const early = process.argv.includes('--stop-when-decided');
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`usage: gate.ts [runsPerStore] [--stop-when-decided]: a whole number, got '${process.argv[2]}'`);
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'soakgate-bench-gate-'));

function gate(store: string, out: string): Promise<{ code: number | null; seconds: number }> {
  const began = performance.now();
  const args = [join(root, 'bin/soakgate.js'), 'gate', '--store', store, '--out', out, ...(early ? ['--stop-when-decided'] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
    child.on('close', (code) => resolve({ code, seconds: (performance.now() - began) / 1000 }));
  });
}

const rows: string[] = [];
try {
  for (const [store, expected] of [['naive', 1], ['dedup', 0]] as const) {
    const times: number[] = [];
    let wrong = 0;
    let other = 0;
    for (let i = 0; i < runs; i++) {
      const { code, seconds } = await gate(store, join(dir, `${store}-${i}`));
      times.push(seconds);
      if (code !== 0 && code !== 1) other++;
      else if (code !== expected) wrong++;
      console.error(`${store} run ${i + 1}/${runs}: exit ${code} in ${seconds.toFixed(1)} s`);
    }
    times.sort((a, b) => a - b);
    const kind = store === 'naive' ? 'false negatives (passed)' : 'false positives (failed)';
    rows.push(
      `| ${store} | ${runs} | ${wrong} ${kind} | ${other} | ${times[0].toFixed(1)} | ${times[Math.floor(runs / 2)].toFixed(1)} | ${times[runs - 1].toFixed(1)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`gate on scenarios/ci-gate.ts${early ? ' with --stop-when-decided' : ''}; ${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}\n`);
console.log('| store | runs | wrong verdicts | other exits | fastest s | median s | slowest s |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
