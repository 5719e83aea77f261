// `soakgate run <scenario>`: one scenario against its target, with live progress, into a run folder. Ctrl-C or
// SIGTERM ends it cleanly (load, then target, samples kept, exit 130); a second Ctrl-C ends it at once.
// `run --resume <run-dir>` carries on a run cut short, into the same folder and the same series.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeRunReport } from '../../reports/writeReport.ts';
import { Progress } from '../progress.ts';
import { defaultRunDir, writeJsonAtomically } from '../runFolder.ts';
import { prepareResume, ResumeError, type PreparedResume } from '../resumeRun.ts';
import { EXIT_USAGE, runScenario, type RunResult } from '../runScenario.ts';
import { ScenarioError, type Scenario } from '../scenario.ts';
import { parseSnapshotMode, type SnapshotMode } from '../heap/snapshotPlan.ts';
import { underFloorNote } from '../gate/judge.ts';
import { describeStormLoad } from '../loadCheck.ts';
import { describeLive, LiveVerdict, parseByteSize } from '../liveVerdict.ts';
import { MetricsExporter } from '../metricsExporter.ts';
import { parseSamples, type Sample } from '../sample.ts';
import type { StormFigures } from '../storms/stormTally.ts';
import { formatBytes, formatRate } from '../units.ts';
import { parseCommandLine } from './commandLine.ts';
import { interruptOnSignals, loadScenarioWith, OVERRIDE_OPTIONS, OVERRIDE_USAGE } from './scenarioOptions.ts';

const USAGE = `usage: soakgate run <scenario> [options]
       soakgate run --resume <run-dir> [--snapshots MODE] [--memory-limit SIZE] [--metrics-port PORT] [--no-report]

Runs one scenario file (scenarios/*.ts or .json) against its target and records samples.jsonl, run.json,
summary.json and report.html in a run folder.

--resume carries on a run that was cut short (the harness killed, the machine rebooted, Ctrl-C) in its own
folder: the same scenario file and options, the target started again on its data (a leftover target of
that run is stopped first), samples appended on the same clock from where they stopped, and the summary
and report rebuilt over the whole run. A finished run, or one whose target crashed, is not resumed.

options:
${OVERRIDE_USAGE}
  --out DIR             the run folder (default: runs/<scenario>-<store>-<UTC time>)
  --snapshots MODE      heap snapshots for memlab's "what grew": auto (only once memory is seen growing),
                        always (3), N (2 to 10), or never; default auto, or with --resume the run's own
  --memory-limit SIZE   e.g. 1GB: the live verdict says when RSS would reach it at the current slope
  --metrics-port PORT   serve the live samples and verdicts in Prometheus text format on 127.0.0.1:PORT/metrics
  --no-report           skip report.html (soakgate report <run-dir> builds it later)
  --resume DIR          carry on the run cut short in DIR (no scenario, --out, --store, --fixes,
                        --duration or --seed: it keeps its own)
  -h, --help            show this help

exit codes: 0 finished, 2 usage or scenario error, 3 the target crashed, 5 the load failed (a storm's
requests mostly failed or got no answer; the scenario's maxErrorShare), 130 interrupted`;

/** What a resumed run keeps from its first start and may not be given again. */
const RUN_OWN_OPTIONS = ['out', 'store', 'fixes', 'duration', 'seed'] as const;

