// Verdicts on synthetic series with a known answer: flat noise with a GC sawtooth is not growing, the reported
// bug's growth is caught within 30 s, a plateau and a step are plateaus (a sparse settled floor's too), a leak that
// slowed is not, a short noisy run is inconclusive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSamples, summarizeMetric } from '../harness/analysis/analyze.ts';
import { labelNotes, outsideHeapNote, youngGenerationNote } from '../harness/analysis/verdict.ts';
import type { MetricSummary } from '../harness/contracts/summary.ts';
import type { MetricSeries } from '../harness/analysis/series.ts';
import { gaussian, seededRandom } from '../lib/seededRandom.ts';
import type { Sample } from '../harness/contracts/sample.ts';
import { RUN_AB_RSS, RUN_AC_RSS, RUN_AD_RAW_RSS, RUN_X, RUN_Y } from './fixtures/openclawSettledReadings.ts';

const MB = 1024 * 1024;
const HZ = 2;

interface Noise {
  sd: number;
  phi: number;
  sawPeriod: number;
  sawAmplitude: number;
}

/** RSS-like noise as sampled at 2 Hz: AR(1) wander plus a garbage-collection sawtooth, parameters drawn per series. */
function drawNoise(random: () => number): Noise {
  return {
    sd: (0.5 + 1.5 * random()) * MB,
    phi: [0, 0.5, 0.8, 0.9][Math.floor(random() * 4)],
    sawPeriod: 2 + Math.floor(random() * 29),
    sawAmplitude: 4 * random() * MB,
  };
}

/** n samples at 2 Hz of `shape(tS)` plus the noise. */
function series(random: () => number, n: number, noise: Noise, shape: (tS: number) => number): MetricSeries {
  const phase = random() * noise.sawPeriod;
  let wander = gaussian(random) * noise.sd;
  const out: MetricSeries = { tS: [], values: [], ops: [], segment: [] };
  for (let i = 0; i < n; i++) {
    wander = noise.phi * wander + Math.sqrt(1 - noise.phi ** 2) * noise.sd * gaussian(random);
    const saw = noise.sawAmplitude * (((i + phase) % noise.sawPeriod) / noise.sawPeriod);
    const tS = i / HZ;
    out.tS.push(tS);
    out.values.push(80 * MB + shape(tS) + wander + saw);
    out.ops.push(i * 10);
    out.segment.push(0);
  }
  return out;
}

const flat = () => 0;
const leak = (mbPerMin: number) => (tS: number) => (mbPerMin * MB * tS) / 60;

test('flat noise with a GC sawtooth is called growing in at most 1% of 600 series (AR(1) phi up to 0.9)', () => {
  const random = seededRandom(20260525);
  const verdicts: Record<string, number> = {};
  const lengths = [60, 120, 240];
  for (let i = 0; i < 600; i++) {
    const summary = summarizeMetric('rssBytes', series(random, lengths[i % 3], drawNoise(random), flat), { warmupS: 0 });
    verdicts[summary.verdict] = (verdicts[summary.verdict] ?? 0) + 1;
  }
  assert.ok((verdicts.growing ?? 0) <= 6, `growing in ${verdicts.growing} of 600: ${JSON.stringify(verdicts)}`);
  assert.ok((verdicts.flat ?? 0) > 200, `a flat series should mostly be decided flat: ${JSON.stringify(verdicts)}`);
});

test('the reported bug\'s 50 MB/min is called growing from 30 s of samples at 2 Hz', () => {
  const random = seededRandom(55334);
  let detected = 0;
  for (let i = 0; i < 100; i++) {
    const summary = summarizeMetric('rssBytes', series(random, 30 * HZ, drawNoise(random), leak(50)), { warmupS: 0 });
    if (summary.verdict === 'growing') detected++;
  }
  assert.equal(detected, 100);
});

