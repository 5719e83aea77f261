// The live verdict of a long soak: it tells growth from flat while running, projects when a memory limit is
// reached, and holds fixed memory however many samples arrive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveVerdict, describeLive, parseByteSize } from '../../harness/run/liveVerdict.ts';
import type { Sample } from '../../harness/contracts/sample.ts';
import { gaussian, seededRandom } from '../../lib/seededRandom.ts';

const MB = 1024 ** 2;

function sample(t: number, rssBytes: number, heapFloorBytes: number): Sample {
  return {
    t,
    phase: t < 10 ? 'warmup' : 'load',
    metrics: { rssBytes, heapFloorBytes },
    ops: { subagents: t * 2 },
    window: { requests: 2, errors: 0, latencyP50Ms: 1, latencyP99Ms: 2, latencyMaxMs: 3 },
  };
}

test('calls a 20 MB/min RSS leak growing, projects the limit, and keeps a flat heap flat', () => {
  const random = seededRandom(7);
  const live = new LiveVerdict({ metrics: ['rssBytes', 'heapFloorBytes'], warmupS: 10, limitBytes: parseByteSize('1GiB') });
  for (let t = 0; t <= 300; t++) live.add(sample(t, 200 * MB + (20 * MB * t) / 60 + gaussian(random) * MB, 50 * MB + gaussian(random) * 0.2 * MB));
  const byMetric = Object.fromEntries(live.current().map((m) => [m.metric, m]));
  assert.equal(byMetric.rssBytes.summary.verdict, 'growing');
  assert.ok(Math.abs(byMetric.rssBytes.summary.slopePerMin - 20 * MB) < 2 * MB, `slope ${byMetric.rssBytes.summary.slopePerMin / MB} MB/min`);
  // At t=300 RSS is ~300 MB: 724 MB more at 20 MB/min is ~36 minutes.
  const minutes = byMetric.rssBytes.secondsToLimit! / 60;
  assert.ok(minutes > 33 && minutes < 40, `projected ${minutes} min`);
  assert.match(describeLive(byMetric.rssBytes), /rssBytes growing 2\d\.\d MiB\/min .* reaches the memory limit in about 3\d min/);
  assert.notEqual(byMetric.heapFloorBytes.summary.verdict, 'growing');
  assert.equal(byMetric.heapFloorBytes.secondsToLimit, null);
});

test('holds a bounded number of points over an hour of samples, and the slope survives the folding', () => {
  const live = new LiveVerdict({ metrics: ['rssBytes'], warmupS: 0, maxBins: 100 });
  for (let t = 0; t < 3600; t++) live.add(sample(t + 10, 100 * MB + (6 * MB * t) / 60, 1));
  const [rss] = live.current();
  assert.ok(rss.summary.samples! <= 100, `${rss.summary.samples} points kept`);
  assert.ok(Math.abs(rss.summary.slopePerMin - 6 * MB) < 0.05 * MB);
});

test('reads memory limits in the unit their suffix names (GiB binary, GB decimal) and refuses nonsense', () => {
  assert.equal(parseByteSize('1GiB'), 1024 ** 3);
  assert.equal(parseByteSize('512mib'), 512 * MB);
  assert.equal(parseByteSize('1GB'), 1e9);
  assert.equal(parseByteSize('1.5 kB'), 1500);
  assert.equal(parseByteSize('1000'), 1000);
  assert.throws(() => parseByteSize('lots'), /expected a size/);
});

test('soakgate run prints the live verdict with the memory-limit projection and checkpoints it in live.json', async () => {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'soakgate-live-'));
  try {
    const scenario = join(dir, 'leaky.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        name: 'leaky',
        target: {
          command: {
            argv: [process.execPath, new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname],
            env: { TINY_RETAIN_BYTES: '300000' },
            ready: 'listening on (http://\\S+)',
          },
        },
        duration: '14s',
        warmup: '2s',
        sampleInterval: '250ms',
        load: [{ kind: 'http', method: 'GET', path: '/x/{{n}}', rate: 40 }],
      }),
    );
    const run = (args: string[]) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, [new URL('../../bin/soakgate.js', import.meta.url).pathname, 'run', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('close', (code) => resolve({ code, output }));
      });
    const bad = await run([scenario, '--memory-limit', 'plenty']);
    assert.equal(bad.code, 2);
    assert.match(bad.output, /expected a size such as 1GiB/);
    const { code, output } = await run([scenario, '--out', 'run', '--memory-limit', '2GB', '--no-report', '--snapshots', 'never']);
    assert.equal(code, 0, output);
    assert.match(output, /live verdict: rssBytes growing [\d.]+ MiB\/min .*reaches the memory limit in about \d+ min/);
    const checkpoint = JSON.parse(readFileSync(join(dir, 'run', 'live.json'), 'utf8'));
    assert.ok(checkpoint.t > 5);
    assert.equal(checkpoint.metrics.rssBytes.verdict, 'growing');
    assert.ok(checkpoint.metrics.rssBytes.secondsToLimit > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
