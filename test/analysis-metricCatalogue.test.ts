// The metric catalogue answers what the separate lists answered before it: which metrics the gate judges, which
// memory checks ask for heap snapshots, which metrics a snapshot steps, their floors and units, and the patterns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetableMetrics, chartMetrics, compareMetrics, floorPerMin, metricInfo, metricsWith, unitOf } from '../harness/analysis/metricCatalogue.ts';
import { KiB, MiB } from '../harness/analysis/units.ts';

test('gates issue #55334\'s metrics by default, and asks for snapshots on process memory only', () => {
  assert.deepEqual(metricsWith('gated'), ['rssBytes', 'rssSettledBytes', 'treeRssBytes', 'heapFloorBytes', 'sessionsFileBytes', 'transcriptBytes', 'sessionCount']);
  assert.deepEqual(new Set(metricsWith('memoryChecked')), new Set(['rssSettledBytes', 'rssBytes', 'heapFloorBytes', 'heapUsedBytes', 'heapTotalBytes', 'heapPhysicalBytes', 'externalBytes']));
  assert.deepEqual(new Set(metricsWith('memorySignal')), new Set(['heapFloorBytes', 'rssSettledBytes', 'rssBytes']));
  assert.deepEqual(new Set(metricsWith('stepsAtSnapshot')), new Set(['rssBytes', 'rssSettledBytes', 'treeRssBytes', 'rssOutsideHeapBytes', 'heapTotalBytes', 'heapPhysicalBytes', 'externalBytes']));
  assert.equal(metricInfo('treeRssBytes').baselineStandIn, 'rssBytes');
  assert.equal(metricInfo('rssBytes').sameSignal, 'rssSettledBytes');
});

test('floors: the catalogue\'s own, then the rule of the unit, and counts at 1% of their level', () => {
  assert.equal(floorPerMin('rssBytes', 0), 2 * MiB);
  assert.equal(floorPerMin('heapFloorBytes', 0), 1 * MiB);
  assert.equal(floorPerMin('sessionsFileBytes', 0), 100 * KiB);
  assert.equal(floorPerMin('file:store', 0), 100 * KiB);
  assert.equal(floorPerMin('state:walBytes', 0), 1 * MiB);
  assert.equal(floorPerMin('eventLoopDelayP99Ms', 0), 5);
  assert.equal(floorPerMin('cpuPercent', 0), 5);
  assert.equal(floorPerMin('state:rows', 5_000), 50);
  assert.equal(floorPerMin('rssBytes', 0, { rssBytes: 7 }), 7, 'an override wins');
});

test('units and patterns: watched files are gated bytes, state readings take the unit their name gives', () => {
  assert.equal(unitOf('cpuPercent'), 'percent');
  assert.equal(unitOf('file:store'), 'bytes');
  assert.equal(metricInfo('file:store').gated, true);
  assert.equal(unitOf('state:queueMs'), 'ms');
  assert.equal(unitOf('state:sessions'), 'count');
  assert.equal(metricInfo('state:sessions').gated, undefined, 'judged only when budgeted');
  assert.ok(budgetableMetrics().includes('treeRssBytes') && !budgetableMetrics().includes('settlePauseMs'));
});

test('orders metrics as a reader checks them, files and state after, and says what each chart draws', () => {
  const sorted = ['state:rows', 'gcCount', 'file:b', 'sessionCount', 'heapFloorBytes', 'file:a', 'rssBytes'].sort(compareMetrics);
  assert.deepEqual(sorted, ['rssBytes', 'heapFloorBytes', 'sessionCount', 'gcCount', 'file:a', 'file:b', 'state:rows']);
  assert.deepEqual(chartMetrics('tree-rss'), { series: [['process tree', 'treeRssBytes'], ['main process', 'rssBytes']], own: ['process tree'], fitMetric: 'treeRssBytes' });
  assert.equal(chartMetrics('heap').fitMetric, 'heapFloorBytes');
});