test('growth that levels off is a plateau, with its level and about when it was reached', () => {
  const random = seededRandom(7);
  for (let i = 0; i < 20; i++) {
    // 20 MB/min for the first 60 s, then flat at +20 MB for two more minutes.
    const ramp = (tS: number) => (20 * MB * Math.min(tS, 60)) / 60;
    const noise = { sd: 0.5 * MB, phi: 0.5, sawPeriod: 6, sawAmplitude: 0.5 * MB };
    const summary = summarizeMetric('heapFloorBytes', series(random, 180 * HZ, noise, ramp), { warmupS: 0 });
    assert.equal(summary.verdict, 'plateau', `series ${i}`);
    assert.ok(Math.abs(summary.plateauLevel! - 100 * MB) < 2 * MB, `level ${summary.plateauLevel! / MB} MB`);
    assert.ok(summary.plateauAtS! >= 35 && summary.plateauAtS! <= 80, `reached at ${summary.plateauAtS} s`);
  }
});

test('a single step followed by flat is a plateau, not growth', () => {
  const random = seededRandom(8);
  for (let i = 0; i < 20; i++) {
    const stepAtS = 20 + 40 * random();
    const step = (tS: number) => (tS >= stepAtS ? 30 * MB : 0);
    const summary = summarizeMetric('rssBytes', series(random, 120 * HZ, { sd: 1 * MB, phi: 0.5, sawPeriod: 2, sawAmplitude: 0 }, step), { warmupS: 0 });
    assert.equal(summary.verdict, 'plateau', `series ${i} (step at ${stepAtS.toFixed(1)} s)`);
    assert.ok(Math.abs(summary.plateauAtS! - stepAtS) <= 10, `step at ${stepAtS.toFixed(1)} s, reported ${summary.plateauAtS} s`);
  }
});

/**
 * A settled heap floor as the OpenClaw example reads it: 25 forced collections 20 s apart, with noise uncorrelated
 * from one reading to the next (as forced floors' is) unless a lag-one correlation `phi` is given.
 */
function settledFloor(random: () => number, sd: number, shape: (tMin: number) => number, phi = 0): MetricSeries {
  const out: MetricSeries = { tS: [], values: [], ops: [], segment: [] };
  let noise = sd * gaussian(random);
  for (let i = 0; i < 25; i++) {
    noise = phi * noise + Math.sqrt(1 - phi ** 2) * sd * gaussian(random);
    out.tS.push(120 + 20 * i);
    out.values.push(280 * MB + shape((20 * i) / 60) + noise);
    out.ops.push(i);
    out.segment.push(0);
  }
  return out;
}

function settledVerdicts(seed: number, shape: (tMin: number) => number): Record<string, number> {
  const random = seededRandom(seed);
  const verdicts: Record<string, number> = {};
  for (let i = 0; i < 40; i++) {
    const summary = summarizeMetric('heapFloorBytes', settledFloor(random, (1 + 3 * random()) * MB, shape), { warmupS: 0 });
    verdicts[summary.verdict] = (verdicts[summary.verdict] ?? 0) + 1;
  }
  return verdicts;
}

test('a settled floor that rose for its first minutes and stopped is mostly a plateau, from 25 readings', () => {
  // 5 MiB/min for 3 minutes, then flat: the average rate to the flat part is diluted by it, the slope before is not.
  const verdicts = settledVerdicts(31, (tMin) => 5 * MB * Math.min(tMin, 3));
  assert.ok((verdicts.plateau ?? 0) >= 24, `plateau in ${verdicts.plateau} of 40: ${JSON.stringify(verdicts)}`);
});

test('settled floors that keep growing, straight or slowed, are not plateaus', () => {
  for (const [name, shape] of [
    ['2.5 MiB/min', (tMin: number) => 2.5 * MB * tMin],
    ['1 MiB/min', (tMin: number) => MB * tMin],
    ['4 then 1.5 MiB/min', (tMin: number) => MB * (4 * Math.min(tMin, 3) + 1.5 * Math.max(tMin - 3, 0))],
  ] as const) {
    const verdicts = settledVerdicts(32, shape);
    assert.ok((verdicts.plateau ?? 0) <= 2, `${name}: plateau in ${verdicts.plateau} of 40: ${JSON.stringify(verdicts)}`);
  }
});

