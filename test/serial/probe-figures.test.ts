// The probe, injected through NODE_OPTIONS into an unmodified Node server, reports its heap, GC and event-loop
// figures and writes heap snapshots; it never keeps a process alive nor changes how it exits.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ProbeClient, type ProbeFigures } from '../../harness/probe/probeClient.ts';
import { CommandTarget } from '../../harness/target/commandTarget.ts';

const run = promisify(execFile);
const fixture = new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname;
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
  assert.ok(figures.youngGenerationBytes! > 0 && figures.youngGenerationBytes! < figures.heapTotalBytes!, `young generation ${figures.youngGenerationBytes}`);
  assert.ok(figures.gcCount! > 0, `collections seen: ${figures.gcCount}`);
  assert.ok(figures.gcPauseMs! > 0);
  assert.ok(figures.eventLoopDelayP99Ms! >= figures.eventLoopDelayP50Ms!, 'event-loop delay percentiles');
  assert.ok(figures.heapAfterGcBytes! > 0 && figures.heapAfterGcBytes! <= figures.heapTotalBytes!, 'the lowest heap after any GC');
  // No worker threads, no worker figures (rather than zeros).
  assert.equal(figures.workerThreads, undefined);
  // Settled figures only when asked for: they cost a full collection.
  assert.equal(figures.rssAfterFullGcBytes, undefined);
  assert.equal(figures.settlePauseMs, undefined);
});

/**
 * A settled reading; the probe declines while the target's event loop is busy (start-up counts), so ask again a
 * few times, as the sampler does at each sample.
 */
