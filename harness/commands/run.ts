// `soakgate run <scenario>`: one scenario against its target, with live progress, into a run folder. Ctrl-C or
// SIGTERM ends it cleanly (load, then target, samples kept, exit 130); a second Ctrl-C ends it at once.
// `run --resume <run-dir>` carries on a run cut short, into the same folder and the same series.
import { join, resolve } from 'node:path';
import { EXIT_REGRESSION, EXIT_USAGE, UsageError } from '../contracts/exitCodes.ts';
import type { Summary } from '../contracts/summary.ts';
import { checksTable } from '../gate/markdown.ts';
import { Progress } from '../run/progress.ts';
import { defaultRunDir, writeJsonAtomically } from '../run/runFolder.ts';
import { prepareResume, type PreparedResume } from '../run/resumeRun.ts';
import type { RunResult } from '../run/runScenario.ts';
import { runScenario } from './lazyRunScenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { parseSnapshotMode } from '../heap/snapshotPlan.ts';
import { judgeBudgets } from '../gate/judge.ts';
import { labelNotes } from '../analysis/verdict.ts';
import { describeStormLoad } from '../storms/loadCheck.ts';
import { describeLive, LiveVerdict, parseByteSize } from '../run/liveVerdict.ts';
import type { MetricsExporter } from '../run/metricsExporter.ts';
import type { Sample } from '../contracts/sample.ts';
import type { StormFigures } from '../storms/stormTally.ts';
import { formatBytes, formatRate } from '../analysis/units.ts';
import { metricsWith } from '../analysis/metricCatalogue.ts';
import { parseCommandLine } from './commandLine.ts';
import { writeReportOf } from './runReport.ts';
import { interruptOnSignals, loadScenarioWith, RUN_OPTIONS, runUsage } from './scenarioOptions.ts';

const USAGE = `usage: soakgate run <scenario> [options]
       soakgate run --resume <run-dir> [--snapshots MODE] [--memory-limit SIZE] [--metrics-port PORT] [--no-report]

Runs one scenario file (scenarios/*.ts or .json) against its target and records samples.jsonl, run.json,
summary.json and report.html in a run folder.

--resume carries on a run that was cut short (the harness killed, the machine rebooted, Ctrl-C) in its own
folder: the same scenario file and options, the target started again on its data (a leftover target of
that run is stopped first), samples appended on the same clock from where they stopped, and the summary
and report rebuilt over the whole run. A finished run, or one whose target crashed, is not resumed.

options:
${runUsage(
  `  --store naive|dedup   the embedded gateway's session store (gateway scenarios only)`,
  `  --out DIR             the run folder (default: runs/<scenario>-<store>-<UTC time>); with --resume the run's own`,
)}
  --memory-limit SIZE   e.g. 1GB: the live verdict says when RSS would reach it at the current slope
  --metrics-port PORT   serve the live samples and verdicts in Prometheus text format on 127.0.0.1:PORT/metrics
  --resume DIR          carry on the run cut short in DIR (no scenario, --out, --store, --fixes,
                        --duration or --seed: it keeps its own)
  -h, --help            show this help