test('real OpenClaw heap floors: one that rose and held is a plateau, one that kept growing is growing', () => {
  const summarize = (points: Array<[number, number]>) => summarizeMetric('heapFloorBytes', {
    tS: points.map(([t]) => t), values: points.map(([, bytes]) => bytes), ops: points.map((_, i) => i), segment: points.map(() => 0),
  }, { warmupS: 0 });
  const held = summarize(RUN_Y);
  assert.equal(held.verdict, 'plateau');
  assert.ok(Math.abs(held.plateauLevel! / MB - 292.5) < 2, `level ${held.plateauLevel! / MB} MiB`);
  assert.equal(summarize(RUN_X).verdict, 'growing');
});

test('real OpenClaw RSS that held for minutes and then rose is growing, from where it rose: settled and raw', () => {
  const summarize = (metric: string, points: Array<[number, number]>) => summarizeMetric(metric, {
    tS: points.map(([t]) => t), values: points.map(([, bytes]) => bytes), ops: points.map((_, i) => i), segment: points.map(() => 0),
  }, { warmupS: 0 });
  // [run, its readings, where the late rise found starts, seconds since the run's start]
  // AD's is raw RSS every 3 s, whose tail of 64 samples and more reads its own autocorrelation: the check on the
  // first differences, for the 10-15 readings of a settled tail, does not apply (at 3 s RSS's noise is persistent).
  for (const [name, points, sinceS] of [['AB', RUN_AB_RSS, 363], ['AC', RUN_AC_RSS, 420], ['AD', RUN_AD_RAW_RSS, 408]] as const) {
    const m = summarize(name === 'AD' ? 'rssBytes' : 'rssSettledBytes', [...points]);
    assert.equal(m.verdict, 'growing', name);
    assert.ok(m.trendP >= 0.01, `${name}: the whole window's line alone would decide it (p ${m.trendP})`);
    assert.equal(m.lateRise?.sinceS, sinceS, name);
    assert.ok(m.lateRise.ciLow > 20 * MB && m.lateRise.slopePerMin > m.slopePerMin, `${name}: ${m.lateRise.slopePerMin / MB} MiB/min`);
  }
});

test('a settled floor that was flat for five minutes and then rose is growing, with where the rise began', () => {
  // One line across the bend reads the bend as autocorrelation and waits; the tail is a clean line of its own.
  const random = seededRandom(33);
  let growing = 0;
  const since: number[] = [];
  for (let i = 0; i < 40; i++) {
    const m = summarizeMetric('heapFloorBytes', settledFloor(random, (1 + 3 * random()) * MB, (tMin) => 4 * MB * Math.max(tMin - 5, 0)), { warmupS: 0 });
    if (m.verdict !== 'growing') continue;
    growing++;
    if (!m.lateRise) continue;
    since.push(m.lateRise.sinceS);
    assert.ok(m.lateRise.ciLow > 0 && m.lateRise.ciLow < 4 * MB, `${m.lateRise.slopePerMin / MB} MiB/min, from ${m.lateRise.ciLow / MB}`);
    assert.match(labelNotes('heapFloorBytes', { heapFloorBytes: m }).join('; '), /^rising since \d+ min \d+ s at [\d.]+ MiB\/min, 95% CI/);
  }
  assert.ok(growing >= 20, `growing in ${growing} of 40`);
  // The bend is 420 s into the run. Where the two lines fit best, among the tails that pass, is near it in most series
  // (the longest passing tail would start minutes before it); noise and a short tail's wider test can move it earlier.
  since.sort((a, b) => a - b);
  const near = since.filter((s) => s >= 300 && s <= 480).length;
  assert.ok(near >= 0.8 * since.length && since[since.length >> 1] >= 360, `${near} of ${since.length} near the bend: ${since.join(', ')}`);
});

