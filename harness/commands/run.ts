// `soakgate run <scenario>`: one scenario against its target, with live progress, into a run folder. Ctrl-C or
// SIGTERM ends it cleanly (load, then target, samples kept, exit 130); a second Ctrl-C ends it at once.
import { parseArgs } from 'node:util';
import { writeRunReport } from '../../reports/writeReport.ts';
import { Progress } from '../progress.ts';
import { defaultRunDir } from '../runFolder.ts';
import { EXIT_USAGE, runScenario, type RunResult } from '../runScenario.ts';
import { ScenarioError, type Scenario } from '../scenario.ts';
import { interruptOnSignals, loadScenarioWith, OVERRIDE_OPTIONS, OVERRIDE_USAGE } from './scenarioOptions.ts';

const USAGE = `usage: soakgate run <scenario> [options]

Runs one scenario file (scenarios/*.ts or .json) against its target and records samples.jsonl, run.json,
summary.json and report.html in a run folder.

options:
${OVERRIDE_USAGE}
  --out DIR             the run folder (default: runs/<scenario>-<store>-<UTC time>)
  --no-report           skip report.html (soakgate report <run-dir> builds it later)
  -h, --help            show this help

exit codes: 0 finished, 2 usage or scenario error, 3 the target crashed, 130 interrupted`;

const HEADLINE_METRICS = ['rssBytes', 'heapFloorBytes', 'heapUsedBytes', 'sessionsFileBytes', 'transcriptBytes', 'sessionCount'];

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...OVERRIDE_OPTIONS,
        out: { type: 'string' },
        'no-report': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`soakgate run: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`soakgate run: expected one scenario file, got ${positionals.length ? positionals.join(' ') : 'none'}; e.g. soakgate run scenarios/production-mix.ts\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  let scenario: Scenario;
  try {
    scenario = await loadScenarioWith(positionals[0], values);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    console.error(`soakgate run: ${err.message}`);
    return EXIT_USAGE;
  }

  const targetName = 'gateway' in scenario.target ? scenario.target.gateway.store : 'command';
  const out = values.out ?? defaultRunDir(scenario.name, targetName);
  const progress = new Progress({ durationS: scenario.duration, warmupS: scenario.warmup });
  // A second Ctrl-C exits at once; the target runs in its own process group, and commandTarget's exit hook kills it.
  const interrupt = interruptOnSignals((signal) =>
    progress.note(`${signal}: stopping the load and the target, keeping the samples (Ctrl-C again to quit at once)`),
  );

  let result: RunResult;
  try {
    result = await runScenario(scenario, {
      out,
      signal: interrupt.signal,
      onProgress: (sample) => progress.update(sample),
      onNote: (message) => progress.note(message),
      requested: { argv, store: values.store, fixes: values.fixes, duration: values.duration, seed: values.seed },
    });
  } catch (err) {
    progress.finish();
    console.error(`soakgate run: ${(err as Error).message}`);
    return EXIT_USAGE;
  } finally {
    interrupt.release();
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
  if (result.crashed) {
    const { code, signal, lastLines } = result.crashed;
    console.log(`  the target ended with ${signal ? `signal ${signal}` : `exit code ${code}`}; its last output lines:`);
    for (const line of lastLines.slice(-15)) console.log(`    | ${line}`);
  }
  const watchedFiles = Object.keys(summary.metrics).filter((name) => name.startsWith('file:'));
  for (const name of [...HEADLINE_METRICS, ...watchedFiles]) {
    const metric = summary.metrics[name];
    if (!metric) continue;
    const perMin = metric.unit === 'bytes' ? `${(metric.slopePerMin / 1_048_576).toFixed(2)} MB/min` : `${metric.slopePerMin.toFixed(2)}/min`;
    console.log(`  ${name.padEnd(18)} ${metric.verdict.padEnd(12)} ${perMin}`);
  }
  const operations = Object.entries(summary.operations).map(([kind, count]) => `${kind} ${count}`).join(', ');
  if (operations) console.log(`  operations: ${operations}`);
  console.log(`run folder: ${result.runDir}`);
}
