// The chart specs: downsampling that keeps spikes, a chart only where a run has data, the baseline band, and
// compare runs overlaid in one chart on shared axes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Sample } from '../harness/contracts/sample.ts';
import { analyzeSamples } from '../harness/analysis/analyze.ts';
import { gaussian, seededRandom } from '../lib/seededRandom.ts';
import { buildCharts, CHART_WIDTH, downsampleMinMax, type Chart } from '../reports/specs.ts';
import { syntheticSamples, syntheticSummary } from './report-syntheticRun.ts';

type Layer = { data?: { name?: string; values?: Array<Record<string, unknown>> }; encoding?: { color?: { field?: string; scale?: { domain?: string[] } } } };

function layers(chart: Chart): Layer[] {
  return (chart.interactiveSpec as unknown as { layer: Layer[] }).layer;
}

describe('downsampleMinMax', () => {
  const points = Array.from({ length: 10_000 }, (_, i) => ({ t: i, v: Math.sin(i / 50) * 10 }));
  points[4321] = { t: 4321, v: 1000 };
  points[7777] = { t: 7777, v: -500 };

  it('keeps no more points than asked, in time order, with the spike and the dip', () => {
    const kept = downsampleMinMax(points, 0, 9_999, 760);
    assert.ok(kept.length <= 760, `${kept.length} points`);
    assert.ok(kept.every((p, i) => i === 0 || p.t > kept[i - 1].t), 'time order');
    assert.ok(kept.includes(points[4321]) && kept.includes(points[7777]));
    assert.equal(kept[0], points[0], 'the first bucket starts with its lowest or highest point');
  });

  it('keeps points that fall just outside the rounded axis ends (an hour-long run starting at t = 2 s)', () => {
    const kept = downsampleMinMax(points, 10, 9_990, 760);
    assert.ok(kept.length <= 760);
    assert.ok(kept.includes(points[4321]));
    assert.ok(kept.some((p) => p.t < 10) && kept.some((p) => p.t > 9_990), 'the edge points land in the end buckets');
  });

  it('leaves a series that already fits untouched', () => {
    const few = points.slice(0, 500);
    assert.equal(downsampleMinMax(few, 0, 499, 760), few);
  });
});