test('a floor growing at one rate all through is rarely reported as a late rise, slower before it', () => {
  // 1 MiB/min straight, uncorrelated and lag-one 0.3 noise: a tail can pass its own test, but it is not steeper than
  // the part before it; without that check 14 of these 400 were reported as late rises.
  const random = seededRandom(35);
  let late = 0;
  for (let i = 0; i < 400; i++) {
    const floor = settledFloor(random, (1 + 3 * random()) * MB, (tMin) => MB * tMin, i % 2 ? 0.3 : 0);
    if (summarizeMetric('heapFloorBytes', floor, { warmupS: 0 }).lateRise) late++;
  }
  assert.ok(late <= 8, `late rises in ${late} of 400 straight lines`);
});

test('looking for a late rise adds little false growth: ten minutes of flat noise, settled floors with and without persistence', () => {
  // Ten minutes at 2 Hz of flat noise with a sawtooth and AR(1) wander: tails of 3 minutes and more are searched.
  const random = seededRandom(34);
  const verdicts: Record<string, number> = {};
  for (let i = 0; i < 150; i++) {
    const summary = summarizeMetric('rssBytes', series(random, 1200, drawNoise(random), flat), { warmupS: 0, maxPoints: 300 });
    verdicts[summary.verdict] = (verdicts[summary.verdict] ?? 0) + 1;
  }
  assert.ok((verdicts.growing ?? 0) <= 2, `growing in ${verdicts.growing} of 150: ${JSON.stringify(verdicts)}`);
  // Uncorrelated settled readings (the forced floors' own noise): the tail search adds no false growth.
  let settledGrowing = 0;
  for (let i = 0; i < 200; i++) {
    if (summarizeMetric('heapFloorBytes', settledFloor(random, (1 + 3 * random()) * MB, flat), { warmupS: 0 }).verdict === 'growing') settledGrowing++;
  }
  assert.ok(settledGrowing <= 2, `settled no-growth floors growing in ${settledGrowing} of 200`);
  // Persistent noise (lag-one 0.8) wanders in arcs that a tail alone takes for a rise: 15 of these 200 were growing
  // with the tail test alone and 14 with the part before it clearly slower too, 4 once a bend is trusted only in
  // readings whose first differences show no persistence. The whole window's test alone calls about 3% growing
  // (bench:detect).
  let persistentGrowing = 0;
  for (let i = 0; i < 200; i++) {
    if (summarizeMetric('heapFloorBytes', settledFloor(random, (1 + 3 * random()) * MB, flat, 0.8), { warmupS: 0 }).verdict === 'growing') persistentGrowing++;
  }
  assert.ok(persistentGrowing <= 7, `persistent no-growth floors growing in ${persistentGrowing} of 200`);
});

test('a short noisy run is inconclusive and says about how many more minutes would decide it', () => {
  const random = seededRandom(9);
  const noise = { sd: 2 * MB, phi: 0.8, sawPeriod: 2, sawAmplitude: 0 };
  const short = summarizeMetric('rssBytes', series(random, 20 * HZ, noise, leak(3)), { warmupS: 0 });
  assert.equal(short.verdict, 'inconclusive');
  assert.ok(short.moreMinutesNeeded! >= 0.5, `moreMinutesNeeded ${short.moreMinutesNeeded}`);
  const tiny = summarizeMetric('rssBytes', series(random, 4, noise, flat), { warmupS: 0 });
  assert.equal(tiny.verdict, 'inconclusive');
  assert.equal(tiny.moreMinutesNeeded, 0.5);
});

test('a long flat run rules growth out: flat, with an interval under the floor', () => {
  const random = seededRandom(10);
  const summary = summarizeMetric('rssBytes', series(random, 600 * HZ, { sd: 1 * MB, phi: 0.8, sawPeriod: 10, sawAmplitude: 2 * MB }, flat), { warmupS: 0 });
  assert.equal(summary.verdict, 'flat');
  assert.ok(summary.ciHigh < 2 * MB && summary.ciLow < 0 && summary.moreMinutesNeeded === undefined);
});

