// The reporter's own scenario at real-time rates against both stores, side by side: does a soak of production-mix
// call the leak (RSS and the heap floor growing above the floor that matters on naive, and memlab naming the
// skills snapshot), and nothing above that floor on dedup? Runs `soakgate run` for each store at once (they are
// paced, far from saturating 2 cores), with the default snapshots (a diagnosis after the window if memory grows).
// Usage: node --import tsx bench/soak.ts [--duration 10m] [--scenario scenarios/production-mix.ts]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { growthNotes } from '../harness/analysis/verdict.ts';
import { formatRate } from '../harness/analysis/units.ts';
import type { Summary } from '../harness/contracts/summary.ts';
import { soakgateRun } from './soakgateRun.ts';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10m' }, scenario: { type: 'string', default: 'scenarios/production-mix.ts' } } });
const dir = mkdtempSync(join(tmpdir(), 'soakgate-bench-soak-'));
const METRICS = ['rssBytes', 'rssSettledBytes', 'heapFloorBytes', 'sessionsFileBytes', 'transcriptBytes'];

async function run(store: string): Promise<{ code: number | null; summary: Summary | null; harnessRss: [number, number] | null }> {
  const out = join(dir, store);
  const args = ['run', values.scenario!, '--store', store, '--duration', values.duration!, '--out', out];
  const { code, summary } = await soakgateRun(args, out, { stdio: ['ignore', 'ignore', 'inherit'] });
  const harness = summary?.metrics.harnessRssBytes;
  return { code, summary, harnessRss: harness ? [harness.first, harness.last] : null };
}

const began = new Date().toISOString();
try {
  const [naive, dedup] = await Promise.all([run('naive'), run('dedup')]);
  console.log(`bench:soak: ${values.scenario} for ${values.duration} per store, both at once; ${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, from ${began}\n`);
  console.log('| metric | store | verdict | slope per minute [95% interval] | first -> last | samples |');
  console.log('| --- | --- | --- | --- | --- | ---: |');
  for (const metric of METRICS) {
    for (const [store, result] of [['naive', naive], ['dedup', dedup]] as const) {
      const m = result.summary?.metrics[metric];
      if (!m) continue;
      const notes = growthNotes(m);
      const level = (v: number) => formatRate(v, m.unit, '');
      console.log(
        `| ${metric} | ${store} | ${m.verdict}${notes.length ? ` (${notes.join('; ')})` : ''} | ${formatRate(m.slopePerMin, m.unit)} [${formatRate(m.ciLow, m.unit)}, ${formatRate(m.ciHigh, m.unit)}] | ${level(m.first)} -> ${level(m.last)} | ${m.samples} |`,
      );
    }
  }
  console.log('');
  for (const [store, result] of [['naive', naive], ['dedup', dedup]] as const) {
    const top = result.summary?.heap?.grew[0];
    const diagnosis = result.summary?.heap
      ? top
        ? `what grew: ${top.name} (${top.countFirst} -> ${top.countLast} objects), retained through ${top.retainerPath.slice(-3).join(' ')}`
        : 'diagnosed: nothing that grew explains the growth'
      : 'no diagnosis (no memory grew by more than matters)';
    const harness = result.harnessRss ? `; soakgate's own RSS ${formatRate(result.harnessRss[0], 'bytes', '')} -> ${formatRate(result.harnessRss[1], 'bytes', '')}` : '';
    console.log(`- ${store}: exit ${result.code}; ${diagnosis}${harness}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
