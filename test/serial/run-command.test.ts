// `soakgate run` end to end against a tiny plain Node server given as a command: a full run, SIGINT, a second SIGINT,
// a crashing target and a bad scenario, each checked for what it leaves behind (files, exit code, no process).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunMeta } from '../../harness/run/runFolder.ts';
import { EXIT_INTERRUPTED } from '../../harness/contracts/exitCodes.ts';
import { runScenario } from '../../harness/run/runScenario.ts';
import { analyzeSamples } from '../../harness/analysis/analyze.ts';
import { parseSamples, type Sample } from '../../harness/contracts/sample.ts';
import { parseScenario } from '../../harness/scenario/parseScenario.ts';
import type { Summary } from '../../harness/contracts/summary.ts';
import { isRunning } from '../../harness/target/processAlive.ts';

const bin = new URL('../../bin/soakgate.js', import.meta.url).pathname;
const fixture = new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname;
let dir: string;
const started: ChildProcess[] = [];
const targetPids: number[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-run-test-'));
});

after(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  for (const pid of targetPids) assert.equal(isRunning(pid), false, `target pid ${pid} is still alive`);
});

/** A scenario file for the tiny server; `env` tunes the server (leak, crash, hang). */
function writeScenario(name: string, fields: { duration: string; env?: Record<string, string>; events?: unknown[]; settleInterval?: string; targetName?: string }): string {
  const file = join(dir, `${name}.json`);
  const scenario = {
    name,
    target: {
      command: {
        ...(fields.targetName ? { name: fields.targetName } : {}),
        argv: [process.execPath, fixture],
        env: { TINY_LOG_FILE: `${name}-requests.log`, TINY_RETAIN_BYTES: '5000', ...fields.env },
        ready: 'listening on (http://\\S+)',
        files: { requests: `${name}-requests.log` },
      },
    },
    duration: fields.duration,
    warmup: '1s',
    sampleInterval: '250ms',
    settleInterval: fields.settleInterval ?? '1s',
    load: [{ kind: 'http', path: '/items/{{n}}', rate: 150 }],
    events: fields.events ?? [],
  };
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function soakgate(args: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [bin, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

function readRun(out: string): { meta: RunMeta; summary: Summary; samples: Sample[]; skippedLines: number } {
  const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunMeta;
  targetPids.push(...meta.targetPids);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  return { meta, summary, ...parseSamples(readFileSync(join(out, 'samples.jsonl'), 'utf8')) };
}

/** Pids of live processes whose command line names `text` (the memlab reader is given the run folder). */
function processesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitForSamples(out: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const file = join(out, 'samples.jsonl');
    if (existsSync(file) && parseSamples(readFileSync(file, 'utf8')).samples.length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`fewer than ${count} samples in ${out} after 20 s`);
}

test('records every sample of a run against a command target, with a snapshot and a restart', async () => {
  const out = join(dir, 'full');
  const scenario = writeScenario('full', {
    duration: '5s',
    events: [
      { at: '2s', type: 'snapshot' },
      { at: '3s', type: 'restart' },
    ],
  });
  const { done } = soakgate([scenario, '--out', out, '--seed', '7', '--snapshots', 'never']);
  const { code, stdout, stderr } = await done;
  assert.equal(code, 0, stderr);
  assert.match(stdout, /full on command:tinyServer\.mjs: finished/);
  const { meta, summary, samples, skippedLines } = readRun(out);

  assert.equal(skippedLines, 0);
  // 4 Hz over 5 s, less any tick skipped while the snapshot blocked the target, plus the closing sample.
  assert.ok(samples.length >= 15 && samples.length <= 23, `${samples.length} samples at 4 Hz over 5 s`);
  assert.equal(meta.seed, 7);
  assert.equal(meta.exitCode, 0);
  assert.equal(meta.interrupted, false);
  assert.equal(meta.node, process.version);
  assert.equal(meta.targetPids.length, 2, 'one process, then one more after the restart');
  assert.equal(summary.interrupted, false);
  assert.equal(summary.samples, samples.length);
  assert.ok(summary.operations.requests > 400, `requests: ${summary.operations.requests}`);
  for (const metric of ['rssBytes', 'heapUsedBytes', 'heapFloorBytes', 'file:requests']) assert.ok(summary.metrics[metric], `${metric} summarized`);

  const phases = new Set(samples.map((s) => s.phase));
  // A restart can fall between two samples, so 'restarting' is not required here; its event is.
  for (const phase of ['warmup', 'load', 'cooldown']) assert.ok(phases.has(phase as Sample['phase']), `phase ${phase}`);
  const events = samples.flatMap((s) => s.events ?? []);
  const snapshot = events.find((e) => e.type === 'snapshot')!;
  assert.ok(snapshot.durationMs! > 0, 'the snapshot says how long it blocked the target');
  assert.ok(existsSync(join(out, snapshot.detail!)), 'the snapshot is in the run folder');
  const restart = events.find((e) => e.type === 'restart')!;
  assert.equal(restart.detail, `pid ${meta.targetPids[0]} -> ${meta.targetPids[1]}`);
  const fileSizes = samples.map((s) => s.metrics['file:requests']).filter((v) => v !== undefined);
  assert.ok(fileSizes.at(-1)! > fileSizes[0], 'the watched file grew');
  assert.ok(existsSync(join(out, 'report.html')));
  for (const pid of meta.targetPids) assert.equal(isRunning(pid), false);
});

test('memory that grows is diagnosed after the measured window, under load; the verdicts are the window\'s alone', async () => {
  const out = join(dir, 'diagnosed');
  // 50 KB kept per request at 150 requests/s: RSS grows about 430 MB a minute.
  const scenario = writeScenario('diagnosed', { duration: '6s', env: { TINY_RETAIN_BYTES: '50000' } });
  const { done } = soakgate([scenario, '--out', out]);
  const { code, stdout, stderr } = await done;
  assert.equal(code, 0, stderr);
  assert.match(stdout + stderr, /measurement over; diagnosis: 2 heap snapshots/);
  const { summary, samples } = readRun(out);
  // Each snapshot's event rides on the next sample written: a diagnosis sample, or the closing cooldown one.
  const snapshots = samples.flatMap((s) => s.events ?? []).filter((e) => e.type === 'snapshot');
  assert.equal(snapshots.length, 2);
  for (const event of snapshots) {
    assert.ok(event.t >= summary.durationS, `snapshot at ${event.t} s, after the measured ${summary.durationS} s`);
    assert.ok(existsSync(join(out, event.detail!)));
  }
  assert.ok(samples.some((s) => s.phase === 'diagnosis' && s.window.requests > 0), 'the load goes on during the diagnosis');
  assert.ok(summary.heap, 'memlab read the snapshots');
  // Samples of the diagnosis phase (snapshots' RSS steps included) are not in the verdicts.
  const windowOnly = analyzeSamples(samples.filter((s) => s.phase !== 'diagnosis'), { warmupS: 1 });
  assert.deepEqual(summary.metrics.rssBytes, windowOnly.rssBytes);
  assert.equal(summary.metrics.rssBytes.verdict, 'growing');
});

test("RSS's line says when V8 grew the target's young generation in the window, a warm-up a leak of small objects brings on", async () => {
  const out = join(dir, 'young');
  // 300 small objects kept per request at 150 requests/s: survivors enough for V8 to double the young generation
  // a few times within seconds of the load starting.
  const scenario = writeScenario('young', { duration: '5s', env: { TINY_RETAIN_BYTES: '0', TINY_RETAIN_OBJECTS: '300' } });
  const { done } = soakgate([scenario, '--out', out, '--snapshots', 'never']);
  const { code, stdout, stderr } = await done;
  assert.equal(code, 0, stderr);
  const young = readRun(out).summary.metrics.youngGenerationBytes;
  assert.ok(young && young.max - young.first >= 2 ** 20, `the young generation in the window: ${JSON.stringify(young)}`);
  assert.match(stdout, /rssBytes +(growing|inconclusive|plateau) .*V8's young generation grew \d.* -> \d.* in this window/);
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<span class="note">V8&#39;s young generation grew \d/, "the report's table says so too");
});

test('--snapshots always takes three snapshots after the window, each read by memlab in the run folder', async () => {
  const out = join(dir, 'always');
  const { done } = soakgate([writeScenario('always', { duration: '3s', env: { TINY_RETAIN_BYTES: '0' } }), '--out', out, '--snapshots', 'always', '--no-report']);
  const { code, stderr } = await done;
  assert.equal(code, 0, stderr);
  const { summary, samples } = readRun(out);
  const snapshots = samples.flatMap((s) => s.events ?? []).filter((e) => e.type === 'snapshot');
  assert.equal(snapshots.length, 3, 'three snapshots, whatever the memory did');
  for (const event of snapshots) assert.ok(event.t >= summary.durationS, `snapshot at ${event.t} s, after the measured ${summary.durationS} s`);
  assert.equal(summary.heap?.snapshots.length, 3, 'memlab read all three');
  assert.ok(existsSync(join(out, 'memlab')) && !readdirSync(dir).includes('memlab'), "memlab's files stay in the run folder");
});

test('SIGINT while memlab reads the snapshots stops the run within seconds and keeps its samples and snapshots', async () => {
  const out = join(dir, 'sigint-diagnosis');
  // 500 objects kept per request at 150 requests/s: snapshots of some 50 MB, which memlab reads for longer
  // than this test waits for the exit.
  const scenario = writeScenario('sigint-diagnosis', { duration: '6s', env: { TINY_RETAIN_BYTES: '0', TINY_RETAIN_OBJECTS: '500' } });
  const { child, done } = soakgate([scenario, '--out', out, '--no-report']);
  let printed = '';
  const reading = new Promise<void>((resolve) => {
    const watch = (chunk: Buffer) => {
      printed += chunk;
      if (/reading 2 heap snapshots with memlab/.test(printed)) resolve();
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
  });
  await reading;
  // Let the reader get into the snapshots first: a harness reading them itself would not see the signal now.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const signalledAt = Date.now();
  child.kill('SIGINT');
  const { code, stdout, stderr } = await done;
  const exitS = (Date.now() - signalledAt) / 1000;
  assert.equal(code, EXIT_INTERRUPTED, stderr);
  assert.ok(exitS < 10, `exited ${exitS.toFixed(1)} s after SIGINT`);
  assert.match(stdout + stderr, /heap diagnosis interrupted while memlab read the snapshots: the samples and the snapshots are kept/);
  const { meta, summary, samples } = readRun(out);
  assert.equal(meta.interrupted, true);
  assert.equal(summary.interrupted, true);
  assert.equal(summary.heap, undefined);
  assert.ok(summary.metrics.rssBytes, 'the verdicts are kept');
  const snapshots = samples.flatMap((s) => s.events ?? []).filter((e) => e.type === 'snapshot');
  assert.equal(snapshots.length, 2);
  for (const event of snapshots) assert.ok(existsSync(join(out, event.detail!)), `${event.detail} is kept`);
  for (const pid of meta.targetPids) assert.equal(isRunning(pid), false);
  assert.deepEqual(processesNaming(out), [], 'no memlab reader is left behind');
});

test('a command target is called by its name in the run\'s lines, run.json, the summary and the report', async () => {
  const out = join(dir, 'named');
  const { done } = soakgate([writeScenario('named', { duration: '2s', targetName: 'tiny-api' }), '--out', out]);
  const { code, stdout, stderr } = await done;
  assert.equal(code, 0, stderr);
  assert.match(stdout + stderr, /target command:tiny-api ready at http:\/\/127\.0\.0\.1:\d+/);
  const { meta, summary } = readRun(out);
  assert.equal(meta.target, 'command:tiny-api');
  assert.equal(summary.target, 'command:tiny-api');
  const report = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(report, /command:tiny-api/);
  assert.doesNotMatch(report, /command:tinyServer\.mjs/);
});

test('SIGINT stops the load and the target, keeps the samples and exits 130', async () => {
  const out = join(dir, 'sigint');
  const { child, done } = soakgate([writeScenario('sigint', { duration: '60s' }), '--out', out, '--no-report']);
  await waitForSamples(out, 6);
  child.kill('SIGINT');
  const { code } = await done;
  assert.equal(code, 130);
  const { meta, summary, samples, skippedLines } = readRun(out);
  assert.equal(meta.interrupted, true);
  assert.equal(meta.exitCode, 130);
  assert.equal(summary.interrupted, true);
  assert.equal(skippedLines, 0);
  assert.ok(samples.length >= 6);
  assert.equal(samples.at(-1)!.phase, 'cooldown', 'the last sample is flushed after the load stopped');
  assert.ok(summary.durationS < 30);
  for (const pid of meta.targetPids) assert.equal(isRunning(pid), false);
});

test('a second SIGINT quits at once and still kills a target that ignores SIGTERM', async () => {
  const out = join(dir, 'twice');
  const { child, done } = soakgate([writeScenario('twice', { duration: '60s', env: { TINY_IGNORE_SIGTERM: '1' } }), '--out', out, '--no-report']);
  await waitForSamples(out, 4);
  const pid = (JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunMeta).targetPids[0];
  targetPids.push(pid);
  child.kill('SIGINT');
  // The first SIGINT waits out the target's 5 s SIGTERM grace; the second does not.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(isRunning(pid), true, 'the hung target survived SIGTERM');
  const quitAt = Date.now();
  child.kill('SIGINT');
  const { code } = await done;
  assert.equal(code, 130);
  assert.ok(Date.now() - quitAt < 3_000, 'quit without waiting for the grace period');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(isRunning(pid), false, 'the target was killed with the harness');
});

test('a target that crashes mid-run gives exit 3, its exit code and last lines, and every sample', async () => {
  const out = join(dir, 'crash');
  const { done } = soakgate([writeScenario('crash', { duration: '30s', env: { TINY_CRASH_AFTER_MS: '2500' } }), '--out', out, '--no-report']);
  const { code, stdout } = await done;
  assert.equal(code, 3);
  assert.match(stdout, /target crashed/);
  assert.match(stdout, /crashing on purpose/);
  const { meta, summary, samples, skippedLines } = readRun(out);
  assert.equal(meta.exitCode, 3);
  assert.equal(meta.crashed!.code, 7);
  assert.ok(meta.crashed!.lastLines.includes('tiny server: crashing on purpose'));
  assert.equal(skippedLines, 0);
  assert.ok(samples.length >= 8, `${samples.length} samples kept`);
  assert.ok(summary.durationS < 10);
  assert.ok(samples.flatMap((s) => s.events ?? []).some((e) => e.type === 'target-exit' && e.detail === 'exit code 7'));
  assert.ok(samples.some((s) => s.metrics.rssBytes !== undefined), 'samples from before the crash');
});

test('refuses a bad scenario with exit 2 before starting anything', async () => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ name: 'bad', target: { command: { argv: ['node'], ready: '(x)' } }, duration: '5s', warmup: '10s' }));
  const out = join(dir, 'bad-run');
  const { code, stderr } = await soakgate([file, '--out', out]).done;
  assert.equal(code, 2);
  assert.match(stderr, /bad\.json: duration: 5s is not longer than its warmup/);
  assert.equal(existsSync(out), false, 'no run folder');
  const usage = await soakgate(['--duration', 'soon']).done;
  assert.equal(usage.code, 2);
});

test('runScenario, called as gate and compare call it, stops on abort and marks the run interrupted', async () => {
  const scenario = parseScenario(JSON.parse(readFileSync(writeScenario('api', { duration: '30s' }), 'utf8')), join(dir, 'api.json'));
  const controller = new AbortController();
  const progress: Sample[] = [];
  setTimeout(() => controller.abort(), 2_500);
  const result = await runScenario(scenario, { out: join(dir, 'api'), signal: controller.signal, onProgress: (s) => progress.push(s) });
  assert.equal(result.exitCode, EXIT_INTERRUPTED);
  assert.equal(result.interrupted, true);
  assert.equal(result.summary.interrupted, true);
  assert.equal(result.summary.samples, progress.length);
  const { meta } = readRun(result.runDir);
  for (const pid of meta.targetPids) assert.equal(isRunning(pid), false);
});
