// `soakgate gate`: the CI regression gate. Runs each scenario, judges every gated metric against the scenario's
// budgets and its committed baseline, confirms a borderline failure with one rerun, and leaves gate.json, JUnit XML,
// a Markdown summary and a report for the CI to publish. Exit 0 pass, 1 regression, 2 usage, 3 crash, 4 internal
// error, 5 load failed, 130 Ctrl-C.
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { analyzeSamples } from '../analysis/analyze.ts';
import { metricInfo } from '../analysis/metricCatalogue.ts';
import { failuresHeld, isDecided } from '../analysis/decided.ts';
import { checkBaselineFits, type Baseline } from '../gate/baseline.ts';
import { combineGateResults, type GateScenarioResult } from '../gate/gateResult.ts';
import { gatedMetrics, judgeRun, MEMORY_CHECKED, type Judgement } from '../gate/judge.ts';
import { formatShard, parseShard, pickShard } from '../gate/shard.ts';
import { parseSnapshotMode, type SnapshotMode } from '../heap/snapshotPlan.ts';
import { writeGateOutputs } from '../gate/writeGateOutputs.ts';
import { Progress } from '../run/progress.ts';
import { defaultRunDir, writeJsonAtomically } from '../run/runFolder.ts';
import { EXIT_CRASHED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError } from '../contracts/exitCodes.ts';
import type { RunResult } from '../run/runScenario.ts';
import { runScenario } from './lazyRunScenario.ts';
import type { Sample } from '../contracts/sample.ts';
import type { Scenario } from '../scenario/schema.ts';
import {
  baselineExists,
  baselineFile,
  interruptOnSignals,
  loadScenarioWith,
  machineFingerprint,
  OVERRIDE_OPTIONS,
  OVERRIDE_USAGE,
  readBaselineFile,
  targetSlug,
} from './scenarioOptions.ts';
import { parseCommandLine } from './commandLine.ts';
import { parseDuration } from '../scenario/duration.ts';
import { writeReportOf } from './runReport.ts';

const DEFAULT_SCENARIOS = ['scenarios/ci-gate.ts'];
/** How often a run is looked at to end it early (a verdict, or a clear failure, must hold over three looks). */
const DECIDE_EVERY_S = 2.5;
/**
 * A gate run's default time limit: its scenario's duration plus a fifth, at least 10 s (ci-gate: 60 s). A heap
 * diagnosis that cannot end within it is not begun, or stopped; the measured window never is.
 */
const TIME_LIMIT_SHARE = 0.2;
const TIME_LIMIT_LEAST_S = 10;
/** Kept back from the time limit for what follows the diagnosis: judging, the report, the target's stop. */
const FINISHING_S = 5;

const USAGE = `usage: soakgate gate [scenario ...] [options]

Runs each scenario (default: ${DEFAULT_SCENARIOS.join(' ')} against the dedup store) and fails when a metric grows
faster than its baseline allows, clearly and by enough to matter. Writes gate.json, junit.xml, gate.md and
report.html into the output folder; the Markdown is appended to $GITHUB_STEP_SUMMARY when that is set.

options:
${OVERRIDE_USAGE}
  --out DIR             the gate's folder (default: runs/gate-<UTC time>); one run folder per scenario inside
  --baselines DIR       where baselines live (default: baselines); each is <scenario>.<target>.json
  --baseline FILE       judge against this baseline file instead (one scenario only)
  --shard i/n           run only this CI job's share of the scenarios; join the shards with soakgate merge
  --stop-when-decided   end each run early once every gated metric has a clear verdict, a pass too (by default
                        only a clear failure, once every memory metric is decided, ends a run early)
  --full-window         run each scenario to its end even after a clear failure
  --time-limit D        wall time for each run, diagnosis included (default: the scenario's duration plus a fifth,
                        at least 10 s): heap snapshots that would not fit are skipped, never the measurement
  --no-rerun            fail a borderline result at once instead of confirming it with a rerun
  --snapshots MODE      heap snapshots for "what grew": auto (default: only when memory grows), always, N, never
  -h, --help            show this help

exit codes: 0 pass, 1 regression, 2 usage or configuration error, 3 target crashed, 4 internal error (a bug:
please report it), 5 load failed (a storm's requests mostly failed or got no answer), 130 interrupted`;

