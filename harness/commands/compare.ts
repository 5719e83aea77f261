// `soakgate compare`: the same seeded storm against several stores (naive and dedup by default; with --ablation the
// dedup store with each fix alone too), and for each metric how much faster the first grows than each other one:
// the difference of slopes with a bootstrap interval, and the ratio. One report overlays them all.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeCompareReport } from '../../reports/writeReport.ts';
import { compareRuns, type SlopeDifference } from '../analysis/bootstrap.ts';
import { GATED_BY_DEFAULT } from '../gate/judge.ts';
import { formatRate } from '../units.ts';
import { parseSnapshotMode, type SnapshotMode } from '../heap/snapshotPlan.ts';
import { Progress } from '../progress.ts';
import { defaultRunDir, writeJsonAtomically } from '../runFolder.ts';
import { EXIT_CRASHED, EXIT_INTERRUPTED, EXIT_LOAD_FAILED, runScenario, type RunResult } from '../runScenario.ts';
import { parseSamples } from '../sample.ts';
import { ALL_FIXES } from '../../src/store/sessionStore.ts';
import { interruptOnSignals, loadScenarioWith, targetSlug } from './scenarioOptions.ts';
import { parseCommandLine } from './commandLine.ts';

const USAGE = `usage: soakgate compare <scenario> [options]

Runs one scenario against each store with the same seed and compares their growth slopes.

options:
  --stores LIST         stores to compare, the first is the reference (default: naive,dedup)
  --ablation            also run the dedup store with each fix alone (prune, dedupe, orphans, lazy)
  --duration D          how long each run lasts: 90s, 10m, 1h (default: the scenario's)
  --seed N              the seed every run shares (default: the scenario's)
  --settle-interval D   how often the probe collects garbage before reading heap and RSS (default: the scenario's)
  --snapshots MODE      heap snapshots for "what grew", after each run's measurement: auto (default: only when
                        memory grows), always, N, never
  --out DIR             folder for the runs, compare.json, compare.md, report.html (default: runs/compare-<scenario>-<UTC time>)
  -h, --help            show this help

exit codes: 0 compared, 2 usage or scenario error, 3 a target crashed, 5 a run's load failed, 130 interrupted`;

