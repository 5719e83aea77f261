// The gate's judgement: within the baseline passes, clearly above fails and names the metric, tiny growth under
// the floor is ignored, budgets are limits, near-misses are borderline; and baselines built from N runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSamples } from '../harness/analysis/analyze.ts';
import { buildBaseline, parseBaseline, type Baseline } from '../harness/gate/baseline.ts';
import { judgeRun } from '../harness/gate/judge.ts';
import { underFloorNote } from '../harness/analysis/verdict.ts';
import type { MetricSummary, Summary } from '../harness/contracts/summary.ts';
import { MB, syntheticRun, type SyntheticMetric } from './fixtures/analysis-syntheticRun.ts';

const machine = { cpuModel: 'Test CPU', cores: 2, memoryBytes: 4 * 1024 * MB, os: 'linux 6.8.0 x64' };
const meta = { nodeVersion: 'v20.20.2', machine, created: '2026-05-25T01:00:00.000Z' };

const dedup: Record<string, SyntheticMetric> = {
  rssBytes: { level: 90 * MB, noiseSd: 1 * MB, phi: 0.7 },
  heapUsedBytes: { level: 30 * MB, noiseSd: 0.5 * MB, sawPeriodS: 3, sawAmplitude: 8 * MB },
  heapFloorBytes: { level: 25 * MB, noiseSd: 0.2 * MB, phi: 0.5 },
  sessionsFileBytes: { level: 200_000, noiseSd: 2_000 },
  transcriptBytes: { level: 5 * MB, perMin: 100_000, noiseSd: 5_000 },
  sessionCount: { level: 40, perMin: 60, levelsOffAtS: 15, noiseSd: 1 },
};
const naive: Record<string, SyntheticMetric> = {
  ...dedup,
  rssBytes: { level: 90 * MB, perMin: 50 * MB, noiseSd: 1 * MB, phi: 0.7 },
  heapFloorBytes: { level: 25 * MB, perMin: 30 * MB, noiseSd: 0.5 * MB, phi: 0.5 },
  sessionsFileBytes: { level: 200_000, perMin: 20 * MB },
  sessionCount: { level: 40, perMin: 480 },
};

function summaryOf(seed: number, metrics: Record<string, SyntheticMetric>, durationS = 60): Summary {
  const samples = syntheticRun(seed, { durationS, hz: 2, warmupS: 5, metrics });
  return {
    scenario: 'ci-gate', target: 'gateway-dedup', durationS, samples: samples.length, interrupted: false,
    operations: samples[samples.length - 1].ops, metrics: analyzeSamples(samples, { warmupS: 5 }),
  };
}

const baseline = buildBaseline([summaryOf(1, dedup), summaryOf(2, dedup), summaryOf(3, dedup)], meta);

function summary(fields: Partial<MetricSummary>): MetricSummary {
  return { unit: 'bytes', slopePerMin: 0, ciLow: 0, ciHigh: 0, slopePer1kOps: null, trendP: 1, verdict: 'flat', first: 0, last: 0, max: 0, ...fields };
}

test('a baseline from 3 runs keeps the median slope, the envelope of the intervals, the noise and the sample count', () => {
  assert.equal(baseline.runs, 3);
  assert.equal(baseline.scenario, 'ci-gate');
  assert.deepEqual(baseline.machine, machine);
  const runs = [1, 2, 3].map((seed) => summaryOf(seed, dedup).metrics.rssBytes);
  const rss = baseline.metrics.rssBytes;
  assert.equal(rss.slopePerMin, runs.map((m) => m.slopePerMin).sort((a, b) => a - b)[1]);
  assert.equal(rss.ciLow, Math.min(...runs.map((m) => m.ciLow)));
  assert.equal(rss.ciHigh, Math.max(...runs.map((m) => m.ciHigh)));
  assert.equal(rss.samples, runs.reduce((sum, m) => sum + m.samples!, 0));
  assert.ok(rss.noise > 0.3 * MB && rss.noise < 2 * MB, `noise ${rss.noise / MB} MB`);
  // Each run's slope, and how much they differ (their standard deviation): the gate's tolerance comes from this.
  assert.deepEqual(rss.slopes, runs.map((m) => m.slopePerMin));
  const mean = rss.slopes.reduce((a, b) => a + b, 0) / 3;
  assert.ok(Math.abs(rss.slopeSpread - Math.sqrt(rss.slopes.reduce((sum, v) => sum + (v - mean) ** 2, 0) / 2)) < 1e-6);
  assert.deepEqual(parseBaseline(JSON.parse(JSON.stringify(baseline)), 'baselines/ci-gate.dedup.json'), baseline);
});