async function settledSample(pid: number): Promise<ProbeFigures> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const figures = await probe.sample(pid, 5_000, true);
    if (figures?.rssAfterFullGcBytes !== undefined) return figures;
    assert.equal(figures?.settleDeferred, 1, `no settled figures and no deferral: ${JSON.stringify(figures)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`pid ${pid} was never idle enough to settle`);
}

/** A tiny server of its own with the probe connected, for one test; stopped after `use`, whatever it does. */
async function withTinyServer(name: string, env: Record<string, string>, use: (server: CommandTarget) => Promise<void>): Promise<void> {
  const server = new CommandTarget({
    label: `command:tinyServer-${name}`,
    argv: [process.execPath, fixture],
    env: { ...probe.targetEnv(''), ...env },
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  });
  await server.start();
  startedPids.push(server.pid!);
  try {
    assert.equal(await probe.waitFor(server.pid!, 5_000), true, 'the probe connected');
    await use(server);
  } finally {
    await server.stop();
    await server.close();
  }
}

test('a settled reading collects fully first, and its RSS holds what the target keeps', async () => {
  await withTinyServer('retaining', { TINY_RETAIN_BYTES: String(100_000) }, async (keeper) => {
    const before = await settledSample(keeper.pid!);
    assert.ok(before.rssAfterFullGcBytes! > 0 && before.settlePauseMs! >= 0, JSON.stringify(before));
    assert.ok(before.heapFloorBytes! > 0 && before.heapFloorBytes! <= before.heapUsedBytes!, 'the floor is the heap the collection left');
    // 200 requests keep 20 MB.
    for (let i = 0; i < 200; i++) await (await fetch(`${keeper.baseUrl}/keep/${i}`)).text();
    const after = await settledSample(keeper.pid!);
    const grew = after.rssAfterFullGcBytes! - before.rssAfterFullGcBytes!;
    assert.ok(grew >= 19_000_000, `settled RSS grew ${grew} bytes for 20 MB kept`);
  });
});

test("a settled reading's RSS is read once V8 has given back the pages the collection freed", async () => {
  await withTinyServer('littered', { TINY_GARBAGE_OBJECTS: String(3_000_000) }, async (littered) => {
    const littering = residentBytes(littered.pid!);
    // Forced: the target's own full collections while it built the objects would otherwise be the reading.
    const settled = (await probe.sample(littered.pid!, 5_000, 'always'))!;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const later = residentBytes(littered.pid!);
    // The collection frees the garbage (hundreds of MB); V8 unmaps its pages from a background thread just after.
    assert.ok(littering - later > 100 * 2 ** 20, `the garbage held ${littering - later} bytes of RSS (${littering} before, settled ${settled.rssAfterFullGcBytes}, ${later} after)`);
    // Read at once, the RSS still held most of them (392-415 MB against 103 MB a second later, before the probe waited).
    assert.ok(Math.abs(settled.rssAfterFullGcBytes! - later) < 16 * 2 ** 20, `settled RSS ${settled.rssAfterFullGcBytes}, a second later ${later}`);
  });
});

/** A process's resident set from /proc, as pidusage reads it. */
function residentBytes(pid: number): number {
  const rssPages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
  return rssPages * 4096;
}

test("settling never gives the target's own code a gc()", async () => {
  const env = { ...process.env, ...probe.targetEnv('') };
  const script = "process.on('SIGUSR2', () => { console.log(typeof gc, typeof globalThis.gc); process.exit(0); }); setInterval(() => {}, 1000); console.log('ready');";
  const child = execFile(process.execPath, ['-e', script], { env, timeout: 30_000 });
  startedPids.push(child.pid!);
  let out = '';
  const ready = new Promise<void>((resolve) => child.stdout!.on('data', (chunk) => (out += chunk) && out.includes('ready') && resolve()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await ready;
  assert.equal(await probe.waitFor(child.pid!, 10_000), true);
  assert.ok((await settledSample(child.pid!)).rssAfterFullGcBytes, 'a settled reading was taken');
  child.kill('SIGUSR2');
  await exited;
  assert.equal(out, 'ready\nundefined undefined\n');
});

test("worker threads are counted, their heaps read and collected at a settled reading, a busy one kept in the sums, and none is kept alive", async () => {
  // Six million objects on the main thread: its own collection blocks it for longer than the probe waits for the
  // workers' answers (RELEASE_WATCH_MS, 250 ms), as OpenClaw's 300 MB heap does, so the wait must begin after it.
  const env = { ...process.env, ...probe.targetEnv(''), WORKER_KEEP_OBJECTS: String(200_000), MAIN_KEEP_OBJECTS: String(6_000_000) };
  const child = execFile(process.execPath, [new URL('../fixtures/workerHeaps.mjs', import.meta.url).pathname], { env, timeout: 60_000 });
  startedPids.push(child.pid!);
  let out = '';
  const ready = new Promise<void>((resolve) => child.stdout!.on('data', (chunk) => (out += chunk) && out.includes('workers ready') && resolve()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await ready;
    assert.equal(await probe.waitFor(child.pid!, 10_000), true);
    const plain = (await probe.sample(child.pid!, 5_000))!;
    // Three workers, one started from a string: Node loads no --import there, so it is counted but not read.
    assert.equal(plain.workerThreads, 3, JSON.stringify(plain));
    assert.equal(plain.workersStarted, 3);
    assert.equal(plain.workerHeapsRead, 2);
    // Each keeps 200,000 objects (about 10 MB) and dropped as many, which only a full collection frees.
    assert.ok(plain.workerHeapBytes! > 30 * 2 ** 20, `worker heaps ${plain.workerHeapBytes}`);
    assert.equal(plain.workerHeapFloorBytes, undefined, 'no floor without a settled reading');
    const settled = (await probe.sample(child.pid!, 10_000, 'always'))!;
    assert.ok(settled.settlePauseMs! > 250, `the main thread's collection took ${settled.settlePauseMs} ms, no longer than the wait`);
    assert.equal(settled.workersStarted, 0);
    assert.equal(settled.workerHeapsRead, 2);
    assert.equal(settled.workerHeapFloorBytes, settled.workerHeapBytes);
    assert.ok(settled.workerHeapFloorBytes! > 15 * 2 ** 20, `what the workers keep: ${settled.workerHeapFloorBytes}`);
    assert.ok(plain.workerHeapBytes! - settled.workerHeapFloorBytes! > 15 * 2 ** 20, `the collection freed the dropped objects: ${plain.workerHeapBytes} -> ${settled.workerHeapFloorBytes}`);
    // One worker busy for 4 s answers neither the next plain sample nor the settled one: it keeps its place in both
    // sums with its last answer, rather than halving them.
    child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const busy = (await probe.sample(child.pid!, 5_000))!;
    assert.equal(busy.workerHeapsRead, 1, JSON.stringify(busy));
    assert.ok(Math.abs(busy.workerHeapBytes! - settled.workerHeapBytes!) < 0.2 * settled.workerHeapBytes!, `heaps ${settled.workerHeapBytes} -> ${busy.workerHeapBytes}`);
    const busySettled = (await probe.sample(child.pid!, 10_000, 'always'))!;
    assert.equal(busySettled.workerHeapsRead, 1, JSON.stringify(busySettled));
    assert.ok(Math.abs(busySettled.workerHeapFloorBytes! - settled.workerHeapFloorBytes!) < 0.2 * settled.workerHeapFloorBytes!, `floors ${settled.workerHeapFloorBytes} -> ${busySettled.workerHeapFloorBytes}`);
    // Told to end, the workers have nothing left to do: the probe in them must not keep them (or the process) alive.
    child.kill('SIGUSR2');
    assert.equal(await exited, 0);
  } finally {
    child.kill();
    await exited;
  }
});

