// The target's process tree on a real one: a Node server that spawns two Node children each holding 50 MB. The
// run samples treeRssBytes (the three together), records each process's command line in run.json, gates the
// metric by default and shows it in the report, and leaves no process behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Baseline } from '../../harness/gate/baseline.ts';
import { GATED_BY_DEFAULT, judgeRun } from '../../harness/gate/judge.ts';
import { isRunning } from '../../harness/target/processAlive.ts';
import { canReadProcessTree, ProcessTreeTracker, readProcessTree } from '../../harness/sampling/processTree.ts';
import type { RunMeta } from '../../harness/run/runFolder.ts';
import { runScenario, type RunResult } from '../../harness/run/runScenario.ts';
import { Sampler } from '../../harness/sampling/sampler.ts';
import { parseSamples } from '../../harness/contracts/sample.ts';
import { parseScenario } from '../../harness/scenario/parseScenario.ts';
import { writeRunReport } from '../../reports/writeReport.ts';

const fixture = new URL('../fixtures/processTreeServer.mjs', import.meta.url).pathname;
const MB = 1024 * 1024;
const linux = canReadProcessTree();
let dir: string;
let result: RunResult;
const seenPids: number[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-tree-test-'));
  if (!linux) return;
  const scenario = parseScenario(
    {
      name: 'process-tree',
      target: { command: { argv: [process.execPath, fixture], ready: 'listening on (http://\\S+)' } },
      duration: '3s',
      warmup: '500ms',
      sampleInterval: '250ms',
      settleInterval: 0,
      load: [{ kind: 'http', path: '/', rate: 20 }],
    },
    join(dir, 'process-tree.json'),
  );
  result = await runScenario(scenario, { out: join(dir, 'run'), snapshots: 'never' });
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  // The children end when the server does (their stdin closes); give them a moment.
  for (let i = 0; i < 40 && seenPids.some(isRunning); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const pid of seenPids) assert.equal(isRunning(pid), false, `process ${pid} of the target's tree is still alive`);
});

test('samples the RSS of the target and all its descendants as treeRssBytes', { skip: !linux && 'needs /proc (Linux)' }, () => {
  assert.equal(result.exitCode, 0);
  const { samples } = parseSamples(readFileSync(join(result.runDir, 'samples.jsonl'), 'utf8'));
  const measured = samples.filter((s) => s.metrics.rssBytes !== undefined);
  assert.ok(measured.length >= 8, `${measured.length} samples with RSS`);
  for (const sample of measured) {
    // Two children each hold 50 MB of filled Buffers on top of a Node process's own few tens of MB.
    assert.ok(sample.metrics.treeRssBytes >= sample.metrics.rssBytes + 100 * MB, `t=${sample.t}: tree ${sample.metrics.treeRssBytes} vs main ${sample.metrics.rssBytes}`);
  }
  const summary = result.summary.metrics.treeRssBytes;
  assert.equal(summary?.unit, 'bytes');
  assert.equal(summary?.floorPerMin, 2 * MB);
});

test('run.json records each process of the tree: command line, first and last seen, peak RSS', { skip: !linux && 'needs /proc (Linux)' }, () => {
  const meta = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as RunMeta;
  const tree = meta.processTree ?? [];
  seenPids.push(...tree.map((p) => p.pid));
  assert.equal(tree.length, 3, JSON.stringify(tree, null, 2));
  assert.equal(tree[0].pid, meta.targetPids[0], 'the main process first');
  assert.equal(tree[0].command, `${process.execPath} ${fixture}`);
  for (const child of tree.slice(1)) {
    assert.equal(child.command, `${process.execPath} ${fixture} child 50`);
    assert.ok(child.peakRssBytes >= 50 * MB, `child ${child.pid} peak ${child.peakRssBytes}`);
  }
  for (const p of tree) assert.ok(p.firstSeenS <= p.lastSeenS && p.lastSeenS <= result.summary.durationS + 1, JSON.stringify(p));
  assert.equal(meta.processTreeUnrecorded, undefined);
});

test('treeRssBytes is gated by default like RSS', { skip: !linux && 'needs /proc (Linux)' }, () => {
  assert.ok(GATED_BY_DEFAULT.includes('treeRssBytes'));
  const judged = judgeRun(result.summary.metrics, {});
  assert.ok(judged.checks.some((check) => check.metric === 'treeRssBytes' && check.kind === 'baseline'), JSON.stringify(judged.checks.map((c) => c.metric)));
});