function sample(t: number, metrics: Record<string, number>, ops: Record<string, number>, phase: Sample['phase'] = 'load'): Sample {
  return { t, phase, metrics, ops, window: { requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null } };
}

test('analyzeSamples: every metric after warmup, units from the name, slopes per minute and per 1,000 driving operations', () => {
  const samples: Sample[] = [];
  for (let i = 0; i <= 240; i++) {
    const t = i / 2;
    const subagents = 4 * i;
    const chats = 100 * i;
    const metrics: Record<string, number> = {
      // sessions.json gains 41 KB per sub-agent spawn (the skillsSnapshot copy), nothing per chat.
      sessionsFileBytes: 1_000_000 + 41_000 * subagents,
      eventLoopDelayP99Ms: 12 + (i % 3),
      cpuPercent: 30,
      sessionCount: subagents,
      'file:sessions': 5_000 + 41_000 * subagents,
    };
    if (i % 2 === 0) metrics.heapFloorBytes = 50 * MB; // only after a GC: absent otherwise, never zero
    samples.push(sample(t, metrics, { subagents, chats }, t < 10 ? 'warmup' : 'load'));
  }
  const out = analyzeSamples(samples, { warmupS: 10, drivers: { sessionsFileBytes: 'subagents', sessionCount: ['subagents'] } });
  assert.deepEqual(Object.keys(out).sort(), ['cpuPercent', 'eventLoopDelayP99Ms', 'file:sessions', 'heapFloorBytes', 'sessionCount', 'sessionsFileBytes']);
  assert.equal(out.sessionsFileBytes.unit, 'bytes');
  assert.equal(out['file:sessions'].unit, 'bytes');
  assert.equal(out.eventLoopDelayP99Ms.unit, 'ms');
  assert.equal(out.cpuPercent.unit, 'percent');
  assert.equal(out.sessionCount.unit, 'count');
  // 8 spawns per second = 480 per minute, 41 KB each.
  assert.equal(out.sessionsFileBytes.slopePerMin, 480 * 41_000);
  assert.equal(out.sessionsFileBytes.slopePer1kOps, 41_000 * 1000);
  assert.equal(out.sessionsFileBytes.verdict, 'growing');
  assert.equal(out.sessionsFileBytes.first, 1_000_000 + 41_000 * 80);
  assert.equal(out.sessionsFileBytes.last, 1_000_000 + 41_000 * 960);
  assert.equal(out.sessionsFileBytes.max, out.sessionsFileBytes.last);
  assert.equal(out.sessionsFileBytes.samples, 221);
  // Not given a driver, a metric is fitted against all operations: 104 per sample.
  assert.ok(Math.abs(out['file:sessions'].slopePer1kOps! - (41_000 * 4 * 1000) / 104) < 1e-6);
  assert.equal(out.heapFloorBytes.samples, 111);
  assert.equal(out.heapFloorBytes.verdict, 'flat');
  assert.equal(out.cpuPercent.slopePerMin, 0);
});

test('samples while the target restarts or the run winds down are left out', () => {
  const samples: Sample[] = [];
  for (let i = 0; i < 60; i++) samples.push(sample(i, { rssBytes: 100 * MB }, { requests: i }));
  samples.push(sample(60, { rssBytes: 900 * MB }, { requests: 60 }, 'restarting'));
  samples.push(sample(61, { rssBytes: 900 * MB }, { requests: 60 }, 'cooldown'));
  const out = analyzeSamples(samples, { warmupS: 0 });
  assert.equal(out.rssBytes.max, 100 * MB);
  assert.equal(out.rssBytes.samples, 60);
  assert.equal(out.rssBytes.verdict, 'flat');
});

