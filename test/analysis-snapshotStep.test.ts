// A heap snapshot raises the target's RSS for good; the analysis takes that step out of process-memory metrics,
// so a leak is still a line and a flat target stays flat, while the levels reported stay the measured ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeSamples, metricSeries } from '../harness/analysis/analyze.ts';
import type { Sample } from '../harness/sample.ts';

const MB = 1024 ** 2;

/** 120 s at 1 Hz; RSS grows `perMin`, and a snapshot at 60 s adds 60 MB spread over the next 4 s. */
function run(perMin: number): Sample[] {
  return Array.from({ length: 121 }, (_, t) => {
    const step = t <= 60 ? 0 : Math.min(1, (t - 60) / 4) * 60 * MB;
    const wobble = ((t * 7919) % 13) * 0.05 * MB;
    return {
      t,
      phase: t < 10 ? 'warmup' : 'load',
      metrics: { rssBytes: 100 * MB + (perMin * t) / 60 + step + wobble, heapUsedBytes: 20 * MB + step / 10 },
      ops: { subagents: t },
      window: { requests: 1, errors: 0, latencyP50Ms: 1, latencyP99Ms: 1, latencyMaxMs: 1 },
      ...(t === 60 ? { events: [{ type: 'snapshot' as const, t: 60, durationMs: 600 }] } : {}),
    };
  });
}

test("a flat target's RSS stays flat across a snapshot's step, and its measured levels are kept", () => {
  const samples = run(0);
  const rss = analyzeSamples(samples, { warmupS: 10 }).rssBytes;
  assert.equal(rss.verdict, 'flat', `${rss.verdict} ${rss.slopePerMin / MB} MB/min`);
  assert.ok(rss.max > 159 * MB, 'max is the level measured, step included');
  const series = metricSeries(samples, 'rssBytes', 10);
  assert.ok(series.tS.every((t) => t < 60 || t > 65.6), 'samples inside the snapshot window are left out');
});

test('a leaking target stays growing at its own slope across the step', () => {
  const rss = analyzeSamples(run(20 * MB), { warmupS: 10 }).rssBytes;
  assert.equal(rss.verdict, 'growing');
  assert.ok(Math.abs(rss.slopePerMin - 20 * MB) < 2 * MB, `${rss.slopePerMin / MB} MB/min`);
});

test('heap used is not corrected: a snapshot does not move what the heap holds', () => {
  const series = metricSeries(run(0), 'heapUsedBytes', 10);
  assert.equal(series.measured, undefined);
  assert.ok(series.tS.includes(62));
});
