// `soakgate run --resume` with real processes: a harness killed with SIGKILL mid-run together with its watchdog (its
// target and probe folder left behind) is carried on into one series, leaving no old probe folder, for a command target and for the embedded gateway on its data dir; a run
// interrupted while resumed is resumed again; and the runs that cannot be resumed are refused with exit 2.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunMeta } from '../../harness/run/runFolder.ts';
import { parseSamples, type Sample } from '../../harness/contracts/sample.ts';
import type { Summary } from '../../harness/contracts/summary.ts';
import { isRunning } from '../../harness/target/processAlive.ts';

const bin = new URL('../../bin/soakgate.js', import.meta.url).pathname;
const fixture = new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname;
const INTERVAL_S = 0.25;
let dir: string;
const started: ChildProcess[] = [];
const targetPids = new Set<number>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-resume-test-'));
});

after(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // A failed test may leave an orphan target: kill it (only pids these runs recorded) before asserting.
  const alive = [...targetPids].filter(isRunning);
  for (const pid of alive) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(alive, [], 'target processes left alive');
});

function writeScenario(name: string, fields: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, warmup: '1s', sampleInterval: `${INTERVAL_S * 1000}ms`, ...fields }));
  return file;
}

function soakgate(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  // A harness killed with its watchdog cannot remove its probe socket folder: keep it in the test's folder.
  const child = spawn(process.execPath, [bin, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: dir } });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

function readMeta(out: string): RunMeta {
  const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunMeta;
  for (const pid of meta.targetPids) targetPids.add(pid);
  return meta;
}

function readSamples(out: string): { samples: Sample[]; skippedLines: number } {
  const file = join(out, 'samples.jsonl');
  return existsSync(file) ? parseSamples(readFileSync(file, 'utf8')) : { samples: [], skippedLines: 0 };
}

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  // Generous: a harness compiling its TypeScript on a machine busy with other soaks can take many seconds to start.
  const deadline = Date.now() + 60_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The harness's watchdog (harness/target/watchdog.mjs): the child process of that name. */
function watchdogOf(harness: number): number {
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === harness && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('watchdog.mjs')) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`harness pid ${harness} has no watchdog`);
}

/**
 * Starts a run, lets it get to `until`, and kills its watchdog and the harness with SIGKILL, as a kill -9 of both or
 * the OOM killer would: the target and the probe folder are left behind (a harness killed alone takes its target
 * with it: run-harness-death.test.ts).
 */
async function killMidRun(args: string[], out: string, until: (samples: Sample[]) => boolean): Promise<{ orphan: number; samples: Sample[]; harness: number }> {
  const { child, done } = soakgate(args);
  await waitFor(`the run in ${out}`, () => until(readSamples(out).samples));
  process.kill(watchdogOf(child.pid!), 'SIGKILL');
  child.kill('SIGKILL');
  await done;
  const orphan = readMeta(out).targetPids[0];
  assert.equal(isRunning(orphan), true, 'the target outlived its harness and watchdog');
  return { orphan, samples: readSamples(out).samples, harness: child.pid! };
}

/** Probe folders in the harnesses' temp dir (this test's folder) owned by `harness`. */
function probeFoldersOf(harness: number): string[] {
  return readdirSync(dir).filter((name) => name.startsWith(`soakgate-probe-${harness}-`));
}

/** One series: times strictly increasing with no hole (the resume continues the clock), counts never going back. */
function assertOneSeries(samples: Sample[], slackS: number): void {
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    assert.ok(b.t > a.t, `t goes ${a.t} -> ${b.t}`);
    assert.ok(b.t - a.t <= slackS, `a gap from ${a.t} to ${b.t}`);
    assert.ok((b.ops.requests ?? 0) >= (a.ops.requests ?? 0), `requests went back at ${b.t}`);
  }
}