/** Metrics the live verdict follows while a run goes on. */
const LIVE_METRICS = ['rssSettledBytes', 'rssBytes', 'heapFloorBytes', 'sessionsFileBytes'];

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--metrics-port takes a port from 0 to 65535; got '${text}'.`);
  return port;
}

const HEADLINE_METRICS = ['rssBytes', 'rssSettledBytes', 'treeRssBytes', 'heapFloorBytes', 'heapUsedBytes', 'sessionsFileBytes', 'transcriptBytes', 'sessionCount'];

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('run', argv, {
    ...OVERRIDE_OPTIONS,
    out: { type: 'string' },
    snapshots: { type: 'string' },
    'memory-limit': { type: 'string' },
    'metrics-port': { type: 'string' },
    'no-report': { type: 'boolean' },
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

  let scenario: Scenario;
  let resumed: PreparedResume | undefined;
  try {
    if (values.resume !== undefined) {
      resumed = await prepareResume(values.resume);
      scenario = resumed.scenario;
    } else {
      scenario = await loadScenarioWith(positionals[0], values);
    }
  } catch (err) {
    if (!(err instanceof ScenarioError) && !(err instanceof ResumeError)) throw err;
    console.error(`soakgate run: ${err.message}`);
    return EXIT_USAGE;
  }

  let snapshots: SnapshotMode;
  let limitBytes: number | undefined;
  let metricsPort: number | undefined;
  try {
    snapshots = parseSnapshotMode(values.snapshots ?? resumed?.snapshots ?? 'auto');
    limitBytes = values['memory-limit'] === undefined ? undefined : parseByteSize(values['memory-limit']);
    metricsPort = values['metrics-port'] === undefined ? undefined : parsePort(values['metrics-port']);
  } catch (err) {
    console.error(`soakgate run: ${(err as Error).message}`);
    return EXIT_USAGE;
  }

  const targetName = 'gateway' in scenario.target ? scenario.target.gateway.store : 'command';
  const out = resumed?.runDir ?? values.out ?? defaultRunDir(scenario.name, targetName);
  const progress = new Progress({ durationS: scenario.duration, warmupS: scenario.warmup });
  for (const pid of resumed?.stoppedPids ?? []) progress.note(`stopped pid ${pid}, the target the cut-short run left running`);
  // A second Ctrl-C exits at once; the target runs in its own process group, and commandTarget's exit hook kills it.
  const interrupt = interruptOnSignals((signal) =>
    progress.note(`${signal}: stopping the load and the target, keeping the samples (Ctrl-C again to quit at once)`),
  );

  const live = new LiveVerdict({ metrics: LIVE_METRICS, warmupS: scenario.warmup, limitBytes });
  let exporter: MetricsExporter | undefined;
  try {
    if (metricsPort !== undefined) {
      exporter = await MetricsExporter.listen(metricsPort, { scenario: scenario.name, target: targetName });
      progress.note(`live metrics for Prometheus at ${exporter.url}`);
    }
  } catch (err) {
    interrupt.release();
    console.error(`soakgate run: ${(err as Error).message}`);
    return EXIT_USAGE;
  }
  // A resumed run's verdicts and exported figures start from its whole series so far, not from the resume.
  const before = resumed ? parseSamples(readFileSync(join(resumed.runDir, 'samples.jsonl'), 'utf8')).samples : [];
  for (const sample of before) live.add(sample);
  if (before.length > 0) exporter?.update(before.at(-1)!);
  // Every 5 s on a short run, every minute on an hour-long soak.
  const verdictEveryS = Math.min(60, Math.max(5, scenario.duration / 20));
  let nextVerdictAt = Math.max(scenario.warmup, resumed?.from.lastT ?? 0) + verdictEveryS;
  const onSample = (sample: Sample, storms: StormFigures[]) => {
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

  let result: RunResult;
  try {
    result = await runScenario(scenario, {
      out,
      signal: interrupt.signal,
      snapshots,
      onProgress: onSample,
      onNote: (message) => progress.note(message),
      requested: { argv, store: values.store, fixes: values.fixes, duration: values.duration, seed: values.seed, snapshots: values.snapshots },
      ...(resumed ? { resume: resumed.from } : {}),
    });
  } catch (err) {
    progress.finish();
    console.error(`soakgate run: ${(err as Error).message}`);
    return EXIT_USAGE;
  } finally {
    interrupt.release();
    await exporter?.close();
  }
  progress.finish();
  printResult(result);
  if (values['no-report']) return result.exitCode;
  try {
    console.log(`report: ${await writeRunReport(result.runDir)}`);
  } catch (err) {
    console.error(`soakgate run: the report could not be written (${(err as Error).message}); rebuild it with soakgate report ${result.runDir}`);
  }
  return result.exitCode;
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
    const under = underFloorNote(metric);
    console.log(`  ${name.padEnd(18)} ${metric.verdict.padEnd(12)} ${perMin}${under ? ` (${under})` : ''}`);
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