describe('buildCharts', () => {
  const naive = syntheticSamples({ store: 'naive', samples: 900 });
  const summary = syntheticSummary(naive, { store: 'naive', samples: 900 });

  it('draws a chart only where some run has its data', () => {
    // A command target: no probe, no gateway stats, only RSS and requests.
    const bare: Sample[] = naive.map(({ sessions: _, ...s }) => ({ ...s, metrics: { rssBytes: s.metrics.rssBytes } }));
    const ids = buildCharts([{ label: 'command', samples: bare }]).map((c) => c.id);
    assert.deepEqual(ids, ['rss', 'latency', 'throughput']);
  });

  it("draws the worker threads' heaps on a chart of their own, only for a target that has workers", () => {
    const withWorkers: Sample[] = naive.map(({ sessions: _, ...s }, i) => ({
      ...s,
      metrics: { rssBytes: s.metrics.rssBytes, workerThreads: 3, workerHeapBytes: 40e6 + i * 1e3, ...(i % 10 === 0 ? { workerHeapFloorBytes: 30e6 + i * 1e3 } : {}) },
    }));
    const charts = buildCharts([{ label: 'command', samples: withWorkers }]);
    assert.deepEqual(charts.map((c) => c.id), ['rss', 'workers', 'latency', 'throughput']);
    const rows = (charts[1].interactiveSpec as unknown as { datasets: { series: Array<{ s: string }> } }).datasets.series;
    assert.deepEqual([...new Set(rows.map((r) => r.s))].sort(), ['heap used', 'their floor after GC']);
    assert.equal(charts[1].fitMetric, 'workerHeapFloorBytes');
  });

  it('draws the baseline as a band from the start of the fitted window, for one run', () => {
    const baseline = { sessionsFileBytes: { slopePerMin: 1_000, ciLow: 0, ciHigh: 2_000 } };
    const chart = buildCharts([{ label: 'gateway-naive', samples: naive, summary }], { baseline }).find((c) => c.id === 'sessions-file')!;
    const band = layers(chart).find((l) => (l as { mark?: { color?: string } }).mark?.color === '#2ca02c');
    assert.ok(band, 'a green band');
    const [start, end] = band.data!.values! as Array<{ t: number; lo: number; hi: number }>;
    assert.equal(start.lo, start.hi, 'the band opens from one point');
    const yTitle = (layers(chart).find((l) => l.data?.name === 'series') as { encoding: { y: { title: string } } }).encoding.y.title;
    assert.equal(yTitle, 'MiB', 'sessions.json reaches tens of MiB');
    const drawnSlope = ((end.hi - start.hi) / (end.t - start.t)) * 1024 ** 2;
    assert.ok(Math.abs(drawnSlope - 2_000) < 2, `widens at the baseline interval's slopes: ${drawnSlope} B/min`);
    const rss = buildCharts([{ label: 'gateway-naive', samples: naive, summary }], { baseline }).find((c) => c.id === 'rss')!;
    assert.equal(layers(rss).some((l) => (l as { mark?: { color?: string } }).mark?.color === '#2ca02c'), false, 'no band where the baseline has no slope');
  });

  it('overlays compared runs in one chart, coloured by run, on one time axis', () => {
    const dedup = syntheticSamples({ store: 'dedup', samples: 600 });
    const charts = buildCharts([
      { label: 'gateway-naive', samples: naive, summary },
      { label: 'gateway-dedup', samples: dedup },
    ]);
    const heap = charts.find((c) => c.id === 'heap')!;
    const rows = (heap.interactiveSpec as unknown as { datasets: { series: Array<{ r: string; s: string; t: number }> } }).datasets.series;
    assert.deepEqual([...new Set(rows.map((r) => r.r))], ['gateway-naive', 'gateway-dedup']);
    const line = layers(heap).find((l) => l.data?.name === 'series' && l.encoding?.color?.field === 'r');
    assert.deepEqual(line?.encoding?.color?.scale?.domain, ['gateway-naive', 'gateway-dedup']);
    for (const run of ['gateway-naive', 'gateway-dedup']) {
      for (const series of ['heap used', 'post-GC floor']) {
        assert.ok(rows.filter((r) => r.r === run && r.s === series).length <= CHART_WIDTH);
      }
    }
    const fits = layers(heap).flatMap((l) => l.data?.values ?? []).filter((r) => 'fit' in r);
    assert.ok(fits.length > 0 && fits.every((r) => r.r === 'gateway-naive'), 'only the run with a summary has a fitted line');
  });

  it('draws a late rise as a second line from where it began, at its own slope', () => {
    // Eight minutes of RSS read every 20 s: flat for five, then 20 MiB a minute, with uncorrelated noise.
    const random = seededRandom(41);
    const late: Sample[] = Array.from({ length: 25 }, (_, i) => ({
      t: 120 + 20 * i,
      phase: 'load',
      metrics: { rssBytes: 500 * 2 ** 20 + 20 * 2 ** 20 * Math.max(i / 3 - 5, 0) + 4 * 2 ** 20 * gaussian(random) },
      ops: { requests: 10 },
      window: { requests: 10, errors: 0, latencyP50Ms: 1, latencyP99Ms: 2, latencyMaxMs: 3 },
    }));
    const metrics = analyzeSamples(late, { warmupS: 0 });
    const rise = metrics.rssBytes.lateRise;
    assert.ok(rise && metrics.rssBytes.verdict === 'growing', `verdict ${metrics.rssBytes.verdict}, trend p ${metrics.rssBytes.trendP}`);
    const lateSummary = { ...summary, metrics };
    const rss = buildCharts([{ label: 'command', samples: late, summary: lateSummary }]).find((c) => c.id === 'rss')!;
    const fits = layers(rss).find((l) => (l.data?.values ?? []).some((r) => 'fit' in r))!.data!.values! as Array<{ seg: string; t: number; fit: number }>;
    const tail = fits.filter((r) => r.seg.includes('late rise'));
    assert.equal(tail.length, 2, 'one line, from its start to the end');
    assert.ok(fits.some((r) => !r.seg.includes('late rise')), "the whole window's line stays");
    // Drawn in the chart's own units (MiB against minutes or seconds): compared as the ratio of the two slopes.
    const drawn = (line: Array<{ t: number; fit: number }>) => (line[1].fit - line[0].fit) / (line[1].t - line[0].t);
    const wholeLine = fits.filter((r) => !r.seg.includes('late rise'));
    assert.ok(tail[0].t > wholeLine[0].t && tail[1].t === wholeLine[1].t, 'from where the rise began to the end');
    assert.ok(Math.abs(drawn(tail) / drawn(wholeLine) - rise.slopePerMin / metrics.rssBytes.slopePerMin) < 1e-3, "drawn at the tail's slope");
  });
});
