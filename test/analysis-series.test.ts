// The one series pipeline: a heap snapshot's lasting RSS step and a restart's drop are intercepts, not growth or
// shrinkage; each operation is counted once; and the live verdict and the progress line report the slope the
// final analysis reports.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { analyzeSamples } from '../harness/analysis/analyze.ts';
import { metricSeries, operationCount } from '../harness/analysis/series.ts';
import { LiveVerdict } from '../harness/run/liveVerdict.ts';
import { Progress } from '../harness/run/progress.ts';
import type { Sample } from '../harness/contracts/sample.ts';

const MB = 1024 ** 2;

function sample(t: number, metrics: Record<string, number>, extra: Partial<Sample> = {}): Sample {
  return {
    t,
    phase: t < 10 ? 'warmup' : 'load',
    metrics,
    ops: { requests: 3 * t, subagents: 2 * t, chats: t },
    window: { requests: 1, errors: 0, latencyP50Ms: 1, latencyP99Ms: 1, latencyMaxMs: 1 },
    ...extra,
  };
}

/** 120 s at 1 Hz; RSS grows `perMin`, and a snapshot at 60 s adds 60 MB spread over the next 4 s. */
function snapshotRun(perMin: number): Sample[] {
  return Array.from({ length: 121 }, (_, t) => {
    const step = t <= 60 ? 0 : Math.min(1, (t - 60) / 4) * 60 * MB;
    const wobble = ((t * 7919) % 13) * 0.05 * MB;
    return sample(t, { rssBytes: 100 * MB + (perMin * t) / 60 + step + wobble, heapUsedBytes: 20 * MB + step / 10 }, t === 60 ? { events: [{ type: 'snapshot', t: 60, durationMs: 600 }] } : {});
  });
}

test("a flat target's RSS stays flat across a snapshot's step, and its measured levels are kept", () => {
  const samples = snapshotRun(0);
  const rss = analyzeSamples(samples, { warmupS: 10 }).rssBytes;
  assert.equal(rss.verdict, 'flat', `${rss.verdict} ${rss.slopePerMin / MB} MB/min`);
  assert.ok(rss.max > 159 * MB, 'max is the level measured, step included');
  assert.equal(rss.segments, 2);
  const series = metricSeries(samples, 'rssBytes', 10);
  assert.ok(series.tS.every((t) => t < 60 || t > 65.6), 'samples inside the snapshot window are left out');
});

test('a leaking target stays growing at its own slope across the step', () => {
  const rss = analyzeSamples(snapshotRun(20 * MB), { warmupS: 10 }).rssBytes;
  assert.equal(rss.verdict, 'growing');
  assert.ok(Math.abs(rss.slopePerMin - 20 * MB) < 2 * MB, `${rss.slopePerMin / MB} MB/min`);
});

test('heap used is not cut at a snapshot: a snapshot does not move what the heap holds', () => {
  const series = metricSeries(snapshotRun(0), 'heapUsedBytes', 10);
  assert.ok(series.tS.includes(62));
  assert.deepEqual(new Set(series.segment), new Set([0]));
});

/** A leak of 30 MB/min whose restart at 90 s drops RSS back to its starting level. */
function restartRun(): Sample[] {
  const samples: Sample[] = [];
  for (let t = 0; t <= 180; t++) {
    const sinceStart = t < 90 ? t : t - 92;
    const wobble = ((t * 7919) % 11) * 0.1 * MB;
    if (t === 90 || t === 91) {
      samples.push(sample(t, { rssBytes: 50 * MB }, { phase: 'restarting' }));
      continue;
    }
    samples.push(sample(t, { rssBytes: 100 * MB + (30 * MB * sinceStart) / 60 + wobble }, t === 92 ? { events: [{ type: 'restart', t: 91, durationMs: 900 }] } : {}));
  }
  return samples;
}

test('a leak whose restart drops memory is fitted with one slope and an intercept per process', () => {
  const rss = analyzeSamples(restartRun(), { warmupS: 10 }).rssBytes;
  assert.equal(rss.segments, 2);
  assert.equal(rss.verdict, 'growing');
  assert.ok(Math.abs(rss.slopePerMin - 30 * MB) < 1.5 * MB, `${rss.slopePerMin / MB} MB/min`);
  // One line across both processes would see the drop cancel most of the leak.
  const oneLine = analyzeSamples(restartRun().map(({ events: _events, ...s }) => s), { warmupS: 10 }).rssBytes;
  assert.ok(oneLine.slopePerMin < 15 * MB, `one line: ${oneLine.slopePerMin / MB} MB/min`);
});

test('each operation is counted once: requests, not requests plus the same requests by kind', () => {
  assert.equal(operationCount({ requests: 30, errors: 4, subagents: 20, chats: 6 }), 26);
  assert.equal(operationCount({ subagents: 20, chats: 6, skipped: 3 }), 26);
  assert.equal(operationCount({ requests: 30, subagents: 20 }, 'subagents'), 20);
  // 1 MB per sub-agent and 2 sub-agents per request-second: 1,000 operations (requests) hold 666.7 MB.
  const samples = Array.from({ length: 60 }, (_, t) => sample(t + 10, { sessionsFileBytes: 2 * MB * (t + 10) }));
  const m = analyzeSamples(samples, { warmupS: 10 }).sessionsFileBytes;
  assert.ok(Math.abs(m.slopePer1kOps! - (2 * MB * 1000) / 3) < 1, `${m.slopePer1kOps}`);
});

test('the live verdict and the progress line report the slope the final analysis reports', () => {
  const samples = restartRun();
  const live = new LiveVerdict({ metrics: ['rssBytes'], warmupS: 10 });
  const stream = new PassThrough();
  let printed = '';
  stream.on('data', (chunk) => (printed += chunk));
  const progress = new Progress({ durationS: 180, warmupS: 10, stream: stream as unknown as NodeJS.WriteStream, live: false });
  for (const s of samples) {
    live.add(s);
    progress.update(s);
  }
  const final = analyzeSamples(samples, { warmupS: 10 }).rssBytes;
  const [liveRss] = live.current();
  assert.equal(liveRss.summary.slopePerMin, final.slopePerMin);
  assert.equal(liveRss.summary.verdict, final.verdict);
  const lastLine = printed.trim().split('\n').at(-1)!;
  assert.match(lastLine, new RegExp(`\\(\\+${(final.slopePerMin / MB).toFixed(1)} MiB/min\\)`), lastLine);
});
