// The report's first lines: per run a verdict, why in one sentence, and the metrics whose charts come first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricSummary, Summary } from '../harness/contracts/summary.ts';
import { MiB } from '../harness/analysis/units.ts';
import { chartDraws, runVerdict } from '../reports/verdictLines.ts';

function metric(fields: Partial<MetricSummary>): MetricSummary {
  return { unit: 'bytes', slopePerMin: 0, ciLow: -1, ciHigh: 1, slopePer1kOps: null, trendP: 0.5, verdict: 'flat', floorPerMin: 2 * MiB, first: 0, last: 0, max: 0, ...fields };
}

function summary(metrics: Record<string, MetricSummary>, gate?: Summary['gate']): Summary {
  return { scenario: 'ci-gate', target: 'gateway-naive', durationS: 50, samples: 100, interrupted: false, operations: {}, metrics, ...(gate ? { gate } : {}) } as Summary;
}

test('a failing gate names each failing metric with its growth and its limit, and those metrics decide', () => {
  const verdict = runVerdict({
    summary: summary({ rssBytes: metric({}), sessionsFileBytes: metric({}) }, {
      pass: false,
      checks: [
        { metric: 'rssBytes', kind: 'baseline', limit: 3 * MiB, observed: 48 * MiB, pass: false, reason: '' },
        { metric: 'sessionsFileBytes', kind: 'budgetPerMin', limit: 200_000, observed: 12 * MiB, pass: false, reason: '' },
        { metric: 'heapFloorBytes', kind: 'baseline', limit: 1 * MiB, observed: 0, pass: true, reason: '' },
      ],
    }),
  });
  assert.equal(verdict.state, 'fail');
  assert.equal(verdict.why, 'RSS grows +48.0 MiB/min, over the 3.0 MiB/min the baseline allows; sessions.json grows +12.0 MiB/min, over its budget of 195.3 KiB/min.');
  assert.deepEqual(verdict.deciding, ['rssBytes', 'sessionsFileBytes']);
});

test('a passing gate says what it checked and what came close', () => {
  const verdict = runVerdict({
    summary: summary({}, { pass: true, checks: [{ metric: 'rssBytes', limit: 1, observed: 0, pass: true, reason: '' }, { metric: 'heapFloorBytes', limit: 1, observed: 1, pass: true, borderline: true, reason: '' }] }),
  });
  assert.equal(verdict.state, 'pass');
  assert.equal(verdict.why, 'RSS and heap floor after GC within what the baseline and budgets allow; heap floor after GC close to the limit.');
});

test('without a gate: growing above what matters, else undecided, else flat, over the metrics the gate would judge', () => {
  const leak = runVerdict({ summary: summary({ heapFloorBytes: metric({ verdict: 'growing', slopePerMin: 30 * MiB, floorPerMin: 1 * MiB }), rssBytes: metric({}), gcCount: metric({ verdict: 'growing', slopePerMin: 99, unit: 'count' }) }) });
  assert.deepEqual([leak.state, leak.why, leak.deciding], ['growing', 'heap floor after GC +30.0 MiB/min, more than matters for it.', ['heapFloorBytes']]);
  const small = runVerdict({ summary: summary({ rssBytes: metric({ verdict: 'growing', slopePerMin: 0.5 * MiB }), sessionCount: metric({ unit: 'count', verdict: 'inconclusive', moreMinutesNeeded: 2 }) }) });
  assert.deepEqual([small.state, small.deciding], ['inconclusive', ['sessionCount']]);
  assert.match(small.why, /sessions is not decided: about 2 more minutes would decide/);
  const one = runVerdict({ summary: summary({ sessionCount: metric({ unit: 'count', verdict: 'inconclusive', moreMinutesNeeded: 1 }) }) });
  assert.match(one.why, /: about 1 more minute would decide\.$/);
  // A late rise above what matters, whose whole window's line is under it: growing, at the rise's own rate.
  const late = runVerdict({ summary: summary({ rssBytes: metric({ verdict: 'growing', slopePerMin: 1 * MiB, lateRise: { sinceS: 420, slopePerMin: 90 * MiB, ciLow: 60 * MiB, ciHigh: 120 * MiB } }) }) });
  assert.deepEqual([late.state, late.why], ['growing', 'RSS +90.0 MiB/min lately, more than matters for it.']);
  const flat = runVerdict({ summary: summary({ rssBytes: metric({}), 'file:store': metric({}) }) });
  assert.deepEqual([flat.state, flat.why], ['flat', 'none of RSS and store grows more than matters.']);
});

test('a crash or a run without summary shows its memory first', () => {
  const crashed = runVerdict({ meta: { crashed: { code: 134, signal: null } } });
  assert.equal(crashed.state, 'crashed');
  assert.match(crashed.why, /exited with code 134/);
  assert.ok(crashed.deciding.includes('heapFloorBytes') && crashed.deciding.includes('rssBytes'));
  assert.equal(runVerdict({}).state, 'no verdict');
  assert.ok(chartDraws({ id: 'rss', fitMetric: 'rssBytes' }, 'rssSettledBytes'), 'settled RSS is drawn on the RSS chart');
  assert.ok(!chartDraws({ id: 'tree-rss', fitMetric: 'treeRssBytes' }, 'rssBytes'), 'a comparison line does not make the chart deciding');
});
