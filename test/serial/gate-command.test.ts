// `soakgate gate`, `baseline` and `merge` end to end on real processes: a missing baseline refuses to run, a leaking
// command target fails against the baseline of a flat one, and two shards merged give the unsharded verdict.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Baseline } from '../../harness/gate/baseline.ts';
import type { GateResult } from '../../harness/gate/gateResult.ts';
import type { Summary } from '../../harness/contracts/summary.ts';

const bin = new URL('../../bin/soakgate.js', import.meta.url).pathname;
const fixture = new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-gate-test-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

function soakgate(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A short scenario on the tiny server, which watches its request log; with `logRequests` the server writes one
 * line per request there, a growth as steady as it gets (memory would need a much longer run to judge reliably).
 */
function writeScenario(name: string, logRequests: boolean): string {
  const file = join(dir, `${name}.json`);
  const scenario = {
    name,
    target: {
      command: {
        argv: [process.execPath, fixture],
        env: logRequests ? { TINY_LOG_FILE: `${name}.log` } : {},
        ready: 'listening on (http://\\S+)',
        files: { requests: `${name}.log` },
      },
    },
    duration: '10s',
    warmup: '2s',
    sampleInterval: '250ms',
    seed: 3,
    load: [{ kind: 'http', method: 'GET', path: `/x/{{n}}?${'pad'.repeat(100)}`, rate: 40 }],
    budgets: {},
  };
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

function readGate(folder: string): GateResult {
  return JSON.parse(readFileSync(join(dir, folder, 'gate.json'), 'utf8')) as GateResult;
}

test('a gate with no baseline refuses to start and says how to record one', async () => {
  const scenario = writeScenario('no-baseline', false);
  const { code, stderr } = await soakgate(['gate', scenario, '--out', 'gate-none']);
  assert.equal(code, 2);
  assert.match(stderr, /no baseline for no-baseline \(baselines\/no-baseline\.command\.json\)/);
  assert.match(stderr, /soakgate baseline .*no-baseline\.json --runs 3 --write/);
  assert.equal(existsSync(join(dir, 'gate-none', 'gate.json')), false, 'nothing ran');
});

test('a bad --shard is a usage error; a shard left with no scenario passes with an empty gate.json', async () => {
  const { code, stderr } = await soakgate(['gate', '--shard', '3/2']);
  assert.equal(code, 2);
  assert.match(stderr, /--shard takes i\/n/);
  const lonely = writeScenario('lonely', false);
  const empty = await soakgate(['gate', lonely, '--shard', '2/2', '--out', 'gate-empty']);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /shard 2\/2 has no scenario to run/);
  const gate = readGate('gate-empty');
  assert.deepEqual(gate.scenarios, []);
  // What merge needs to count this shard as a complete part of the set (test/merge-shards.test.ts).
  assert.deepEqual([gate.shard, gate.scenarioFiles], ['2/2', [lonely]]);
});

test('baseline --write records a flat target; a growing one then fails the gate, and shards merge to the same verdict', async () => {
  // Each scenario has its own baseline. `leaky` is the same server as `flat` until it logs every request, so its
  // baseline is flat's under its own name: recording the same flat server a second time would measure nothing new.
  const flat = writeScenario('flat', false);
  const recorded = await soakgate(['baseline', flat, '--runs', '1', '--write', '--out', 'baseline-flat']);
  assert.equal(recorded.code, 0, recorded.stderr);
  const flatBaseline = JSON.parse(readFileSync(join(dir, 'baselines', 'flat.command.json'), 'utf8')) as Baseline;
  assert.equal(flatBaseline.scenario, 'flat');
  writeFileSync(join(dir, 'baselines', 'leaky.command.json'), JSON.stringify({ ...flatBaseline, scenario: 'leaky' }));
  const leaky = writeScenario('leaky', true);

  const whole = await soakgate(['gate', flat, leaky, '--no-rerun', '--out', 'gate-whole'], { GITHUB_STEP_SUMMARY: join(dir, 'step-summary.md') });
  assert.equal(whole.code, 1, whole.stdout + whole.stderr);
  const wholeGate = readGate('gate-whole');
  const byName = Object.fromEntries(wholeGate.scenarios.map((s) => [s.scenario, s]));
  assert.equal(byName.flat.pass, true, JSON.stringify(byName.flat.checks));
  assert.equal(byName.leaky.pass, false);
  const grew = byName.leaky.checks.filter((c) => !c.pass).map((c) => c.metric);
  assert.ok(grew.includes('file:requests'), `expected the request log to be named, got ${grew}`);
  assert.match(readFileSync(join(dir, 'gate-whole', 'junit.xml'), 'utf8'), /<failure /);
  assert.match(readFileSync(join(dir, 'step-summary.md'), 'utf8'), /soakgate gate: FAIL \(regression\)/);
  assert.ok(existsSync(join(dir, 'gate-whole', 'report.html')));

  // The two shards run at once, as two CI jobs would.
  const [one, two] = await Promise.all([
    soakgate(['gate', flat, leaky, '--no-rerun', '--shard', '1/2', '--out', 'shard-1']),
    soakgate(['gate', flat, leaky, '--no-rerun', '--shard', '2/2', '--out', 'shard-2']),
  ]);
  assert.deepEqual([one.code, two.code].sort(), [0, 1], 'one shard has the flat scenario, the other the leaky one');
  assert.equal(readGate('shard-1').scenarios.length + readGate('shard-2').scenarios.length, 2);

  const merged = await soakgate(['merge', 'shard-1', 'shard-2', '--out', 'merged']);
  assert.equal(merged.code, wholeGate.exitCode);
  const mergedGate = readGate('merged');
  assert.equal(mergedGate.pass, wholeGate.pass);
  const verdicts = (g: GateResult) => g.scenarios.map((s) => `${s.scenario}:${s.pass}`).sort();
  assert.deepEqual(verdicts(mergedGate), verdicts(wholeGate));
  for (const s of mergedGate.scenarios) assert.ok(existsSync(join(dir, 'merged', s.runDir, 'samples.jsonl')), `merged runDir ${s.runDir} resolves`);
  assert.ok(existsSync(join(dir, 'merged', 'report.html')));

  const twice = await soakgate(['merge', 'shard-1', 'shard-1', '--out', 'merged-twice']);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /downloaded twice/);
});