test('a command target: killed, resumed, interrupted while resumed, resumed again into one series', async () => {
  const out = join(dir, 'command');
  const scenario = writeScenario('command', {
    target: { command: { argv: [process.execPath, fixture], env: { TINY_RETAIN_BYTES: '2000' }, ready: 'listening on (http://\\S+)' } },
    duration: '6s',
    load: [{ kind: 'http', path: '/items/{{n}}', rate: 100 }],
    events: [{ at: '1.2s', type: 'pause' }, { at: '1.6s', type: 'resume' }],
  });
  const first = await killMidRun([scenario, '--out', out, '--snapshots', 'never', '--no-report'], out, (s) => (s.at(-1)?.t ?? 0) >= 2);
  const lastBefore = first.samples.at(-1)!;
  assert.equal(probeFoldersOf(first.harness).length, 1, 'the killed harness left its probe folder');
  // As if the kill had cut the last write short: the torn line must not end up in the series.
  appendFileSync(join(out, 'samples.jsonl'), '{"t":99,"phase":"lo');

  const second = soakgate(['--resume', out, '--no-report']);
  await waitFor('samples after the resume', () => readSamples(out).samples.some((s) => s.t > lastBefore.t + 1));
  assert.equal(isRunning(first.orphan), false, 'the orphan target was stopped');
  assert.deepEqual(probeFoldersOf(first.harness), [], 'the resumed run removed the old probe folder');
  second.child.kill('SIGINT');
  const interrupted = await second.done;
  assert.equal(interrupted.code, 130, interrupted.stderr);
  assert.match(interrupted.stderr, new RegExp(`stopped pid ${first.orphan}`));
  assert.equal(readMeta(out).interrupted, true);

  const third = await soakgate(['--resume', out]).done;
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stdout, /finished after 6 s/);

  const meta = readMeta(out);
  const { samples, skippedLines } = readSamples(out);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  assert.equal(skippedLines, 0, 'the torn line was dropped');
  assertOneSeries(samples, 3 * INTERVAL_S);
  const events = samples.flatMap((s) => s.events ?? []);
  const resumes = events.filter((e) => e.type === 'restart');
  assert.deepEqual(resumes.map((e) => e.detail), ['resumed', 'resumed']);
  assert.equal(resumes[0].t, lastBefore.t, 'the first resume is marked where the series had stopped');
  assert.equal(events.filter((e) => e.type === 'pause').length, 1, 'the pause already past was not played again');
  assert.ok(samples.some((s) => s.phase === 'cooldown' && s.t < 6), 'the interruption left its cooldown sample');
  assert.ok(samples.at(-1)!.ops.requests > lastBefore.ops.requests + 200, 'the load went on counting from where it stopped');

  assert.equal(meta.exitCode, 0);
  assert.equal(meta.interrupted, false);
  assert.equal(meta.resumes!.length, 2);
  assert.equal(meta.resumes![0].fromT, lastBefore.t);
  assert.equal(meta.targetPids.length, 3, 'one process per start');
  assert.ok(summary.durationS >= 6 && summary.durationS < 7, `summary over ${summary.durationS} s`);
  assert.equal(summary.samples, samples.length);
  assert.equal(summary.operations.requests, samples.at(-1)!.ops.requests);
  assert.equal(summary.interrupted, false);
  assert.ok(existsSync(join(out, 'report.html')), 'the report is rebuilt over the whole run');
  for (const pid of meta.targetPids) assert.equal(isRunning(pid), false, `pid ${pid} left alive`);

  const again = await soakgate(['--resume', out]).done;
  assert.equal(again.code, 2);
  assert.match(again.stderr, /this run finished at .*only a run cut short can be resumed/);
});

