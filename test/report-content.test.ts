// The report of a naive run: every chart drawn inline, the growth and what grew named, nothing fetched from
// elsewhere, and strings from the scenario, the target and the heap snapshot escaped.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadVegaBundles } from '../reports/page.ts';
import { CHART_WIDTH } from '../reports/specs.ts';
import { writeCompareReport, writeRunReport } from '../reports/writeReport.ts';
import { metricSeries } from '../harness/analysis/series.ts';
import { parseSamples, type Sample } from '../harness/contracts/sample.ts';
import { writeSyntheticRun } from './report-syntheticRun.ts';

const ATTACK = '<script>alert(1)</script>';

interface Packed {
  id: string;
  spec: { layer: Array<{ data?: { name?: string; values?: Array<Record<string, unknown>> }; encoding?: { y?: { title?: string } } }> };
  series: Array<{ r: string; s: string; t: number[]; v: number[] }>;
}

function chartData(html: string): Packed[] {
  const match = /<script type="application\/json" id="soakgate-charts">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(match, 'the chart specs are embedded as JSON');
  return JSON.parse(match[1]) as Packed[];
}

/** What one drawn unit is worth in bytes, from the chart's value axis (B, KiB, MiB, GiB). */
function bytesPerUnit(chart: Packed): number {
  const title = chart.spec.layer.find((l) => l.data?.name === 'series')?.encoding?.y?.title ?? '';
  const power = ['B', 'KiB', 'MiB', 'GiB'].indexOf(title);
  assert.ok(power >= 0, `a byte axis, got '${title}'`);
  return 1024 ** power;
}

/** Script elements the page opened, not counting any text inside the inlined libraries. */
function scriptTags(html: string): number {
  const inLibraries = Object.values(loadVegaBundles()).reduce((n, src) => n + src.split('<script').length - 1, 0);
  return html.split('<script').length - 1 - inLibraries;
}