test("a baseline recorded for another scenario or target is refused with exit 2, naming both", async () => {
  const scenario = writeScenario('mine', false);
  const baseline = (name: string, target: string) => ({
    scenario: name, target, runs: 1, nodeVersion: process.version, created: new Date().toISOString(),
    machine: { cpuModel: 'x', cores: 2, memoryBytes: 1, os: 'linux' },
    metrics: { rssBytes: { unit: 'bytes', slopePerMin: 0, slopes: [0], slopeSpread: 0, ciLow: 0, ciHigh: 0, noise: 1, samples: 10 } },
  });
  writeFileSync(join(dir, 'other-scenario.json'), JSON.stringify(baseline('subagent-storm', 'command:tinyServer.mjs')));
  const other = await soakgate(['gate', scenario, '--baseline', 'other-scenario.json', '--out', 'gate-other-scenario']);
  assert.equal(other.code, 2, other.stdout + other.stderr);
  assert.match(other.stderr, /baseline of scenario 'subagent-storm', not of 'mine'/);
  writeFileSync(join(dir, 'other-target.json'), JSON.stringify(baseline('mine', 'gateway:dedup[prune,dedupe,orphans,lazy]')));
  const target = await soakgate(['gate', scenario, '--baseline', 'other-target.json', '--out', 'gate-other-target']);
  assert.equal(target.code, 2, target.stdout + target.stderr);
  assert.match(target.stderr, /recorded on gateway:dedup\[prune,dedupe,orphans,lazy\], and this run's target is command/);
  assert.equal(existsSync(join(dir, 'gate-other-scenario', 'gate.json')), false, 'nothing ran');
});

test('a heap diagnosis that cannot end within --time-limit is not begun, and the run is judged all the same', async () => {
  const scenario = writeScenario('limited', false);
  writeFileSync(join(dir, 'limited-baseline.json'), JSON.stringify({
    scenario: 'limited', target: 'command:tinyServer.mjs', runs: 1, nodeVersion: process.version, created: new Date().toISOString(),
    machine: { cpuModel: 'x', cores: 2, memoryBytes: 1, os: 'linux' },
    metrics: { rssBytes: { unit: 'bytes', slopePerMin: 0, slopes: [0], slopeSpread: 0, ciLow: 0, ciHigh: 0, noise: 1, samples: 10 } },
  }));
  // 10 s of load and 12 s in all: two snapshots 3 s apart and memlab's reading cannot fit in what is left.
  const limited = await soakgate(['gate', scenario, '--baseline', 'limited-baseline.json', '--snapshots', '2', '--time-limit', '12s', '--out', 'gate-limited']);
  const gate = readGate('gate-limited');
  assert.equal(gate.scenarios.length, 1, limited.stdout + limited.stderr);
  assert.ok(gate.scenarios[0].checks.length > 0, 'the measured window was judged');
  const runDir = join(dir, 'gate-limited', gate.scenarios[0].runDir);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Summary;
  assert.match(summary.diagnosisMissed ?? '', /^not begun: 2 heap snapshots 3 s apart .* time limit of 12 s/);
  assert.equal(summary.heap, undefined);
  assert.deepEqual(readdirSync(runDir).filter((f) => f.endsWith('.heapsnapshot')), [], 'no snapshot was taken');
  assert.ok(summary.durationS >= 9.5, `the window ran its course: ${summary.durationS} s`);
  assert.match(limited.stdout + limited.stderr, /heap diagnosis not begun/);
  assert.match(readFileSync(join(runDir, 'report.html'), 'utf8'), /The heap diagnosis was not begun: 2 heap snapshots/);

  const zero = await soakgate(['gate', scenario, '--baseline', 'limited-baseline.json', '--time-limit', '0s', '--out', 'gate-zero']);
  assert.equal(zero.code, 2, zero.stderr);
  assert.match(zero.stderr, /--time-limit must be more than 0 s/);
  const both = await soakgate(['gate', scenario, '--baseline', 'limited-baseline.json', '--stop-when-decided', '--full-window', '--out', 'gate-both']);
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /choose one/);
});
