// `soakgate baseline`: records how a known-good target grows under a scenario, from N runs, as the committed
// baseline the gate judges later runs against (baselines/<scenario>.<target>.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildBaseline } from '../gate/baseline.ts';
import { formatRate } from '../analysis/units.ts';
import { Progress } from '../run/progress.ts';
import { defaultRunDir } from '../run/runFolder.ts';
import { EXIT_CRASHED, EXIT_INTERRUPTED, EXIT_LOAD_FAILED, EXIT_OK, EXIT_USAGE } from '../contracts/exitCodes.ts';
import { runScenario } from './lazyRunScenario.ts';
import type { Summary } from '../contracts/summary.ts';
import { baselineFile, interruptOnSignals, loadScenarioWith, machineFingerprint, OVERRIDE_OPTIONS, OVERRIDE_USAGE, targetSlug } from './scenarioOptions.ts';
import { parseCommandLine } from './commandLine.ts';
import { writeReportOf } from './runReport.ts';

const USAGE = `usage: soakgate baseline <scenario> [options]

Runs the scenario N times against a known-good target and prints the baseline: each metric's slope, interval and
noise. With --write it is saved as <baselines>/<scenario>.<target>.json, to commit beside the scenario.

options:
${OVERRIDE_USAGE}
  --runs N              how many runs (default 3); the seed goes up by one each run
  --write               save the baseline file (otherwise only print it)
  --baselines DIR       where baselines live (default: baselines)
  --out DIR             folder for the runs (default: runs/baseline-<scenario>-<UTC time>)
  -h, --help            show this help

Each run's folder gets its report.html.

exit codes: 0 recorded, 2 usage or scenario error, 3 a target crashed, 4 internal error (a bug: please report
it), 5 a run's load failed (nothing written for either), 130 interrupted`;

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('baseline', argv, {
    ...OVERRIDE_OPTIONS,
    runs: { type: 'string', default: '3' },
    write: { type: 'boolean' },
    baselines: { type: 'string', default: 'baselines' },
    out: { type: 'string' },
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const runs = Number(values.runs);
  if (positionals.length !== 1 || !Number.isInteger(runs) || runs < 1 || runs > 50) {
    console.error(`soakgate baseline: expected one scenario file and --runs between 1 and 50.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  // A bad scenario throws ScenarioError, which the command line's boundary (dispatch.ts) turns into exit 2.
  const scenario = await loadScenarioWith(positionals[0], values);
  const slug = targetSlug(scenario);
  if (values.write && slug !== 'gateway-dedup' && 'gateway' in scenario.target) {
    console.error(
      `soakgate baseline: the gate judges every store of the embedded gateway against the known-good one, the dedup store with all its fixes; ` +
        `a baseline of ${slug} would replace it. Record it with --store dedup, or leave out --write to only look.`,
    );
    return EXIT_USAGE;
  }
  const out = resolve(values.out ?? defaultRunDir(`baseline-${scenario.name}`, slug));
  const interrupt = interruptOnSignals((signal) => console.error(`\n${signal}: stopping; no baseline is written`));
  const summaries: Summary[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      console.log(`baseline: run ${i + 1} of ${runs}: ${scenario.name} on ${slug}, ${scenario.duration} s`);
      const progress = new Progress({ durationS: scenario.duration, warmupS: scenario.warmup });
      const result = await runScenario(
        { ...scenario, seed: scenario.seed + i },
        {
          out: join(out, `run-${i + 1}`),
          signal: interrupt.signal,
          onProgress: (sample, storms) => progress.update(sample, storms),
          onNote: (message) => progress.note(message),
          requested: { baseline: true, run: i + 1, of: runs },
        },
      );
      progress.finish();
      if (result.interrupted) return EXIT_INTERRUPTED;
      await writeReportOf('baseline', result.runDir);
      if (result.crashed) {
        console.error(`soakgate baseline: the target crashed in ${result.runDir}; a crashing target is no baseline. Nothing written.`);
        return EXIT_CRASHED;
      }
      if (result.summary.load?.failed) {
        console.error(`soakgate baseline: ${result.summary.load.failed} (${result.runDir}); a target the load did not reach is no baseline. Nothing written.`);
        return EXIT_LOAD_FAILED;
      }
      summaries.push(result.summary);
    }
  } finally {
    interrupt.release();
  }

  const baseline = buildBaseline(summaries, { nodeVersion: process.version, machine: machineFingerprint(), created: new Date().toISOString() });
  for (const [name, m] of Object.entries(baseline.metrics)) {
    console.log(`  ${name.padEnd(22)} ${formatRate(m.slopePerMin, m.unit).padStart(14)}  runs differ by ${formatRate(m.slopeSpread, m.unit)} (sd)`);
  }
  // The very file the gate reads for this scenario and target.
  const file = baselineFile(scenario, values.baselines);
  if (!values.write) {
    console.log(`\nnot written (add --write to save it as ${file}); the runs are in ${out}`);
    return EXIT_OK;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
  console.log(`\nbaseline written: ${file} (commit it)`);
  return EXIT_OK;
}