The scenario's budgets are judged once the run is over, as the gate judges them (no baseline needed): a
budget whose slope is clearly over it (the interval's lower bound above it) fails the run, even by a little;
a slope over it but not clearly is reported as borderline and passes.

exit codes: 0 finished within budget, 1 a budget clearly exceeded, 2 usage or scenario error, 3 the target
crashed, 4 internal error (a bug: please report it), 5 the load failed (a storm's requests mostly failed or
got no answer; the scenario's maxErrorShare), 130 interrupted`;

/** What a resumed run keeps from its first start and may not be given again. */
const RUN_OWN_OPTIONS = ['out', 'store', 'fixes', 'duration', 'seed'] as const;

/** Metrics the live verdict follows while a run goes on. */
const LIVE_METRICS = metricsWith('live');

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--metrics-port takes a port from 0 to 65535; got '${text}'.`);
  return port;
}

const HEADLINE_METRICS = metricsWith('headline');

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('run', argv, {
    ...RUN_OPTIONS,
    'memory-limit': { type: 'string' },
    'metrics-port': { type: 'string' },
    resume: { type: 'string' },
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (values.resume !== undefined) {
    const clashing = [...(positionals.length ? ['the scenario file'] : []), ...RUN_OWN_OPTIONS.filter((name) => values[name] !== undefined).map((name) => `--${name}`)];
    if (clashing.length > 0) {
      console.error(`soakgate run: --resume carries on a run with its own scenario and options; drop ${clashing.join(', ')}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
  } else if (positionals.length !== 1) {
    console.error(`soakgate run: expected one scenario file, got ${positionals.length ? positionals.join(' ') : 'none'}; e.g. soakgate run scenarios/production-mix.ts\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  // Scenario, resume and option mistakes throw UsageError: the command line's boundary (dispatch.ts) exits 2.
  const resumed = values.resume === undefined ? undefined : await prepareResume(values.resume);
  const scenario = resumed?.scenario ?? (await loadScenarioWith(positionals[0], values));
  const snapshots = parseSnapshotMode(values.snapshots ?? resumed?.snapshots ?? 'auto');
  const limitBytes = values['memory-limit'] === undefined ? undefined : parseByteSize(values['memory-limit']);
  const metricsPort = values['metrics-port'] === undefined ? undefined : parsePort(values['metrics-port']);

  const targetName = 'gateway' in scenario.target ? scenario.target.gateway.store : 'command';
  const out = resumed?.runDir ?? values.out ?? defaultRunDir(scenario.name, targetName);
  const progress = new Progress({ durationS: scenario.duration, warmupS: scenario.warmup });
  for (const pid of resumed?.stoppedPids ?? []) progress.note(`stopped pid ${pid}, the target the cut-short run left running`);
  // prom-client loads only for --metrics-port.
  const exporter = metricsPort === undefined ? undefined : await (await import('../run/metricsExporter.ts')).MetricsExporter.listen(metricsPort, { scenario: scenario.name, target: targetName });
  if (exporter) progress.note(`live metrics for Prometheus at ${exporter.url}`);
  // A second Ctrl-C exits at once; the target runs in its own process group, and commandTarget's exit hook kills it.
  const interrupt = interruptOnSignals((signal) =>
    progress.note(`${signal}: stopping the load and the target, keeping the samples (Ctrl-C again to quit at once)`),
  );
  let result: RunResult;
  try {
    result = await runScenario(scenario, {
      out,
      signal: interrupt.signal,
      snapshots,
      onProgress: followLive({ scenario, out, progress, exporter, limitBytes, resumed }),
      onNote: (message) => progress.note(message),
      requested: { argv, store: values.store, fixes: values.fixes, duration: values.duration, seed: values.seed, snapshots: values.snapshots },
      ...(resumed ? { resume: resumed.from } : {}),
      ...(Object.keys(scenario.budgets).length > 0 ? { judge: (summary: Summary) => budgetsOf(summary, scenario) } : {}),
    });
  } finally {
    progress.finish();
    interrupt.release();
    await exporter?.close();
  }
  printResult(result);
  if (result.summary.gate) printBudgets(result.summary.gate);
  if (!values['no-report']) {
    const report = await writeReportOf('run', result.runDir);
    if (report) console.log(`report: ${report}`);
  }
  return result.exitCode;
}

interface LiveFollow {
  scenario: Scenario;
  out: string;
  progress: Progress;
  exporter: MetricsExporter | undefined;
  limitBytes: number | undefined;
  resumed: PreparedResume | undefined;
}

/** The progress line, the live verdict and the Prometheus figures, fed every sample as it is written. */
function followLive({ scenario, out, progress, exporter, limitBytes, resumed }: LiveFollow): (sample: Sample, storms: StormFigures[]) => void {
  const live = new LiveVerdict({ metrics: LIVE_METRICS, warmupS: scenario.warmup, limitBytes });
  // A resumed run's verdicts and exported figures start from its whole series so far, not from the resume.
  const before = resumed?.from.samples ?? [];
  for (const sample of before) live.add(sample);
  if (before.length > 0) exporter?.update(before.at(-1)!);
  // Every 5 s on a short run, every minute on an hour-long soak.
  const verdictEveryS = Math.min(60, Math.max(5, scenario.duration / 20));
  let nextVerdictAt = Math.max(scenario.warmup, resumed?.from.lastT ?? 0) + verdictEveryS;
  return (sample, storms) => {
    progress.update(sample, storms);
    live.add(sample);
    exporter?.update(sample);
    if (sample.t < nextVerdictAt) return;
    nextVerdictAt = sample.t + verdictEveryS;
    const verdicts = live.current();
    exporter?.updateVerdict(verdicts);
    for (const v of verdicts) progress.note(`live verdict: ${describeLive(v)}`);
    // The analysis so far, checkpointed: should the harness itself die, the folder still says what it had seen.
    writeJsonAtomically(join(resolve(out), 'live.json'), {
      t: sample.t,
      metrics: Object.fromEntries(verdicts.map((v) => [v.metric, { ...v.summary, secondsToLimit: v.secondsToLimit }])),
    });
  };
}

/**
 * The scenario's budgets judged as the gate judges them, without a baseline (docs/ARCHITECTURE.md, "Budgets in a
 * run"), when the run finishes: kept in summary.json's `gate`, where the report shows them, and a failing one is the
 * run's exit code (1). A run that crashed or was interrupted is not judged: its exit code already says why.
 */
function budgetsOf(summary: Summary, scenario: Scenario): NonNullable<Summary['gate']> {
  const { pass, checks } = judgeBudgets(summary.metrics, scenario.budgets);
  return { pass, checks };
}

/** The budgets' verdict and the gate's check lines. */
function printBudgets(judged: NonNullable<Summary['gate']>): void {
  const over = [...new Set(judged.checks.filter((c) => !c.pass).map((c) => c.metric))];
  const unclear = judged.checks.filter((c) => c.pass && c.borderline).map((c) => c.metric);
  const verdict = judged.pass
    ? `within budget${unclear.length ? ` (borderline: ${unclear.join(', ')} over budget but not clearly; a longer run decides)` : ''}`
    : `over budget: ${over.join(', ')} (exit ${EXIT_REGRESSION})`;
  console.log(`\nbudgets: ${verdict}`);
  for (const line of checksTable(judged.checks)) console.log(line);
}

function printResult(result: RunResult): void {
  const { summary } = result;
  const state = result.crashed ? 'target crashed' : result.interrupted ? 'interrupted' : 'finished';
  console.log(`\n${summary.scenario} on ${summary.target}: ${state} after ${summary.durationS.toFixed(0)} s, ${summary.samples} samples`);
  if (summary.load?.failed) console.log(`  ${summary.load.failed}`);
  if (result.crashed) {
    const { code, signal, lastLines } = result.crashed;
    // A target stopped for never getting ready has no exit status to show: what happened is its first line.
    const how = signal ? `ended with signal ${signal}` : code !== null ? `ended with exit code ${code}` : 'never got ready';
    console.log(`  the target ${how}; its last output lines:`);
    for (const line of lastLines.slice(-15)) console.log(`    | ${line}`);
  }
  const filesAndState = Object.keys(summary.metrics).filter((name) => name.startsWith('file:') || name.startsWith('state:'));
  for (const name of [...HEADLINE_METRICS, ...filesAndState]) {
    const metric = summary.metrics[name];
    if (!metric) continue;
    const perMin = formatRate(metric.slopePerMin, metric.unit);
    const notes = labelNotes(name, summary.metrics);
    console.log(`  ${name.padEnd(18)} ${metric.verdict.padEnd(12)} ${perMin}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  }
  const top = summary.heap?.grew[0];
  if (top) {
    console.log(`  what grew most (memlab): ${top.name}, ${top.countFirst} -> ${top.countLast} objects, retained ${formatBytes(top.retainedFirst)} -> ${formatBytes(top.retainedLast)}`);
  }
  const operations = Object.entries(summary.operations).map(([kind, count]) => `${kind} ${count}`).join(', ');
  if (operations) console.log(`  operations: ${operations}`);
  for (const storm of summary.load?.storms ?? []) console.log(`  load: ${describeStormLoad(storm)}`);
  console.log(`run folder: ${result.runDir}`);
}