test('the embedded gateway: killed, then resumed on its own data dir with its sessions', async () => {
  const out = join(dir, 'gateway');
  const scenario = writeScenario('gateway', {
    target: { gateway: { store: 'dedup', skills: 3, cronJobs: 2 } },
    duration: '7s',
    load: [{ kind: 'chat', rate: 5, messagesPerSession: 3 }, { kind: 'subagents', rate: 3, depth: 1, fanout: 1 }],
  });
  const { orphan, samples: before } = await killMidRun([scenario, '--out', out, '--snapshots', 'never', '--no-report'], out, (s) =>
    s.some((x) => x.t >= 2.5 && (x.metrics.sessionCount ?? 0) >= 5),
  );
  const sessionsBefore = Math.max(...before.map((s) => s.metrics.sessionCount ?? 0));

  const { code, stderr } = await soakgate(['--resume', out, '--no-report']).done;
  assert.equal(code, 0, stderr);
  assert.equal(isRunning(orphan), false, 'the orphan gateway was stopped');
  const meta = readMeta(out);
  const { samples, skippedLines } = readSamples(out);
  assert.equal(skippedLines, 0);
  assertOneSeries(samples, 3 * INTERVAL_S);
  const after = samples.slice(before.length);
  const firstCount = after.find((s) => s.metrics.sessionCount !== undefined)!.metrics.sessionCount;
  assert.ok(firstCount >= sessionsBefore, `the restarted gateway has ${firstCount} sessions, ${sessionsBefore} before the kill`);
  assert.ok(after.at(-1)!.metrics.sessionCount > sessionsBefore, 'and more once the load goes on');
  assert.ok(after.at(-1)!.ops.subagents > before.at(-1)!.ops.subagents);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  assert.ok(summary.durationS >= 7 && summary.durationS < 8, `summary over ${summary.durationS} s`);
  assert.equal(summary.samples, samples.length);
  assert.ok(summary.metrics.sessionCount, 'sessionCount summarized over the whole run');
  assert.equal(meta.targetPids.length, 2);
  for (const pid of meta.targetPids) assert.equal(isRunning(pid), false, `pid ${pid} left alive`);
});

test('refuses what cannot be resumed, with exit 2 and nothing started', async () => {
  const missing = await soakgate(['--resume', join(dir, 'nowhere')]).done;
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nowhere: no such run folder/);

  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const notRun = await soakgate(['--resume', empty]).done;
  assert.equal(notRun.code, 2);
  assert.match(notRun.stderr, /holds no run\.json/);

  // A run cut short whose scenario file has since been deleted.
  const orphaned = join(dir, 'no-scenario');
  mkdirSync(orphaned);
  const gone = join(dir, 'deleted.json');
  writeFileSync(join(orphaned, 'run.json'), JSON.stringify({ scenario: { name: 'deleted', file: gone, path: gone }, options: {}, targetPids: [] }));
  writeFileSync(join(orphaned, 'samples.jsonl'), JSON.stringify({ t: 1, phase: 'load', metrics: {}, ops: {}, window: {} }) + '\n');
  const noScenario = await soakgate(['--resume', orphaned]).done;
  assert.equal(noScenario.code, 2);
  assert.match(noScenario.stderr, /the scenario file of .* is gone: .*deleted\.json/);

  // A run whose target crashed ended with its result: carrying it on would bury the crash.
  const crashed = join(dir, 'crashed');
  mkdirSync(crashed);
  const crashedMeta = { scenario: { name: 'crashed' }, options: {}, targetPids: [], endedAt: new Date().toISOString(), interrupted: false, exitCode: 3, crashed: { code: 7, signal: null, lastLines: [] } };
  writeFileSync(join(crashed, 'run.json'), JSON.stringify(crashedMeta));
  writeFileSync(join(crashed, 'samples.jsonl'), '');
  const afterCrash = await soakgate(['--resume', crashed]).done;
  assert.equal(afterCrash.code, 2);
  assert.match(afterCrash.stderr, /the target crashed in this run \(exit code 7\); the crash is its result/);

  // A run still being recorded: refused, and its target left alone.
  const live = join(dir, 'live');
  const liveScenario = writeScenario('live', {
    target: { command: { argv: [process.execPath, fixture], ready: 'listening on (http://\\S+)' } },
    duration: '30s',
    load: [{ kind: 'http', path: '/items/{{n}}', rate: 20 }],
  });
  const running = soakgate([liveScenario, '--out', live, '--snapshots', 'never', '--no-report']);
  await waitFor('the live run', () => readSamples(live).samples.length >= 2);
  const stillRunning = await soakgate(['--resume', live]).done;
  assert.equal(stillRunning.code, 2);
  assert.match(stillRunning.stderr, /is still being recorded by soakgate \(pid \d+\)/);
  assert.equal(isRunning(readMeta(live).targetPids[0]), true, 'the live run keeps its target');
  running.child.kill('SIGINT');
  assert.equal((await running.done).code, 130);

  const clash = await soakgate(['--resume', orphaned, '--duration', '10s', 'scenarios/ci-gate.ts']).done;
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /--resume carries on a run with its own scenario and options; drop the scenario file, --duration/);
});