interface Variant {
  store: string;
  fixes?: string;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('compare', argv, {
    stores: { type: 'string', default: 'naive,dedup' },
    ablation: { type: 'boolean' },
    duration: { type: 'string' },
    seed: { type: 'string' },
    'settle-interval': { type: 'string' },
    snapshots: { type: 'string', default: 'auto' },
    out: { type: 'string' },
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error(`soakgate compare: expected one scenario file.\n\n${USAGE}`);
    return 2;
  }
  const variants: Variant[] = values.stores.split(',').map((store) => ({ store: store.trim() }));
  if (values.ablation) variants.push(...ALL_FIXES.map((fix) => ({ store: 'dedup', fixes: fix })));
  if (variants.length < 2) {
    console.error('soakgate compare: name at least two stores (--stores naive,dedup) or add --ablation.');
    return 2;
  }

  const scenarios = [];
  let snapshots: SnapshotMode;
  try {
    snapshots = parseSnapshotMode(values.snapshots);
    for (const v of variants) {
      scenarios.push(await loadScenarioWith(positionals[0], { ...v, duration: values.duration, seed: values.seed, 'settle-interval': values['settle-interval'] }));
    }
  } catch (err) {
    console.error(`soakgate compare: ${(err as Error).message}`);
    return 2;
  }
  const out = resolve(values.out ?? defaultRunDir(`compare-${scenarios[0].name}`, variants.map((v) => v.store).join('-')));
  mkdirSync(out, { recursive: true });

  const interrupt = interruptOnSignals((signal) => console.error(`\n${signal}: stopping the current run, keeping its samples`));
  const runs: Array<{ label: string; result: RunResult }> = [];
  try {
    for (const scenario of scenarios) {
      const label = targetSlug(scenario);
      console.log(`compare: ${scenario.name} on ${label} (${runs.length + 1} of ${scenarios.length}), ${scenario.duration} s, seed ${scenario.seed}`);
      const progress = new Progress({ durationS: scenario.duration, warmupS: scenario.warmup });
      const result = await runScenario(scenario, {
        out: join(out, label),
        signal: interrupt.signal,
        snapshots,
        onProgress: (sample, storms) => progress.update(sample, storms),
        onNote: (message) => progress.note(message),
        requested: { compare: true, snapshots: values.snapshots },
      });
      progress.finish();
      if (result.interrupted) return EXIT_INTERRUPTED;
      if (result.crashed) {
        console.error(`soakgate compare: the target crashed in ${result.runDir}; see its report: soakgate report ${result.runDir}`);
        return EXIT_CRASHED;
      }
      // The comparison is still made and written: the naive store's latency climbs with its leak until requests
      // time out, and that is part of what it shows. The exit code says so at the end.
      if (result.summary.load?.failed) {
        console.error(`soakgate compare: ${label}: ${result.summary.load.failed}; flat metrics of that run say little`);
      }
      runs.push({ label, result });
    }
  } finally {
    interrupt.release();
  }

  const warmupS = scenarios[0].warmup;
  const samplesOf = (r: RunResult) => parseSamples(readFileSync(join(r.runDir, 'samples.jsonl'), 'utf8')).samples;
  const reference = runs[0];
  const referenceSamples = samplesOf(reference.result);
  const differences: Record<string, Record<string, SlopeDifference>> = {};
  for (const other of runs.slice(1)) {
    differences[other.label] = compareRuns(referenceSamples, samplesOf(other.result), { warmupS, seed: scenarios[0].seed });
  }
  const comparison = {
    scenario: scenarios[0].name,
    reference: reference.label,
    runs: runs.map((r) => ({ label: r.label, runDir: r.label, metrics: r.result.summary.metrics, operations: r.result.summary.operations })),
    differences,
  };
  writeJsonAtomically(join(out, 'compare.json'), comparison);
  const markdown = compareMarkdown(reference.label, differences);
  writeFileSync(join(out, 'compare.md'), markdown);
  console.log(`\n${markdown}`);
  try {
    const report = await writeCompareReport(
      runs.map((r) => r.result.runDir),
      join(out, 'report.html'),
      `soakgate compare: ${scenarios[0].name}, ${runs.map((r) => r.label).join(' vs ')}`,
      { differences: { reference: reference.label, against: differences } },
    );
    console.log(`report: ${report}`);
  } catch (err) {
    console.error(`soakgate compare: the report could not be written: ${(err as Error).message}`);
  }
  console.log(`compare folder: ${out}`);
  const failedLoads = runs.filter((r) => r.result.summary.load?.failed);
  if (failedLoads.length > 0) {
    console.error(`soakgate compare: the load failed on ${failedLoads.map((r) => r.label).join(' and ')} (exit ${EXIT_LOAD_FAILED})`);
    return EXIT_LOAD_FAILED;
  }
  return 0;
}

function compareMarkdown(reference: string, differences: Record<string, Record<string, SlopeDifference>>): string {
  const lines = [`## How much faster ${reference} grows (slope per minute, 95% bootstrap interval)`, ''];
  lines.push(`| metric | against | ${reference} | other | difference [interval] | ratio |`, '| --- | --- | ---: | ---: | --- | ---: |');
  for (const [label, byMetric] of Object.entries(differences)) {
    for (const metric of GATED_BY_DEFAULT) {
      const d = byMetric[metric];
      if (!d) continue;
      const interval = `${formatRate(d.difference, d.unit)} [${formatRate(d.ciLow, d.unit)}, ${formatRate(d.ciHigh, d.unit)}]`;
      lines.push(
        `| ${metric} | ${label} | ${formatRate(d.slopeA, d.unit)} | ${formatRate(d.slopeB, d.unit)} | ${interval} | ${d.ratio === null ? 'n/a' : `${d.ratio.toFixed(1)}x`} |`,
      );
    }
  }
  return lines.join('\n');
}
