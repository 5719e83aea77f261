// A harness killed outright (SIGKILL) takes its target with it, through its watchdog: the target's whole process
// group gets SIGTERM, then SIGKILL after the scenario's stop grace, and the probe folder is removed. A probe folder
// whose harness is dead (killed together with its watchdog) is removed by the next harness.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { removeStaleProbeFolders } from '../../harness/probe/probeClient.ts';
import { isRunning } from '../../harness/target/processAlive.ts';
import type { RunMeta } from '../../harness/run/runFolder.ts';

const bin = fileURLToPath(new URL('../../bin/soakgate.js', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/readinessServer.mjs', import.meta.url));
let dir: string;
const started: ChildProcess[] = [];
const pids = new Set<number>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-harness-death-'));
});

after(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // A failed test may leave a target behind: kill it (only pids these tests started) before asserting.
  const alive = [...pids].filter(isRunning);
  for (const pid of alive) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(alive, [], 'processes left alive');
});

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const probeFolders = (temp: string) => readdirSync(temp).filter((name) => name.startsWith('soakgate-probe-'));

test('a harness killed with SIGKILL takes its target and the target\'s own children with it, and leaves no probe folder', async () => {
  const temp = join(dir, 'tmp');
  mkdirSync(temp);
  const out = join(dir, 'killed-run');
  const childPidFile = join(dir, 'target-child.pid');
  const scenario = join(dir, 'killed.json');
  writeFileSync(scenario, JSON.stringify({
    name: 'killed',
    // It ignores SIGTERM: only the SIGKILL that follows its 1 s stop grace ends it.
    target: { command: { argv: [process.execPath, fixture], ready: 'listening on (http://\\S+)', stopGrace: '1s', env: { SAY: 'listening on {url}', IGNORE_TERM: '1', CHILD_PID_FILE: childPidFile } } },
    duration: '5m',
    sampleInterval: '250ms',
    load: [{ kind: 'http', path: '/items/{{n}}', rate: 20 }],
  }));
  // The harness's temp dir is the test's own, so its probe folder can be watched (and nothing else's is touched).
  const harness = spawn(process.execPath, [bin, 'run', scenario, '--out', out, '--no-report', '--snapshots', 'never'], { stdio: 'ignore', env: { ...process.env, TMPDIR: temp } });
  started.push(harness);
  await waitFor('the first samples', () => existsSync(join(out, 'samples.jsonl')) && readFileSync(join(out, 'samples.jsonl'), 'utf8').split('\n').length > 2);
  const target = (JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunMeta).targetPids[0];
  const targetChild = Number(readFileSync(childPidFile, 'utf8'));
  pids.add(target).add(targetChild);
  assert.ok(isRunning(target) && isRunning(targetChild));
  assert.equal(probeFolders(temp).length, 1, 'the harness has its probe folder');

  const killedAt = Date.now();
  harness.kill('SIGKILL');
  await waitFor('the target and its child to be gone', () => !isRunning(target) && !isRunning(targetChild));
  const goneAfterMs = Date.now() - killedAt;
  await waitFor('the probe folder to be removed', () => probeFolders(temp).length === 0);
  // Recorded for the note; not asserted: how fast depends on the machine's load, and it only has to happen.
  console.log(`# target group gone ${goneAfterMs} ms after the harness was killed (stop grace 1 s)`);
});

test('the probe folders of dead harnesses are removed by the next one; a live harness\'s folder is kept', async () => {
  const temp = join(dir, 'stale');
  mkdirSync(temp);
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout.trim());
  assert.equal(isRunning(deadPid), false);
  const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  started.push(live);
  pids.add(live.pid!);
  for (const name of [`soakgate-probe-${deadPid}-aB3dE9`, `soakgate-probe-${live.pid}-xY7zQ1`, 'soakgate-probe-other', 'unrelated']) {
    mkdirSync(join(temp, name));
    writeFileSync(join(temp, name, 'probe.sock'), '');
  }
  assert.deepEqual(removeStaleProbeFolders(temp), [join(temp, `soakgate-probe-${deadPid}-aB3dE9`)]);
  assert.deepEqual(readdirSync(temp).sort(), [`soakgate-probe-${live.pid}-xY7zQ1`, 'soakgate-probe-other', 'unrelated']);
  live.kill('SIGKILL');
  await new Promise((resolve) => live.once('exit', resolve));
});
