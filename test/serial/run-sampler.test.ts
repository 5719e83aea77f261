// The sampler against a real command target: one complete JSON line per interval with the target's RSS, the
// probe's figures and watched files; what the target cannot give is absent, never zero.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ProbeClient } from '../../harness/probe/probeClient.ts';
import { parseSamples, type Sample } from '../../harness/contracts/sample.ts';
import { Sampler } from '../../harness/sampling/sampler.ts';
import { CommandTarget } from '../../harness/target/commandTarget.ts';
import { watchedFileReadings } from '../../harness/target/watchedFiles.ts';

const fixture = new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname;
let dir: string;
let probe: ProbeClient;
let target: CommandTarget;
let startedPid = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-sampler-test-'));
  probe = await ProbeClient.listen();
  target = new CommandTarget({
    label: 'command:tinyServer',
    argv: [process.execPath, fixture],
    env: { ...probe.targetEnv(''), TINY_LOG_FILE: join(dir, 'requests.log') },
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  });
  await target.start();
  startedPid = target.pid!;
});

after(async () => {
  await target.stop();
  await target.close();
  await probe.close();
  rmSync(dir, { recursive: true, force: true });
  assert.throws(() => process.kill(startedPid, 0), /ESRCH/, 'the target is gone');
});

test('appends one sample per interval with target, probe, file and harness figures', async () => {
  await probe.waitFor(target.pid!, 5_000);
  let requests = 0;
  const ops = {
    totals: () => ({ requests }),
    takeWindow: () => ({ requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null }),
  };
  const file = join(dir, 'samples.jsonl');
  const seen: Sample[] = [];
  // Whether the probe answered each sample in time, in sample order (the sampler asks once per sample while the
  // target runs). A target the machine stalls past the wait answers late, and that sample goes without its figures
  // by design (they come with the next one).
  const answered: boolean[] = [];
  const watchedProbe = Object.create(probe) as ProbeClient;
  watchedProbe.sample = async (...args) => {
    const figures = await probe.sample(...args);
    answered.push(figures !== null);
    return figures;
  };
  const sampler = new Sampler({
    file,
    intervalMs: 200,
    startedAtMs: Date.now(),
    target: () => ({ pid: target.pid, baseUrl: target.baseUrl }),
    probe: watchedProbe,
    readings: watchedFileReadings({ requests: join(dir, 'requests.log'), missing: join(dir, 'never-written.log') }),
    ops,
    phase: () => 'load',
    onSample: (sample) => seen.push(sample),
  });
  sampler.start();
  for (let i = 0; i < 40; i++) {
    await (await fetch(`${target.baseUrl}/x/${i}`)).text();
    requests++;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  sampler.addEvent({ type: 'pause', detail: 'test' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Samples taken while the target is down keep coming, without its figures.
  await target.stop();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await sampler.stop();

  const { samples, skippedLines } = parseSamples(readFileSync(file, 'utf8'));
  assert.equal(skippedLines, 0);
  assert.equal(samples.length, seen.length);
  assert.ok(samples.length >= 6, `${samples.length} samples`);
  for (let i = 1; i < samples.length; i++) assert.ok(samples[i].t > samples[i - 1].t, 'times increase');

  const live = samples.filter((s) => s.metrics.rssBytes !== undefined);
  assert.ok(answered.length >= live.length, 'the probe is asked at every sample while the target runs');
  assert.ok(live.length >= 4, `${live.length} samples with RSS`);
  assert.ok(samples.filter((s, i) => answered[i] && s.metrics.rssBytes !== undefined).length >= 4, 'the probe answered most samples');
  for (const [i, sample] of samples.entries()) {
    if (sample.metrics.rssBytes === undefined) continue;
    // An exiting target's /proc entry reads 0 bytes: such a reading is no reading.
    assert.ok(sample.metrics.rssBytes > 10_000_000, `sample ${i}: RSS ${sample.metrics.rssBytes}`);
    if (answered[i]) assert.ok(sample.metrics.heapUsedBytes > 0, `probe figures in every live sample the probe answered (sample ${i})`);
    assert.ok(sample.metrics.harnessRssBytes > 0, 'the harness measures itself');
    assert.equal(sample.metrics['file:missing'], undefined);
    assert.equal(sample.metrics.sessionsFileBytes, undefined, 'not a gateway: no sessions.json figure');
  }
  const last = samples.at(-1)!;
  assert.equal(last.metrics.rssBytes, undefined, 'no RSS once the target is gone');
  assert.equal(last.metrics.heapUsedBytes, undefined);
  assert.equal(last.ops.requests, 40);
  assert.ok(last.metrics['file:requests'] > 40 * 10, 'the watched file grew with the requests');
  assert.deepEqual(
    samples.flatMap((s) => s.events ?? []).map((e) => e.type),
    ['pause'],
  );
});

/** A sampler every 200 ms asking for a settled reading every second (or `settleEveryMs`), with no load to count. */
function settlingSampler(file: string, target: CommandTarget, options: { settleAlways?: boolean; through?: ProbeClient; settleEveryMs?: number } = {}): Sampler {
  const { settleAlways = false, through = probe, settleEveryMs = 1_000 } = options;
  return new Sampler({
    file,
    intervalMs: 200,
    startedAtMs: Date.now(),
    settleEveryMs,
    settleAlways,
    target: () => ({ pid: target.pid, baseUrl: null }),
    probe: through,
    ops: { totals: () => ({}), takeWindow: () => ({ requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null }) },
    phase: () => 'load',
  });
}

test("settled RSS is each settle interval's low point, and a target without the probe has it too", async () => {
  const plain = new CommandTarget({ label: 'command:tinyServer-plain', argv: [process.execPath, fixture], ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/ });
  await plain.start();
  const pid = plain.pid!;
  const file = join(dir, 'settled.jsonl');
  const sampler = settlingSampler(file, plain);
  sampler.start();
  // Memory that comes and goes: 300 requests with large bodies.
  for (let i = 0; i < 300; i++) await (await fetch(`${plain.baseUrl}/x/${i}`, { method: 'POST', body: 'x'.repeat(50_000) })).text();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await sampler.stop();
  await plain.stop();
  await plain.close();
  assert.throws(() => process.kill(pid, 0), /ESRCH/);

  const { samples } = parseSamples(readFileSync(file, 'utf8'));
  const settled = samples.filter((s) => s.metrics.rssSettledBytes !== undefined);
  assert.ok(settled.length >= 2, `${settled.length} settled samples of ${samples.length}`);
  assert.equal(samples.some((s) => s.metrics.heapFloorBytes !== undefined), false, 'no probe, no heap figures');
  let since = 0;
  for (const [i, sample] of samples.entries()) {
    if (sample.metrics.rssSettledBytes === undefined) continue;
    const interval = samples.slice(since, i + 1).map((s) => s.metrics.rssBytes).filter((v): v is number => v !== undefined);
    assert.equal(sample.metrics.rssSettledBytes, Math.min(...interval), `sample ${i}: the lowest RSS of its interval`);
    since = i + 1;
  }
});

test('a settled reading that comes after its sample was written goes into the next sample', async () => {
  // Ten million live objects: a full collection of this heap pauses the target far longer than the 200 ms a
  // sample waits at this interval, so every settled reply is late (as OpenClaw's 1.0-1.5 s settles were).
  const script = "const keep = Array.from({ length: 10_000_000 }, (_, i) => ({ i })); console.log('ready at http://127.0.0.1:9', keep.length); setInterval(() => {}, 1000);";
  const big = new CommandTarget({ label: 'command:bigHeap', argv: [process.execPath, '-e', script], env: probe.targetEnv(''), ready: /ready at (http:\/\/127\.0\.0\.1:\d+)/ });
  await big.start();
  const pid = big.pid!;
  assert.ok(await probe.waitFor(pid, 10_000), 'the probe connected');
  const file = join(dir, 'late.jsonl');
  // The probe as the sampler sees it, counting settled readings asked for and not yet answered.
  let awaited = 0;
  let mostAwaited = 0;
  const counting = Object.create(probe) as ProbeClient;
  counting.sample = async (target, timeoutMs, settle, onLate) => {
    if (settle) mostAwaited = Math.max(mostAwaited, ++awaited);
    const answered = () => settle && awaited--;
    const figures = await probe.sample(target, timeoutMs, settle, (late) => {
      answered();
      onLate?.(late);
    });
    if (figures) answered();
    return figures;
  };
  // A settled reading due at every sample: the one after an overdue reply must not ask again.
  const sampler = settlingSampler(file, big, { through: counting, settleEveryMs: 200 });
  sampler.start();
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  await sampler.stop();
  await big.stop();
  await big.close();
  assert.throws(() => process.kill(pid, 0), /ESRCH/);

  const { samples } = parseSamples(readFileSync(file, 'utf8'));
  const pauses = samples.map((s) => s.metrics.settlePauseMs).filter((v): v is number => v !== undefined);
  assert.ok(pauses.length >= 2, `${pauses.length} settled readings in ${samples.length} samples`);
  assert.ok(Math.min(...pauses) > 200, `every settle paused the target longer than a sample waits: ${pauses.map(Math.round)} ms`);
  const floors = samples.filter((s) => s.metrics.heapFloorBytes !== undefined);
  assert.ok(floors.length >= 2, `${floors.length} heap floor points`);
  for (const sample of floors) assert.ok(sample.metrics.heapFloorBytes > 200_000_000, 'the floor holds the live objects');
  const settled = samples.filter((s) => s.metrics.rssSettledBytes !== undefined);
  assert.ok(settled.length >= 2, `${settled.length} settled RSS points`);
  assert.equal(mostAwaited, 1, 'a second settled reading was asked for while the first was overdue');
});

test('a saturated target is not settled and its samples say so, unless the scenario settles saturated targets', async () => {
  // Busy 400 ms of every 405: saturated from its first line on.
  const script = "console.log('listening on http://127.0.0.1:9'); setInterval(() => { const until = Date.now() + 400; while (Date.now() < until); }, 5);";
  const busy = new CommandTarget({ label: 'command:busy', argv: [process.execPath, '-e', script], env: probe.targetEnv(''), ready: /listening on (http:\/\/\S+)/ });
  await busy.start();
  const pid = busy.pid!;
  try {
    assert.equal(await probe.waitFor(pid, 10_000), true);
    const read = async (settleAlways: boolean): Promise<Sample[]> => {
      const file = join(dir, `busy-${settleAlways}.jsonl`);
      const sampler = settlingSampler(file, busy, { settleAlways });
      sampler.start();
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      await sampler.stop();
      return parseSamples(readFileSync(file, 'utf8')).samples;
    };
    const declined = await read(false);
    assert.ok(declined.filter((s) => s.metrics.settlesDeferred === 1).length >= 2, 'the deferred settles are in the samples');
    assert.equal(declined.some((s) => s.metrics.settlePauseMs !== undefined), false, `a saturated target was settled: ${JSON.stringify(declined.map((s) => [s.t, s.metrics.eventLoopUtilization, s.metrics.mainThreadDemand, s.metrics.settlePauseMs, s.metrics.settlesDeferred]))}`);
    assert.ok(declined.every((s) => s.metrics.eventLoopUtilization === undefined || s.metrics.eventLoopUtilization > 0.5));
    const settled = await read(true);
    assert.ok(settled.filter((s) => s.metrics.settlePauseMs !== undefined).length >= 2, 'settleAlways settles it anyway');
    assert.equal(settled.some((s) => s.metrics.settlesDeferred !== undefined), false);
  } finally {
    await busy.stop();
    await busy.close();
  }
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
});