test('a baseline recorded before the tree was sampled judges it against its RSS entry, and says so', { skip: !linux && 'needs /proc (Linux)' }, () => {
  const tree = result.summary.metrics.treeRssBytes;
  // The main process's RSS grew this much in the baseline runs: the tree is allowed the same.
  const rss = { unit: 'bytes' as const, slopePerMin: tree.slopePerMin + 50 * MB, slopes: [], slopeSpread: 0, ciLow: 0, ciHigh: 0, noise: 0, samples: 10 };
  const baseline: Baseline = { scenario: 'process-tree', target: 'command:processTreeServer.mjs', runs: 1, nodeVersion: process.version, machine: { cpuModel: '', cores: 2, memoryBytes: 0, os: '' }, created: '', metrics: { rssBytes: rss } };
  const judged = judgeRun(result.summary.metrics, {}, baseline, { metrics: ['treeRssBytes'] });
  const check = judged.checks.find((c) => c.metric === 'treeRssBytes')!;
  assert.equal(check.limit, rss.slopePerMin + 2 * MB);
  assert.match(judged.notes.join('\n'), /treeRssBytes is not in the baseline \(recorded before soakgate sampled it\): judged against rssBytes's/);
});

test('the report charts the tree beside RSS and lists its processes under the chart', { skip: !linux && 'needs /proc (Linux)' }, async () => {
  const html = readFileSync(await writeRunReport(result.runDir), 'utf8');
  const rss = html.indexOf('id="chart-rss"');
  const tree = html.indexOf('id="chart-tree-rss"');
  assert.ok(rss > 0 && tree > rss, 'the tree chart follows the RSS chart');
  const figure = html.slice(tree, html.indexOf('</figure>', tree));
  assert.match(figure, /Processes in the tree/);
  assert.equal(figure.split('child 50').length - 1, 2, 'both children listed');
});

test('walking children files finds the same tree as a scan of every process\'s parent, at a small cost', { skip: !linux && 'needs /proc (Linux)' }, async (t) => {
  const server = spawn(process.execPath, [fixture], { env: { ...process.env, NODE_OPTIONS: '', TREE_CHILD_MB: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve) => server.stdout.once('data', resolve));
    const walked = readProcessTree(server.pid!)!.map((p) => p.pid).sort();
    const scanned = readProcessTree(server.pid!, { scanAll: true })!.map((p) => p.pid).sort();
    seenPids.push(...walked);
    assert.equal(walked.length, 3);
    assert.deepEqual(walked, scanned);
    const tracker = new ProcessTreeTracker();
    const rounds = 50;
    let began = performance.now();
    for (let i = 0; i < rounds; i++) tracker.sample(server.pid!, i);
    const walkMs = (performance.now() - began) / rounds;
    began = performance.now();
    for (let i = 0; i < rounds; i++) readProcessTree(server.pid!, { scanAll: true });
    const scanMs = (performance.now() - began) / rounds;
    t.diagnostic(`one sample of a 3-process tree: ${walkMs.toFixed(2)} ms walking children files, ${scanMs.toFixed(2)} ms scanning all of /proc`);
    assert.equal(tracker.processes().length, 3);
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
});

test('a process that has exited but is not yet reaped is no part of the tree, and the sampler writes no RSS for it (not 0)', { skip: !linux && 'needs /proc (Linux)' }, async () => {
  // The shell starts a short sleep, then becomes a long one that never waits for it: the short one stays a zombie.
  const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk) => resolve(String(chunk)))));
    seenPids.push(parent.pid!);
    const state = () => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1][0];
    for (let i = 0; i < 100 && state() !== 'Z'; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(state(), 'Z', 'the short sleep is a zombie');

    assert.deepEqual(readProcessTree(zombie), []);
    assert.deepEqual(readProcessTree(parent.pid!).map((p) => p.pid), [parent.pid], 'the live parent alone');

    // With the tree and without it (pidusage reads the zombie's /proc entry as 0 bytes).
    for (const processTree of [new ProcessTreeTracker(), undefined]) {
      const file = join(dir, `zombie-${processTree ? 'tree' : 'pidusage'}.jsonl`);
      const sampler = new Sampler({
        file,
        intervalMs: 100,
        startedAtMs: Date.now(),
        target: () => ({ pid: zombie, baseUrl: null }),
        probe: null,
        processTree,
        ops: { totals: () => ({}), takeWindow: () => ({ requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null }) },
        phase: () => 'load',
      });
      sampler.start();
      // At least three samples, however slow the machine's timers (a loaded one skips late ticks).
      for (let i = 0; i < 100 && sampler.count < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      await sampler.stop();
      const { samples } = parseSamples(readFileSync(file, 'utf8'));
      assert.ok(samples.length >= 3, `${samples.length} samples`);
      for (const sample of samples) {
        assert.equal(sample.metrics.rssBytes, undefined, `t=${sample.t}: no RSS for an exited process`);
        assert.equal(sample.metrics.treeRssBytes, undefined);
        assert.equal(sample.metrics.rssSettledBytes, undefined);
      }
    }
  } finally {
    parent.kill('SIGKILL');
    await new Promise((resolve) => parent.once('exit', resolve));
  }
});
