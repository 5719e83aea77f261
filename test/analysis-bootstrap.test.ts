// compare's statistics: the difference of two runs' slopes with a seeded bootstrap interval, and the ratio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../harness/analysis/bootstrap.ts';
import { MB, syntheticRun } from './fixtures/analysis-syntheticRun.ts';

const naiveRss = { level: 80 * MB, perMin: 50 * MB, noiseSd: 1 * MB, phi: 0.7 };
const dedupRss = { level: 80 * MB, perMin: 1 * MB, noiseSd: 0.3 * MB, phi: 0.7 };
const run = (seed: number, rss: typeof naiveRss) => syntheticRun(seed, { durationS: 90, hz: 2, warmupS: 10, metrics: { rssBytes: rss } });

test('naive against dedup: the difference is about 49 MB/min with an interval around it, the ratio about 50', () => {
  const result = compareRuns(run(1, naiveRss), run(2, dedupRss), { warmupS: 10, seed: 7 });
  const rss = result.rssBytes;
  assert.equal(rss.unit, 'bytes');
  assert.ok(Math.abs(rss.difference - 49 * MB) < 3 * MB, `difference ${rss.difference / MB} MB/min`);
  assert.ok(rss.ciLow < rss.difference && rss.difference < rss.ciHigh);
  assert.ok(rss.ciLow > 40 * MB && rss.ciHigh < 58 * MB, `interval ${rss.ciLow / MB}..${rss.ciHigh / MB}`);
  assert.ok(rss.ratio! > 25 && rss.ratio! < 100, `ratio ${rss.ratio}`);
});

test('the same seed gives the same interval; a flat or shrinking second run has no ratio', () => {
  const a = run(3, naiveRss);
  const b = run(4, dedupRss);
  assert.deepEqual(compareRuns(a, b, { warmupS: 10, seed: 11 }), compareRuns(a, b, { warmupS: 10, seed: 11 }));
  const flat = syntheticRun(5, { durationS: 90, hz: 2, metrics: { rssBytes: { level: 80 * MB, perMin: -2 * MB } } });
  assert.equal(compareRuns(a, flat, { warmupS: 10 }).rssBytes.ratio, null);
});

test('over 30 seeded pairs the 95% interval covers the true difference in at least 25', () => {
  let covered = 0;
  for (let i = 0; i < 30; i++) {
    const a = syntheticRun(100 + i, { durationS: 60, hz: 2, metrics: { rssBytes: { level: 80 * MB, perMin: 10 * MB, noiseSd: 2 * MB, phi: 0.8 } } });
    const b = syntheticRun(200 + i, { durationS: 60, hz: 2, metrics: { rssBytes: { level: 80 * MB, perMin: 4 * MB, noiseSd: 2 * MB, phi: 0.8 } } });
    const rss = compareRuns(a, b, { warmupS: 0, seed: i, resamples: 200, maxPoints: 80 }).rssBytes;
    if (rss.ciLow <= 6 * MB && 6 * MB <= rss.ciHigh) covered++;
  }
  assert.ok(covered >= 25, `covered ${covered} of 30`);
});

test('only metrics both runs measured are compared', () => {
  const a = syntheticRun(6, { durationS: 30, hz: 2, metrics: { rssBytes: naiveRss, heapFloorBytes: naiveRss } });
  const b = syntheticRun(7, { durationS: 30, hz: 2, metrics: { rssBytes: dedupRss } });
  assert.deepEqual(Object.keys(compareRuns(a, b, { warmupS: 0, resamples: 50 })), ['rssBytes']);
});