interface GatePlan {
  file: string;
  scenario: Scenario;
  baselineFile: string;
  baseline: Baseline;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('gate', argv, {
    ...OVERRIDE_OPTIONS,
    out: { type: 'string' },
    baselines: { type: 'string', default: 'baselines' },
    baseline: { type: 'string' },
    shard: { type: 'string' },
    'stop-when-decided': { type: 'boolean' },
    'full-window': { type: 'boolean' },
    'time-limit': { type: 'string' },
    'no-rerun': { type: 'boolean' },
    snapshots: { type: 'string', default: 'auto' },
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  // Option, scenario and baseline mistakes throw UsageError: the command line's boundary (dispatch.ts) exits 2.
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const snapshots = parseSnapshotMode(values.snapshots);
  const timeLimitS = values['time-limit'] === undefined ? undefined : parseTimeLimit(values['time-limit']);
  if (values['stop-when-decided'] && values['full-window']) {
    console.error('soakgate gate: --stop-when-decided ends runs early and --full-window never does: choose one.');
    return EXIT_USAGE;
  }
  const files = positionals.length > 0 ? positionals : DEFAULT_SCENARIOS;
  if (values.baseline && files.length > 1) {
    console.error('soakgate gate: --baseline names one file, so it takes one scenario; use --baselines DIR for several.');
    return EXIT_USAGE;
  }

  // Everything is checked before anything runs: a missing baseline found after ten minutes of soaking wastes them.
  const plans: GatePlan[] = [];
  for (const file of shard ? pickShard(files, shard, (f) => f) : files) {
    const scenario = await loadScenarioWith(file, values);
    const bFile = values.baseline ?? baselineFile(scenario, values.baselines);
    if (!baselineExists(bFile)) {
      const store = 'gateway' in scenario.target ? ' --store dedup' : '';
      console.error(
        `soakgate gate: no baseline for ${scenario.name} (${bFile}). Record one on a known-good target with:\n` +
          `  soakgate baseline ${file}${store} --runs 3 --write\nand commit it.`,
      );
      return EXIT_USAGE;
    }
    const baseline = readBaselineFile(bFile);
    checkBaselineFits(baseline, bFile, scenario.name, 'gateway' in scenario.target ? 'gateway' : 'command');
    plans.push({ file, scenario, baselineFile: bFile, baseline });
  }
  const out = resolve(values.out ?? defaultRunDir('gate', shard ? `shard${shard.index}of${shard.count}` : 'all'));
  mkdirSync(out, { recursive: true });
  // A shard's gate.json names the whole list it was split from, so merge can tell a shard left with no scenario
  // (a complete part of the set) from one that never reported (docs/ARCHITECTURE.md, "Sharded gates").
  const shardInfo = shard ? { shard: formatShard(shard), scenarioFiles: files } : {};
  if (plans.length === 0) {
    // More matrix jobs than scenarios: this job has nothing to judge, which is no failure; merge counts it.
    console.log(`soakgate gate: shard ${formatShard(shard!)} has no scenario to run (${files.length} in all); nothing to judge.`);
    writeJsonAtomically(join(out, 'gate.json'), { pass: true, exitCode: EXIT_OK, ...shardInfo, createdAt: new Date().toISOString(), scenarios: [] });
    return EXIT_OK;
  }
  const interrupt = interruptOnSignals((signal) => console.error(`\n${signal}: stopping the run, keeping its samples (again to quit at once)`));
  const results: GateScenarioResult[] = [];
  try {
    for (const plan of plans) {
      const judged = await gateScenario(plan, out, {
        rerun: !values['no-rerun'],
        stopWhenDecided: Boolean(values['stop-when-decided']),
        failFast: !values['full-window'],
        timeLimitS,
        snapshots,
        signal: interrupt.signal,
      });
      if (!judged) return EXIT_INTERRUPTED;
      results.push(judged);
    }
  } finally {
    interrupt.release();
  }

  const result = { ...combineGateResults(results, new Date().toISOString()), ...shardInfo };
  await writeGateOutputs(result, out);
  return result.exitCode;
}

interface GateRunOptions {
  rerun: boolean;
  snapshots: SnapshotMode;
  /** End a run once every gated metric is decided, passing or failing. */
  stopWhenDecided: boolean;
  /** End a run once a check fails clearly and every memory metric is decided (the default). */
  failFast: boolean;
  /** Each run's wall time, diagnosis included; default from the scenario's duration. */
  timeLimitS: number | undefined;
  signal: AbortSignal;
}

function parseTimeLimit(text: string): number {
  let seconds: number;
  try {
    seconds = parseDuration(text);
  } catch (err) {
    throw new UsageError(`--time-limit: ${(err as Error).message}`);
  }
  if (seconds <= 0) throw new UsageError(`--time-limit must be more than 0 s, got '${text}'`);
  return seconds;
}

/** The scenario's duration plus a fifth, at least TIME_LIMIT_LEAST_S more. */
export function defaultTimeLimitS(durationS: number): number {
  return durationS + Math.max(TIME_LIMIT_LEAST_S, durationS * TIME_LIMIT_SHARE);
}

/** Runs and judges one scenario (twice when the first judgement is a borderline failure); null when interrupted. */
async function gateScenario(plan: GatePlan, out: string, options: GateRunOptions): Promise<GateScenarioResult | null> {
  const { scenario } = plan;
  const slug = targetSlug(scenario);
  console.log(`gate: ${scenario.name} on ${slug}, ${scenario.duration} s, judged against ${plan.baselineFile}`);
  let run = await soak(plan, join(out, `${scenario.name}-${slug}`), options);
  if (!run) return null;
  let judgement = judge(plan, run);
  let reran = false;
  if (run.exitCode === EXIT_OK && onlyBorderlineFailures(judgement) && options.rerun) {
    console.log(`gate: ${scenario.name} is borderline (${failedMetrics(judgement)}); running it once more to confirm`);
    run = await soak(plan, join(out, `${scenario.name}-${slug}-rerun`), options);
    if (!run) return null;
    judgement = judge(plan, run);
    reran = true;
  }
  const crashed = run.exitCode === EXIT_CRASHED;
  const loadFailed = run.summary.load?.failed;
  const pass = judgement.pass && !crashed && loadFailed === undefined;
  const summary = { ...run.summary, gate: { pass, checks: judgement.checks } };
  writeJsonAtomically(join(run.runDir, 'summary.json'), summary);
  for (const noteText of judgement.notes) console.log(`gate: note: ${noteText}`);
  await writeReportOf('gate', run.runDir, { baseline: plan.baseline.metrics });
  const regression = judgement.pass ? undefined : `regression in ${failedMetrics(judgement)}`;
  const verdict = crashed ? 'target crashed' : [regression, loadFailed].filter(Boolean).join('; ') || 'pass';
  console.log(`gate: ${scenario.name} on ${slug}: ${verdict}`);
  return {
    scenario: scenario.name,
    target: slug,
    // Relative, so `merge` finds the run wherever CI unpacked the shard's artifact.
    runDir: relative(out, run.runDir),
    pass,
    crashed,
    ...(loadFailed === undefined ? {} : { loadFailed }),
    reran,
    durationS: run.summary.durationS,
    checks: judgement.checks,
  };
}

function judge(plan: GatePlan, run: RunResult): Judgement {
  return judgeMetrics(plan, run.summary.metrics);
}

function judgeMetrics(plan: GatePlan, metrics: RunResult['summary']['metrics']): Judgement {
  return judgeRun(metrics, plan.scenario.budgets, plan.baseline, { nodeVersion: process.version, machine: machineFingerprint() });
}

/**
 * Diagnose what the gate acts on: a memory check failing or borderline. Growth the baseline has too (the dedup
 * store's RSS warms up through ci-gate's first minute) is no regression, and snapshotting it costs a passing CI
 * run 13 s for memlab to find nothing.
 */
function diagnosisReasons(plan: GatePlan, metrics: RunResult['summary']['metrics']): string[] {
  const checks = judgeMetrics(plan, metrics).checks.filter((c) => MEMORY_CHECKED.has(c.metric) && (!c.pass || c.borderline));
  return [...new Set(checks.map((c) => `${c.metric} ${c.pass ? 'borderline' : 'fails'}`))];
}

/** A failure that rests only on near-misses is confirmed by a rerun; one clear failure decides at once. */
function onlyBorderlineFailures(judgement: Judgement): boolean {
  const failed = judgement.checks.filter((c) => !c.pass);
  return failed.length > 0 && failed.every((c) => c.borderline);
}

function failedMetrics(judgement: Judgement): string {
  return [...new Set(judgement.checks.filter((c) => !c.pass).map((c) => c.metric))].join(', ');
}

/**
 * One run with progress. It ends early (failFast, the default) once some check has failed clearly in three looks in
 * a row and every memory metric is decided; with stopWhenDecided also once every gated metric's verdict has held
 * over three looks, a pass included. Its diagnosis must end within the time limit, less what follows it.
 */
async function soak(plan: GatePlan, runDir: string, options: GateRunOptions): Promise<RunResult | null> {
  const { scenario } = plan;
  const timeLimitS = options.timeLimitS ?? defaultTimeLimitS(scenario.duration);
  const deadline = { atMs: Date.now() + (timeLimitS - FINISHING_S) * 1000, what: `the gate's time limit of ${timeLimitS} s a run` };
  const looking = options.stopWhenDecided || options.failFast;
  const progress = new Progress({ durationS: scenario.duration, warmupS: scenario.warmup });
  const finish = new AbortController();
  const samples: Sample[] = [];
  const history: ReturnType<typeof analyzeSamples>[] = [];
  const clearFailures: string[][] = [];
  let nextLookAt = scenario.warmup + DECIDE_EVERY_S;
  const result = await runScenario(scenario, {
    out: runDir,
    signal: options.signal,
    finish: finish.signal,
    snapshots: options.snapshots,
    deadline,
    diagnoseWhen: (metrics) => diagnosisReasons(plan, metrics),
    onNote: (message) => progress.note(message),
    onProgress: (sample, storms) => {
      progress.update(sample, storms);
      if (!looking) return;
      samples.push(sample);
      if (sample.t < nextLookAt) return;
      nextLookAt = sample.t + DECIDE_EVERY_S;
      const metrics = analyzeSamples(samples, { warmupS: scenario.warmup });
      history.push(metrics);
      clearFailures.push(judgeMetrics(plan, metrics).checks.filter((c) => !c.pass && !c.borderline).map((c) => c.metric));
      const failing = failuresHeld(clearFailures);
      const decision = isDecided(history, gatedMetrics(metrics, scenario.budgets));
      if (finish.signal.aborted) return;
      // Once a check keeps failing clearly the gate fails whatever else happens; the run goes on only until every
      // memory metric has a verdict too, so the report says which of them grew.
      const failed = (metric: string) => failing.includes(metric) || failing.includes(metricInfo(metric).sameSignal ?? metric);
      const openMemory = decision.undecided.filter((metric) => MEMORY_CHECKED.has(metric) && !failed(metric));
      const why = decision.decided && options.stopWhenDecided
        ? 'every gated metric is decided'
        : options.failFast && failing.length > 0 && openMemory.length === 0
          ? `${failing.join(', ')} failed clearly in 3 looks in a row, and every memory metric is decided`
          : null;
      if (why) {
        progress.note(`${why} after ${Math.round(sample.t)} s; ending the run early`);
        finish.abort();
      }
    },
    requested: { gate: true, stopWhenDecided: options.stopWhenDecided, failFast: options.failFast, timeLimitS },
  });
  progress.finish();
  return result.interrupted ? null : result;
}