describe('report of a naive run', () => {
  let dir: string;
  let html: string;
  let samples: Sample[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soakgate-report-'));
    samples = await writeSyntheticRun(join(dir, 'naive'), {
      store: 'naive',
      samples: 1800,
      scenario: `production-mix ${ATTACK}`,
      heapClassName: `skillsSnapshot ${ATTACK}`,
    });
    html = await readFile(await writeRunReport(join(dir, 'naive')), 'utf8');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('draws every chart the samples can feed as inline SVG with marks', () => {
    for (const id of ['rss', 'heap', 'sessions-file', 'transcript-bytes', 'transcript-files', 'sessions-kind', 'sessions-status', 'event-loop', 'latency', 'throughput', 'file-1']) {
      const figure = new RegExp(`<figure id="chart-${id}">[\\s\\S]*?</figure>`).exec(html);
      assert.ok(figure, `chart ${id} is in the page`);
      assert.match(figure[0], /<div class="static"><svg [^>]*class="marks"[\s\S]*class="mark-line role-mark/, `chart ${id} has an SVG with line marks`);
    }
  });

  it('lists the growth per metric and names the duplicated skill snapshots with their retainer path', () => {
    const row = /<th scope="row" rowspan="1">sessionsFileBytes<\/th>([\s\S]*?)<\/tr>/.exec(html);
    assert.ok(row, 'sessionsFileBytes has a row');
    assert.match(row[1], /badge bad">growing</);
    assert.match(row[1], /\+4\.\d\sMiB\/min/, 'about 41 KiB x 2 sessions/s = 4.9 MiB/min, in binary units as everywhere');
    const heap = /What grew in the heap[\s\S]*?<\/table>/.exec(html);
    assert.ok(heap);
    assert.match(heap[0], /skillsSnapshot &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(heap[0], /<ol class="path"><li>\(GC roots\)<\/li><li>SessionStore<\/li>/);
    assert.match(heap[0], /<code>SessionEntry<\/code>[\s\S]*?<details><summary>4 steps<\/summary><ol class="path">/, 'the other growers\' paths folded');
    assert.match(html, /282\.3\sMiB of the last snapshot's 324\.2\sMiB is content held more than once \(<b>87%<\/b>\)/);
    assert.match(html, /<td><code>skillsSnapshot &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/code><\/td><td class="num">7,210<\/td>/, 'the copied shape');
    assert.match(html, /Gate checks <span class="badge bad">fail<\/span>/);
    assert.match(html, /<th scope="row">seed<\/th><td>42<\/td>/, 'run.json metadata is shown');
  });

  it('escapes every string from the scenario and the heap snapshot', () => {
    assert.equal(html.includes(ATTACK), false, 'the raw tag never appears');
    assert.match(html, /<title>soakgate report: production-mix &lt;script&gt;alert\(1\)&lt;\/script&gt; on gateway-naive<\/title>/);
    assert.equal(scriptTags(html), 5, 'only the page\'s own scripts: three libraries, the specs, the embedding');
  });

  it('is self-contained: no external script, style, font or image, and the vega libraries inline', () => {
    const bundles = Object.values(loadVegaBundles());
    for (const source of bundles) assert.ok(html.includes(source), 'each vega library is inlined whole');
    const page = bundles.reduce((rest, source) => rest.replace(source, ''), html);
    assert.doesNotMatch(page, /<(script|link|img|iframe|object|embed)[^>]+(src|href|data)=/i);
    assert.doesNotMatch(page, /@import|@font-face|url\(/i);
    assert.doesNotMatch(page, /(src|href)="?https?:/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it('downsamples to at most one point per pixel and keeps the extremes', () => {
    const charts = chartData(html);
    for (const chart of charts) {
      for (const run of chart.series) assert.ok(run.t.length <= CHART_WIDTH, `${chart.id}/${run.s}: ${run.t.length} points`);
    }
    const latency = charts.find((c) => c.id === 'latency')!.series.find((s) => s.s === 'max')!;
    const highest = Math.max(...samples.map((s) => s.window.latencyMaxMs ?? 0));
    assert.equal(Math.max(...latency.v), Number(highest.toPrecision(6)), 'the latency spike survives');
    const heap = charts.find((c) => c.id === 'heap')!;
    const heapFloor = heap.series.find((s) => s.s === 'post-GC floor')!;
    const lowest = Math.min(...samples.map((s) => s.metrics.heapFloorBytes)) / bytesPerUnit(heap);
    assert.equal(Math.min(...heapFloor.v), Number(lowest.toPrecision(6)), 'the lowest floor survives');
  });

  it('draws the fitted slope with its interval from summary.json, one line per process and snapshot step', async () => {
    const rss = chartData(html).find((c) => c.id === 'rss')!;
    const fit = (rss.spec.layer.find((l) => l.data?.values?.some((row) => 'fit' in row))?.data?.values ?? []) as Array<{ seg: string; t: number; fit: number; lo: number; hi: number }>;
    const summary = JSON.parse(await readFile(join(dir, 'naive', 'summary.json'), 'utf8'));
    // The synthetic run restarts once and takes two snapshots: four stretches, each with its own intercept.
    const { samples } = parseSamples(await readFile(join(dir, 'naive', 'samples.jsonl'), 'utf8'));
    assert.equal(new Set(metricSeries(samples, 'rssBytes', 0).segment).size, 4);
    assert.equal(fit.length, 2 * 4, 'a line from the start to the end of each stretch');
    for (const seg of new Set(fit.map((row) => row.seg))) {
      const [start, end] = fit.filter((row) => row.seg === seg);
      const slope = ((end.fit - start.fit) / (end.t - start.t)) * bytesPerUnit(rss);
      assert.ok(Math.abs(slope / summary.metrics.rssBytes.slopePerMin - 1) < 1e-3, `drawn ${slope} B/min`);
      assert.ok(end.lo < end.fit && end.fit < end.hi, 'the interval wedge surrounds the line');
    }
  });
});

describe('report of a target without the probe', () => {
  it('says that RSS was read from outside only and there are no heap figures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'soakgate-report-noprobe-'));
    try {
      await writeSyntheticRun(join(dir, 'plain'), { store: 'dedup', samples: 120 });
      const summaryFile = join(dir, 'plain', 'summary.json');
      const summary = JSON.parse(await readFile(summaryFile, 'utf8'));
      for (const heapMetric of ['heapUsedBytes', 'heapFloorBytes']) delete summary.metrics[heapMetric];
      await writeFile(summaryFile, JSON.stringify(summary));
      const plain = await readFile(await writeRunReport(join(dir, 'plain')), 'utf8');
      assert.match(plain, /the target had no probe .*RSS is read from outside only, and there are no heap figures/);
      await writeFile(summaryFile, JSON.stringify({ ...summary, metrics: { ...summary.metrics, heapUsedBytes: summary.metrics.rssBytes } }));
      const probed = await readFile(await writeRunReport(join(dir, 'plain')), 'utf8');
      assert.doesNotMatch(probed, /had no probe/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('compare report', () => {
  let dir: string;
  after(() => rm(dir, { recursive: true, force: true }));

  it('overlays the runs on the same axes, coloured by run, with hostile target names escaped', async () => {
    dir = await mkdtemp(join(tmpdir(), 'soakgate-compare-'));
    await writeSyntheticRun(join(dir, 'naive'), { store: 'naive', samples: 600 });
    await writeSyntheticRun(join(dir, 'dedup'), { store: 'dedup', samples: 600 });
    const summaryFile = join(dir, 'dedup', 'summary.json');
    const summary = JSON.parse(await readFile(summaryFile, 'utf8'));
    await writeFile(summaryFile, JSON.stringify({ ...summary, target: `dedup</script>${ATTACK}` }));
    const html = await readFile(await writeCompareReport([join(dir, 'naive'), join(dir, 'dedup')], join(dir, 'compare.html'), 'naive vs dedup'), 'utf8');
    assert.equal(html.includes(ATTACK), false);
    assert.equal(scriptTags(html), 5);
    const sessionsFile = chartData(html).find((c) => c.id === 'sessions-file')!;
    assert.deepEqual(sessionsFile.series.map((s) => s.r), ['gateway-naive', `dedup</script>${ATTACK}`], 'both runs in one chart');
    const naiveLast = sessionsFile.series[0].v.at(-1)!;
    const dedupLast = sessionsFile.series[1].v.at(-1)!;
    assert.ok(naiveLast > 10 * dedupLast, `naive ${naiveLast} B vs dedup ${dedupLast} B`);
    assert.match(html, /<td>dedup&lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/td>/, 'the run column of the metrics table');
  });
});