test("RSS's label names V8's young generation only where it grew in the window and RSS is not flat", () => {
  const summary = (verdict: MetricSummary['verdict'], first: number, max: number): MetricSummary => ({
    unit: 'bytes', slopePerMin: 0, ciLow: 0, ciHigh: 0, slopePer1kOps: null, trendP: 1, verdict, first, last: max, max, samples: 60, segments: 1,
  });
  const grew = { rssBytes: summary('inconclusive', 100 * MB, 116 * MB), youngGenerationBytes: summary('growing', 16 * MB, 32 * MB) };
  assert.equal(youngGenerationNote('rssBytes', grew), "V8's young generation grew 16.0 MiB -> 32.0 MiB in this window: a bounded warm-up that RSS includes");
  assert.match(youngGenerationNote('treeRssBytes', { ...grew, treeRssBytes: grew.rssBytes }) ?? '', /grew 16\.0 MiB -> 32\.0 MiB/);
  assert.equal(youngGenerationNote('heapFloorBytes', { ...grew, heapFloorBytes: grew.rssBytes }), null, 'not an RSS series');
  assert.equal(youngGenerationNote('rssBytes', { ...grew, rssBytes: summary('flat', 100 * MB, 100 * MB) }), null, 'flat RSS needs no note');
  assert.equal(youngGenerationNote('rssBytes', { ...grew, youngGenerationBytes: summary('flat', 32 * MB, 32 * MB + 4096) }), null, 'page rounding');
  // OpenClaw on Node 26 (bench:openclaw, 2026-11-30 22:00): RSS growing 21.5 MiB/min while V8 resized its young
  // generation by pages, 62.8 -> 64.0 MiB; the note said that explained the RSS rise.
  const openclaw = { rssBytes: summary('growing', 1200 * MB, 1300 * MB), youngGenerationBytes: summary('flat', 62.8 * MB, 64 * MB) };
  assert.equal(youngGenerationNote('rssBytes', openclaw), null, 'a young generation resized by pages, not doubled');
  assert.equal(youngGenerationNote('rssBytes', { rssBytes: grew.rssBytes }), null, 'a target without the probe');
});

test("RSS's label says how much of its growth is outside the main heap only where that is most of the settled RSS's", () => {
  const slope = (verdict: MetricSummary['verdict'], slopePerMin: number): MetricSummary => ({
    unit: 'bytes', slopePerMin, ciLow: slopePerMin / 2, ciHigh: slopePerMin * 2, slopePer1kOps: null, trendP: 0.001, verdict, first: 0, last: 0, max: 0, samples: 60, segments: 1, floorPerMin: 2 * MB,
  });
  // OpenClaw run N (bench:openclaw, 2026-12-01): RSS +110 MiB/min, settled +85, the main heap's total a few MiB/min.
  const openclaw = { rssBytes: slope('growing', 110 * MB), rssSettledBytes: slope('growing', 85 * MB), rssOutsideHeapBytes: slope('growing', 80 * MB) };
  const said = '80.0 MiB/min of the settled RSS\'s 85.0 MiB/min is outside the main heap: worker threads, buffers and native memory, which a heap snapshot of the main thread does not show';
  assert.equal(outsideHeapNote('rssSettledBytes', openclaw), said);
  assert.equal(outsideHeapNote('rssBytes', openclaw), said, 'raw RSS is judged by the settled share: its own slope carries the swings');
  assert.equal(outsideHeapNote('treeRssBytes', { ...openclaw, treeRssBytes: openclaw.rssBytes }), null, "the tree's growth may be in its children");
  assert.equal(outsideHeapNote('rssSettledBytes', { ...openclaw, rssOutsideHeapBytes: slope('growing', 30 * MB) }), null, 'most of it in the heap');
  assert.equal(outsideHeapNote('rssSettledBytes', { ...openclaw, rssSettledBytes: slope('inconclusive', 85 * MB) }), null, 'not decided');
  assert.equal(outsideHeapNote('rssSettledBytes', { ...openclaw, rssSettledBytes: slope('growing', 1 * MB) }), null, 'under the floor that matters');
  assert.equal(outsideHeapNote('rssBytes', { rssBytes: openclaw.rssBytes, rssSettledBytes: openclaw.rssSettledBytes }), null, 'a target without the probe');
});
