// The probe, injected through NODE_OPTIONS into an unmodified Node server, reports its heap, GC and event-loop
// figures and writes heap snapshots; it never keeps a process alive nor changes how it exits.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ProbeClient } from '../harness/probe/probeClient.ts';
import { CommandTarget } from '../harness/target/commandTarget.ts';

const run = promisify(execFile);
const fixture = new URL('./fixtures/tinyServer.mjs', import.meta.url).pathname;
let dir: string;
let probe: ProbeClient;
let target: CommandTarget;
const startedPids: number[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-probe-test-'));
  probe = await ProbeClient.listen();
  target = new CommandTarget({
    label: 'command:tinyServer',
    argv: [process.execPath, fixture],
    env: probe.targetEnv(''),
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  });
  await target.start();
  startedPids.push(target.pid!);
});

after(async () => {
  await target.stop();
  await target.close();
  await probe.close();
  rmSync(dir, { recursive: true, force: true });
  for (const pid of startedPids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `pid ${pid} is still alive`);
});

test('reports heap, GC and event-loop figures from a server that does not import it', async () => {
  const pid = target.pid!;
  assert.equal(await probe.waitFor(pid, 5_000), true, 'the probe connected');
  // Enough requests to make the young generation collect a few times.
  for (let i = 0; i < 300; i++) await (await fetch(`${target.baseUrl}/item/${i}?pad=${'x'.repeat(2000)}`)).text();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const figures = await probe.sample(pid, 2_000);
  assert.ok(figures, 'the probe answered');
  assert.ok(figures.heapUsedBytes! > 1_000_000, `heapUsedBytes ${figures.heapUsedBytes}`);
  assert.ok(figures.heapTotalBytes! >= figures.heapUsedBytes!, 'heap total covers heap used');
  assert.ok(figures.gcCount! > 0, `collections seen: ${figures.gcCount}`);
  assert.ok(figures.gcPauseMs! > 0);
  assert.ok(figures.heapFloorBytes! > 0 && figures.heapFloorBytes! <= figures.heapTotalBytes!, 'a floor after GC');
  assert.ok(figures.eventLoopDelayP99Ms! >= figures.eventLoopDelayP50Ms!, 'event-loop delay percentiles');
  assert.ok(figures.heapAfterGcBytes! > 0 && figures.heapAfterGcBytes! <= figures.heapTotalBytes!, 'the lowest heap after any GC');
  // Figures are per window: an idle window has no new collections, and the last floor stands.
  const idle = await probe.sample(pid, 2_000);
  assert.equal(idle!.gcCount, 0);
  assert.ok(idle!.heapFloorBytes! > 0, 'the last floor stands until the next GC');
});

test('writes a heap snapshot on request and says how long it blocked', async () => {
  const file = join(dir, 'target.heapsnapshot');
  const result = await probe.snapshot(target.pid!, file, 30_000);
  assert.equal(result.path, file);
  assert.ok(result.durationMs > 0);
  assert.ok(statSync(file).size > 100_000);
  const head = readFileSync(file, 'utf8').slice(0, 200);
  assert.match(head, /"snapshot"/);
});

test('does not keep a short script alive, nor change its exit code or output', async () => {
  const env = { ...process.env, ...probe.targetEnv('') };
  const done = await run(process.execPath, ['-e', 'console.log("hi", typeof gc)'], { env, timeout: 10_000 });
  assert.equal(done.stdout, 'hi undefined\n', 'the target gets no gc() or other global from the probe');
  await assert.rejects(run(process.execPath, ['-e', 'process.exitCode = 5'], { env, timeout: 10_000 }), (err: { code: number }) => err.code === 5);
});

test('leaves the target untouched when no harness listens', async () => {
  const env = { ...process.env, ...probe.targetEnv(''), SOAKGATE_PROBE_SOCKET: join(dir, 'nobody.sock') };
  const done = await run(process.execPath, ['-e', 'setTimeout(() => console.log("still here"), 50)'], { env, timeout: 10_000 });
  assert.equal(done.stdout, 'still here\n');
  assert.equal(existsSync(join(dir, 'nobody.sock')), false);
});