test('a baseline refuses runs of different scenarios, and a damaged file is named with the field at fault', () => {
  const other = { ...summaryOf(4, dedup), scenario: 'cron-storm' };
  assert.throws(() => buildBaseline([summaryOf(1, dedup), other], meta), /one scenario and target/);
  const damaged = JSON.parse(JSON.stringify(baseline));
  damaged.metrics.rssBytes.ciHigh = 'high';
  assert.throws(() => parseBaseline(damaged, 'baselines/x.json'), /baselines\/x\.json: .*metrics\.rssBytes\.ciHigh.*soakgate baseline/);
});

test("the gate's tolerance is three times the spread of the baseline runs' slopes, at least a quarter of the floor", () => {
  const spread = (slopes: number[], slopeSpread: number) => ({
    ...baseline,
    metrics: { heapFloorBytes: { unit: 'bytes' as const, slopePerMin: 0.4 * MB, slopes, slopeSpread, ciLow: 0.3 * MB, ciHigh: 0.5 * MB, noise: 0.03 * MB, samples: 57 } },
  });
  // Clear growth of 1.9 MB/min (lower bound 1.6): over the 1 MB/min floor above the baseline's 0.4.
  const run = { heapFloorBytes: summary({ slopePerMin: 1.9 * MB, ciLow: 1.6 * MB, ciHigh: 2.2 * MB, verdict: 'growing', last: 30 * MB }) };
  const tight = judgeRun(run, {}, spread([0.39 * MB, 0.41 * MB, 0.4 * MB], 0.01 * MB), { metrics: ['heapFloorBytes'] });
  assert.equal(tight.pass, false, 'runs that agree leave a tolerance of a quarter of the floor: 0.4 + 0.25 < 1.6');
  const loose = judgeRun(run, {}, spread([0.1 * MB, 0.4 * MB, 1.0 * MB], 0.46 * MB), { metrics: ['heapFloorBytes'] });
  assert.equal(loose.pass, true, 'runs that differ by 0.46 MB/min leave 1.38: 0.4 + 1.38 > 1.6, not clear');
  assert.match(loose.checks[0].reason, /\+ 1\.4 MiB\/min tolerance from its runs' spread/);
});

test('a run like the baseline passes, every gated metric checked and none borderline', () => {
  const judgement = judgeRun(summaryOf(10, dedup).metrics, {}, baseline, { nodeVersion: 'v20.20.2', machine });
  assert.equal(judgement.pass, true, judgement.checks.filter((c) => !c.pass).map((c) => c.reason).join('\n'));
  assert.deepEqual(judgement.checks.map((c) => c.metric).sort(), ['heapFloorBytes', 'rssBytes', 'sessionCount', 'sessionsFileBytes', 'transcriptBytes']);
  assert.equal(judgement.borderline, false);
  assert.deepEqual(judgement.notes, []);
});

test('the naive store fails, naming the metrics that grew in a sentence', () => {
  const judgement = judgeRun(summaryOf(11, naive).metrics, {}, baseline);
  assert.equal(judgement.pass, false);
  const failed = judgement.checks.filter((c) => !c.pass);
  assert.deepEqual(failed.map((c) => c.metric).sort(), ['heapFloorBytes', 'rssBytes', 'sessionCount', 'sessionsFileBytes']);
  const rss = failed.find((c) => c.metric === 'rssBytes')!;
  assert.match(rss.reason, /^rssBytes grows 4\d\.\d MiB\/min \(95% CI .* MiB\/min\): clearly above the baseline's .* over the 2\.0 MiB\/min that matters\.$/);
  assert.equal(rss.observed, summaryOf(11, naive).metrics.rssBytes.slopePerMin);
  assert.equal(judgement.borderline, false);
});

test('tiny but clear growth under the floor is called growing, passes the gate, and says why', () => {
  const clean = { ...dedup, heapFloorBytes: { level: 25 * MB, perMin: 0.9 * MB, noiseSd: 0.02 * MB } };
  const metrics = summaryOf(12, clean, 300).metrics;
  // The label tells the truth (a steady climb), the floor decides the gate.
  assert.equal(metrics.heapFloorBytes.verdict, 'growing');
  assert.equal(metrics.heapFloorBytes.floorPerMin, 1 * MB);
  // About 0.9 MB/min (the fitted slope) is 1.2 to 1.3 GB a day.
  assert.match(underFloorNote(metrics.heapFloorBytes)!, /^under the 1\.0 MiB\/min that matters; 1\.[23] GiB a day$/);
  assert.equal(underFloorNote({ ...metrics.heapFloorBytes, slopePerMin: 2 * MB }), null, 'growth that matters needs no note');
  assert.ok(metrics.heapFloorBytes.ciLow > 0, 'the growth is statistically clear, only too small to matter');
  const check = judgeRun(metrics, {}, baseline).checks.find((c) => c.metric === 'heapFloorBytes')!;
  assert.equal(check.pass, true);
  assert.match(check.reason, /clearly above .* but only [\d.]+ KiB\/min more, under the 1\.0 MiB\/min that matters\./);
});

test('near the limit is borderline, on either side', () => {
  const noBaseline = undefined;
  // Clear (lower bound 0.9 > 0.25 tolerance) and over the 1 MB/min floor by only 0.1 MB/min: fails, borderline.
  const justOver = judgeRun({ heapFloorBytes: summary({ slopePerMin: 1.1 * MB, ciLow: 0.9 * MB, ciHigh: 1.3 * MB, verdict: 'growing' }) }, {}, noBaseline, { metrics: ['heapFloorBytes'] });
  assert.deepEqual([justOver.pass, justOver.borderline], [false, true]);
  assert.match(justOver.checks[0].reason, /Borderline: rerun to confirm\.$/);
  // Over the floor by a lot, but the interval reaches below the tolerance: passes, borderline.
  const unclear = judgeRun({ heapFloorBytes: summary({ slopePerMin: 1.5 * MB, ciLow: 0.1 * MB, ciHigh: 3 * MB, verdict: 'inconclusive' }) }, {}, noBaseline, { metrics: ['heapFloorBytes'] });
  assert.deepEqual([unclear.pass, unclear.borderline], [true, true]);
  assert.match(unclear.checks[0].reason, /not clearly above/);
  // Far over on both counts: fails, not borderline.
  const far = judgeRun({ heapFloorBytes: summary({ slopePerMin: 30 * MB, ciLow: 25 * MB, ciHigh: 35 * MB, verdict: 'growing' }) }, {}, noBaseline, { metrics: ['heapFloorBytes'] });
  assert.deepEqual([far.pass, far.borderline], [false, false]);
});

test('budgets are limits per minute and per 1,000 operations, failing only when clearly exceeded', () => {
  const metrics = {
    sessionsFileBytes: summary({ slopePerMin: 480 * 41_000, ciLow: 470 * 41_000, ciHigh: 490 * 41_000, slopePer1kOps: 41_000_000, verdict: 'growing' }),
    rssBytes: summary({ slopePerMin: 3 * MB, ciLow: -1 * MB, ciHigh: 7 * MB, verdict: 'inconclusive' }),
  };
  const judgement = judgeRun(metrics, { sessionsFileBytes: { maxSlopePer1kOps: 1_000_000 }, rssBytes: { maxSlopePerMin: 2 * MB } }, undefined, { metrics: ['sessionsFileBytes', 'rssBytes'] });
  const perOps = judgement.checks.find((c) => c.kind === 'budgetPer1kOps')!;
  assert.equal(perOps.pass, false);
  assert.equal(perOps.observed, 41_000_000);
  assert.match(perOps.reason, /clearly over its budget of 976\.6 KiB\/1k ops/);
  const rssBudget = judgement.checks.find((c) => c.kind === 'budgetPerMin')!;
  assert.deepEqual([rssBudget.pass, rssBudget.borderline], [true, true]);
  assert.match(rssBudget.reason, /over its budget of 2\.0 MiB\/min but not clearly/);
  // Over clearly, but its lower bound by less than a quarter of the budget: fails, borderline, and says so.
  const near = judgeRun({ heapFloorBytes: summary({ slopePerMin: 29 * MB, ciLow: 17 * MB, ciHigh: 41 * MB, verdict: 'growing' }) }, { heapFloorBytes: { maxSlopePerMin: 15 * MB } }, undefined, { metrics: ['heapFloorBytes'] });
  const nearBudget = near.checks.find((c) => c.kind === 'budgetPerMin')!;
  assert.deepEqual([nearBudget.pass, nearBudget.borderline], [false, true]);
  assert.doesNotMatch(nearBudget.reason, /clearly/);
  assert.match(nearBudget.reason, /over its budget of .*, its lower bound by less than a quarter of it\. Borderline: rerun to confirm\./);
});

test('a late rise is judged by its own slope: the gate fails it where the whole window would pass, and says since when', () => {
  // RSS flat for five minutes, then 90 MiB a minute: the whole window's line, 40 MiB/min [-30, 110], is not clear.
  const lateRise = { sinceS: 420, slopePerMin: 90 * MB, ciLow: 60 * MB, ciHigh: 120 * MB };
  const whole = { slopePerMin: 40 * MB, ciLow: -30 * MB, ciHigh: 110 * MB, verdict: 'growing' as const };
  const late = judgeRun({ rssBytes: summary({ ...whole, lateRise }) }, {}, undefined, { metrics: ['rssBytes'] });
  assert.equal(late.pass, false);
  assert.equal(late.checks[0].observed, 90 * MB);
  assert.match(late.checks[0].reason, /^rssBytes grows 90\.0 MiB\/min since 7 min 0 s \(95% CI 60\.0 MiB\/min to 120\.0 MiB\/min\): clearly above/);
  const lineOnly = judgeRun({ rssBytes: summary({ ...whole, verdict: 'inconclusive' }) }, {}, undefined, { metrics: ['rssBytes'] });
  assert.equal(lineOnly.pass, true, 'the same window without the late rise is not clear');
  const budget = judgeRun({ rssBytes: summary({ ...whole, lateRise }) }, { rssBytes: { maxSlopePerMin: 40 * MB } }, undefined, { metrics: ['rssBytes'] });
  assert.match(budget.checks.find((c) => c.kind === 'budgetPerMin')!.reason, /grows 90\.0 MiB\/min since 7 min 0 s \(95% lower bound 60\.0 MiB\/min\), clearly over its budget/);
  // Under the floor that matters by the whole window's slope, not by its own: no "under the floor" note.
  assert.equal(underFloorNote(summary({ ...whole, slopePerMin: 0.5 * MB, floorPerMin: 1 * MB, lateRise: { ...lateRise, slopePerMin: 3 * MB } })), null);
});

test('a plateau passes, a budgeted metric the run lacks fails, and a baseline from elsewhere is noted', () => {
  const metrics = { sessionCount: summary({ unit: 'count', slopePerMin: 200, ciLow: 100, ciHigh: 300, verdict: 'plateau', plateauLevel: 120, plateauAtS: 42, last: 120 }) };
  const elsewhere: Baseline = { ...baseline, nodeVersion: 'v22.1.0', machine: { ...machine, cores: 16 } };
  const judgement = judgeRun(metrics, { heapFloorBytes: { maxSlopePerMin: 1 * MB } }, elsewhere, { nodeVersion: 'v20.20.2', machine });
  const plateau = judgement.checks.find((c) => c.metric === 'sessionCount')!;
  assert.equal(plateau.pass, true);
  assert.equal(plateau.reason, 'sessionCount levelled off at 120 after 42 s: a plateau, not a leak.');
  const missing = judgement.checks.find((c) => c.metric === 'heapFloorBytes')!;
  assert.deepEqual([missing.kind, missing.pass], ['missing', false]);
  assert.equal(judgement.pass, false);
  assert.ok(judgement.notes.some((n) => n.includes('Node v22.1.0')));
  assert.ok(judgement.notes.some((n) => n.includes('another machine (16 x Test CPU')));
  assert.ok(judgement.notes.some((n) => n.startsWith('rssBytes is in the baseline but this run did not measure it')));
});