/** Runs `script` as a Node target with the probe, hands its pid to `check` once the probe is connected, stops it. */
async function withScriptTarget(script: string, check: (pid: number) => Promise<void>, nodeFlags: string[] = []): Promise<void> {
  const env = { ...process.env, ...probe.targetEnv('') };
  const child = execFile(process.execPath, [...nodeFlags, '-e', script], { env, timeout: 60_000 });
  startedPids.push(child.pid!);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    assert.equal(await probe.waitFor(child.pid!, 10_000), true);
    await check(child.pid!);
  } finally {
    child.kill();
    await exited;
  }
}

test('a target that collects fully on its own is not forced to: its own collection is the settled reading', async () => {
  // Objects kept for a fifth of a second reach the old generation and are dropped there: V8 collects it fully now and then.
  const script =
    'const kept = []; setInterval(() => { kept.push(Array.from({ length: 20000 }, (_, i) => ({ i }))); if (kept.length > 20) kept.shift(); }, 10); console.log("ready");';
  await withScriptTarget(script, async (pid) => {
    // The first reading may come before its first full collection of its own; two seconds later there was one.
    await settledSample(pid);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const figures = await settledSample(pid);
    assert.equal(figures.settlesByTarget, 1, `a forced collection where the target had its own: ${JSON.stringify(figures)}`);
    assert.equal(figures.settlePauseMs, undefined);
    assert.ok(figures.heapFloorBytes! > 0, 'the floor its own full collection left');
    assert.ok(figures.rssAfterFullGcBytes! > 0);
    // A scenario that settles always (ci-gate) has the collection forced all the same.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const forced = await probe.sample(pid, 5_000, 'always');
    assert.equal(forced!.settlesByTarget, undefined, JSON.stringify(forced));
    assert.ok(forced!.settlePauseMs! >= 0 && forced!.rssAfterFullGcBytes! > 0);
  });
});

