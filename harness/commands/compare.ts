// `soakgate compare`: the same seeded storm against several stores (naive and dedup by default; with --ablation the
// dedup store with each fix alone too), and for each metric how much faster the first grows than each other one:
// the difference of slopes with a bootstrap interval, and the ratio. One report overlays them all.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeCompareReport } from '../../reports/writeReport.ts';
import { compareRuns, type SlopeDifference } from '../analysis/bootstrap.ts';
import { EXIT_CRASHED, EXIT_INTERRUPTED, EXIT_LOAD_FAILED, EXIT_OK, EXIT_USAGE } from '../contracts/exitCodes.ts';
import { metricsWith } from '../analysis/metricCatalogue.ts';
import { formatRate } from '../analysis/units.ts';
import { parseSnapshotMode, type SnapshotMode } from '../heap/snapshotPlan.ts';
import { Progress } from '../run/progress.ts';
import { defaultRunDir, writeJsonAtomically } from '../run/runFolder.ts';
import type { RunResult } from '../run/runScenario.ts';
import { runScenario } from './lazyRunScenario.ts';
import { parseSamples } from '../contracts/sample.ts';
import type { Scenario } from '../scenario/schema.ts';
import { GATEWAY_LIMITS } from '../target/gatewayLimits.ts';
import { interruptOnSignals, loadScenarioWith, RUN_OPTIONS, runUsage, targetSlug, type Overrides } from './scenarioOptions.ts';
import { parseCommandLine } from './commandLine.ts';
import { writeReportOf } from './runReport.ts';

const DEFAULT_STORES = 'naive,dedup';

const USAGE = `usage: soakgate compare <scenario> [options]

Runs one scenario against each store with the same seed and compares their growth slopes. Each run gets its
own folder with report.html; the compare folder holds compare.json, compare.md and one report overlaying them.

options:
${runUsage(
  `  --store LIST          stores to compare, comma-separated; the first is the reference (default: ${DEFAULT_STORES})`,
  `  --out DIR             folder for the runs, compare.json, compare.md, report.html (default:
                        runs/compare-<scenario>-<stores>-<UTC time>)`,
)}
  --ablation            also run the dedup store with each fix alone (prune, dedupe, orphans, lazy)
  -h, --help            show this help

--fixes applies to each dedup run named by --store. The options that follow one live run (--memory-limit,
--metrics-port, --resume) are soakgate run's alone.

exit codes: 0 compared, 2 usage or scenario error, 3 a target crashed, 4 internal error (a bug: please report
it), 5 a run's load failed, 130 interrupted`;

interface Variant {
  store: string;
  fixes?: string;
}

interface CompareRun {
  label: string;
  result: RunResult;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('compare', argv, { ...RUN_OPTIONS, ablation: { type: 'boolean' } }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error(`soakgate compare: expected one scenario file.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const variants: Variant[] = (values.store ?? DEFAULT_STORES).split(',').map((store) => store.trim()).filter(Boolean)
    .map((store) => ({ store, ...(store === 'dedup' && values.fixes !== undefined ? { fixes: values.fixes } : {}) }));
  if (values.ablation) variants.push(...GATEWAY_LIMITS.fixes.map((fix) => ({ store: 'dedup', fixes: fix })));
  if (variants.length < 2) {
    console.error(`soakgate compare: name at least two stores (--store ${DEFAULT_STORES}) or add --ablation.`);
    return EXIT_USAGE;
  }
  // Scenario and option mistakes throw UsageError, which the command line's boundary (dispatch.ts) turns into exit 2.
  const snapshots = parseSnapshotMode(values.snapshots ?? 'auto');
  const scenarios: Scenario[] = [];
  for (const v of variants) scenarios.push(await loadScenarioWith(positionals[0], { ...overridesOf(values), ...v }));
  const out = resolve(values.out ?? defaultRunDir(`compare-${scenarios[0].name}`, variants.map((v) => v.store).join('-')));
  mkdirSync(out, { recursive: true });

  const interrupt = interruptOnSignals((signal) => console.error(`\n${signal}: stopping the current run, keeping its samples`));
  const runs: CompareRun[] = [];
  try {
    for (const scenario of scenarios) {
      const run = await compareRun(scenario, out, { snapshots, report: !values['no-report'], signal: interrupt.signal, position: `${runs.length + 1} of ${scenarios.length}` });
      if (run.result.interrupted) return EXIT_INTERRUPTED;
      if (run.result.crashed) {
        console.error(`soakgate compare: the target crashed in ${run.result.runDir}; see its report: soakgate report ${run.result.runDir}`);
        return EXIT_CRASHED;
      }
      runs.push(run);
    }
  } finally {
    interrupt.release();
  }
  await writeComparison(runs, scenarios[0], out, !values['no-report']);
  const failedLoads = runs.filter((r) => r.result.summary.load?.failed);
  if (failedLoads.length > 0) {
    console.error(`soakgate compare: the load failed on ${failedLoads.map((r) => r.label).join(' and ')} (exit ${EXIT_LOAD_FAILED})`);
    return EXIT_LOAD_FAILED;
  }
  return EXIT_OK;
}

/** The overrides every variant shares; --store and --fixes are the variant's own. */
function overridesOf(values: Overrides): Overrides {
  return { duration: values.duration, seed: values.seed, 'settle-interval': values['settle-interval'] };
}

/** One store's run into its own folder under the compare folder, with its report.html. */
async function compareRun(
  scenario: Scenario,
  out: string,
  options: { snapshots: SnapshotMode; report: boolean; signal: AbortSignal; position: string },
): Promise<CompareRun> {
  const label = targetSlug(scenario);
  console.log(`compare: ${scenario.name} on ${label} (${options.position}), ${scenario.duration} s, seed ${scenario.seed}`);
  const progress = new Progress({ durationS: scenario.duration, warmupS: scenario.warmup });
  const result = await runScenario(scenario, {
    out: join(out, label),
    signal: options.signal,
    snapshots: options.snapshots,
    onProgress: (sample, storms) => progress.update(sample, storms),
    onNote: (message) => progress.note(message),
    requested: { compare: true, snapshots: options.snapshots },
  });
  progress.finish();
  if (options.report && !result.interrupted) await writeReportOf('compare', result.runDir);
  // The comparison is still made and written: the naive store's latency climbs with its leak until requests time
  // out, and that is part of what it shows. The exit code says so at the end.
  if (result.summary.load?.failed) {
    console.error(`soakgate compare: ${label}: ${result.summary.load.failed}; flat metrics of that run say little`);
  }
  return { label, result };
}

/** compare.json, compare.md and the report overlaying the runs, each against the first. */
async function writeComparison(runs: CompareRun[], scenario: Scenario, out: string, report: boolean): Promise<void> {
  const samplesOf = (r: RunResult) => parseSamples(readFileSync(join(r.runDir, 'samples.jsonl'), 'utf8')).samples;
  const reference = runs[0];
  const referenceSamples = samplesOf(reference.result);
  const differences: Record<string, Record<string, SlopeDifference>> = {};
  for (const other of runs.slice(1)) {
    differences[other.label] = compareRuns(referenceSamples, samplesOf(other.result), { warmupS: scenario.warmup, seed: scenario.seed });
  }
  const comparison = {
    scenario: scenario.name,
    reference: reference.label,
    runs: runs.map((r) => ({ label: r.label, runDir: r.label, metrics: r.result.summary.metrics, operations: r.result.summary.operations })),
    differences,
  };
  writeJsonAtomically(join(out, 'compare.json'), comparison);
  const markdown = compareMarkdown(reference.label, differences);
  writeFileSync(join(out, 'compare.md'), markdown);
  console.log(`\n${markdown}`);
  if (report) {
    try {
      const file = await writeCompareReport(
        runs.map((r) => r.result.runDir),
        join(out, 'report.html'),
        `soakgate compare: ${scenario.name}, ${runs.map((r) => r.label).join(' vs ')}`,
        { differences: { reference: reference.label, against: differences } },
      );
      console.log(`report: ${file}`);
    } catch (err) {
      console.error(`soakgate compare: the report could not be written: ${(err as Error).message}`);
    }
  }
  console.log(`compare folder: ${out}`);
}

function compareMarkdown(reference: string, differences: Record<string, Record<string, SlopeDifference>>): string {
  const lines = [`## How much faster ${reference} grows (slope per minute, 95% bootstrap interval)`, ''];
  lines.push(`| metric | against | ${reference} | other | difference [interval] | ratio |`, '| --- | --- | ---: | ---: | --- | ---: |');
  for (const [label, byMetric] of Object.entries(differences)) {
    for (const metric of metricsWith('gated')) {
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