test("a full collection's floor is the heap it left, not the heap when the event loop came round; settled always, the forced ones' alone", async () => {
  // Each tick drops its batch, collects fully (its own gc(), as a target may), then builds a new batch of about
  // 40 MB that it keeps until the next tick. The observer of collections runs after the tick, with the batch in
  // the heap; V8's GC profiler reads the heap at the collection's end.
  const script =
    "let batch = null; setInterval(() => { batch = null; gc(); batch = Array.from({ length: 1e6 }, (_, i) => ({ i })); }, 300); console.log('ready');";
  await withScriptTarget(script, async (pid) => {
    // The profiler runs once the probe has judged the target not saturated: from the second sample on.
    await probe.sample(pid, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await probe.sample(pid, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const figures = (await probe.sample(pid, 5_000))!;
    assert.ok(figures.heapUsedBytes! > 30 * 2 ** 20, `the batch is in the heap: ${figures.heapUsedBytes}`);
    assert.ok(figures.heapFloorBytes! < 20 * 2 ** 20, `the floor its collections left: ${figures.heapFloorBytes} (heap used ${figures.heapUsedBytes})`);
    // A harness that settles always has a forced collection's floor alone, from the first on, at the samples
    // between them too: here the forced one finds the batch alive, where the target's own found it dropped.
    const forced = (await probe.sample(pid, 5_000, 'always'))!;
    assert.ok(forced.settlePauseMs! >= 0 && forced.heapFloorBytes! > 30 * 2 ** 20, `the forced collection's floor: ${forced.heapFloorBytes}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const between = (await probe.sample(pid, 5_000))!;
    assert.ok(between.gcCount! > 0, 'the target collected in the window');
    assert.equal(between.heapFloorBytes, undefined, `no floor from its own collections: ${JSON.stringify(between)}`);
    // Nor does the GC profiler run there, for a reading no floor uses (GC_PROFILER_COST in the probe): the heap after
    // the target's collections is read when its event loop comes round, with the batch.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const unprofiled = (await probe.sample(pid, 5_000))!;
    assert.ok(unprofiled.heapAfterGcBytes! > 30 * 2 ** 20, `read by the observer: ${JSON.stringify(unprofiled)}`);
  }, ['--expose-gc']);
});

test('a saturated target is not watched by the GC profiler: it costs a server flat out 4% (bench:probe)', async () => {
  // As above, but busy 400 ms of every 405: its own gc() (flagged forced, which the observer of collections leaves to
  // the profiler) gives no reading, and the heap after its other collections is read with the batch.
  const script =
    "let batch = null; setInterval(() => { batch = null; gc(); batch = Array.from({ length: 1e6 }, (_, i) => ({ i })); const until = Date.now() + 400; while (Date.now() < until); }, 5); console.log('ready');";
  await withScriptTarget(script, async (pid) => {
    // Two windows not judged: the collections of its start-up may reach the observer after the first sample, before
    // the first batch (a fresh-clone CI read 4.5 MB there).
    await probe.sample(pid, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await probe.sample(pid, 5_000);
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const figures = (await probe.sample(pid, 5_000))!;
      assert.ok(figures.eventLoopUtilization! >= 0.9, `utilization ${figures.eventLoopUtilization}`);
      assert.ok(figures.heapAfterGcBytes! > 30 * 2 ** 20, `read by the observer: ${JSON.stringify(figures)}`);
      if (figures.heapFloorBytes !== undefined) assert.ok(figures.heapFloorBytes > 30 * 2 ** 20, JSON.stringify(figures));
    }
  }, ['--expose-gc']);
});

test('a target whose event loop is saturated is not settled: re-warming its code would cost it throughput', async () => {
  const script = "setInterval(() => { const until = Date.now() + 400; while (Date.now() < until); }, 5); console.log('ready');";
  await withScriptTarget(script, async (pid) => {
    await probe.sample(pid, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const figures = await probe.sample(pid, 5_000, true);
    assert.ok(figures!.eventLoopUtilization! >= 0.9, `utilization ${figures!.eventLoopUtilization}`);
    assert.equal(figures!.settleDeferred, 1);
    assert.equal(figures!.rssAfterFullGcBytes, undefined);
    // A scenario that needs the floor more than the target's throughput (settleAlways) has it settled anyway.
    const forced = await probe.sample(pid, 5_000, 'always');
    assert.equal(forced!.settleDeferred, undefined);
    assert.ok(forced!.rssAfterFullGcBytes! > 0 && forced!.settlePauseMs! >= 0, JSON.stringify(forced));
  });
});

test('a target saturated seconds ago is not forced in its lull: a flat-out load dips, and one collection costs minutes', async () => {
  // Busy until SIGUSR2, then idle.
  const script =
    "let busy = true; process.on('SIGUSR2', () => { busy = false; }); setInterval(() => { const until = Date.now() + 400; while (busy && Date.now() < until); }, 5); console.log('ready');";
  await withScriptTarget(script, async (pid) => {
    await probe.sample(pid, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal((await probe.sample(pid, 5_000, true))!.settleDeferred, 1);
    process.kill(pid, 'SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // Three calm seconds bring the busy average under 75%; the target is still held as saturated.
    const lull = await probe.sample(pid, 5_000, true);
    assert.ok(lull!.eventLoopUtilization! < 0.5, `the target was not calm: ${JSON.stringify(lull)}`);
    assert.equal(lull!.settleDeferred, 1, `forced in a lull: ${JSON.stringify(lull)}`);
    assert.equal(lull!.settlePauseMs, undefined);
  });
});

test('a target busy 85% of the time counts as saturated: its clients already queue behind each other', async () => {
  // 17 ms of work every 20 ms, as bench:probe's plain server driven flat out (77-84% busy).
  const script = "setInterval(() => { const until = Date.now() + 17; while (Date.now() < until); }, 20); console.log('ready');";
  await withScriptTarget(script, async (pid) => {
    // The first sample's window is the target's start-up, which the probe does not judge.
    await probe.sample(pid, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const figures = await probe.sample(pid, 5_000, true);
    const busy = Math.max(figures!.eventLoopUtilization!, figures!.mainThreadDemand ?? 0);
    assert.ok(busy >= 0.75 && figures!.eventLoopUtilization! < 0.95, `busy ${busy}, event loop ${figures!.eventLoopUtilization}`);
    assert.equal(figures!.settleDeferred, 1, JSON.stringify(figures));
  });
});

test("a saturated target's own full collection is still its settled reading: it costs the target nothing", async () => {
  const script =
    'const kept = []; setInterval(() => { const until = Date.now() + 400; while (Date.now() < until) { kept.push(Array.from({ length: 1000 }, (_, i) => ({ i }))); if (kept.length > 400) kept.shift(); } }, 5); console.log("ready");';
  await withScriptTarget(script, async (pid) => {
    await probe.sample(pid, 5_000, true);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const figures = await probe.sample(pid, 5_000, true);
    assert.ok(figures!.eventLoopUtilization! >= 0.9, `utilization ${figures!.eventLoopUtilization}`);
    assert.equal(figures!.settlesByTarget, 1, JSON.stringify(figures));
    assert.equal(figures!.settleDeferred, undefined);
    assert.equal(figures!.settlePauseMs, undefined, 'no collection forced on a saturated target');
  });
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
