// A run whose target died still gets a report: drawn from samples.jsonl alone (its torn last line skipped),
// saying what is missing and where the target exited.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeRunReport } from '../reports/writeReport.ts';
import { syntheticSamples, syntheticSummary, writeSyntheticRun } from './report-syntheticRun.ts';

describe('report of a crashed run', () => {
  let dir: string;
  let html: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soakgate-crashed-'));
    await writeSyntheticRun(dir, { store: 'naive', samples: 400, crashed: true, scenario: 'restart-orphans', heapClassName: '<img src=x onerror=alert(1)>' });
    html = await readFile(await writeRunReport(dir), 'utf8');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('says what is missing and where the target exited', () => {
    const notices = /<ul class="notices">([\s\S]*?)<\/ul>/.exec(html);
    assert.ok(notices, 'a notice block at the top');
    assert.match(notices[1], /no summary\.json/);
    assert.match(notices[1], /1 line\(s\) of samples\.jsonl could not be read/);
    assert.match(notices[1], /the target exited at 6 min 39 s: exit code 1: FATAL ERROR: Reached heap limit/);
    assert.match(html, /No summary\.json: slopes and verdicts are not available/);
    assert.match(html, /<title>soakgate report: restart-orphans on gateway-naive<\/title>/, 'named from run.json');
    assert.match(html, /<h2>The target crashed \(exit code 134\)<\/h2>[\s\S]*?<pre>&lt;--- Last few GCs ---&gt;\nFATAL ERROR: Reached heap limit[^<]*\nwhile loading &lt;img src=x onerror=alert\(1\)&gt;<\/pre>/);
  });

  it('draws the charts from the samples, with the exit marked and no fitted line', () => {
    const specs = JSON.parse(/id="soakgate-charts">([\s\S]*?)<\/script>/.exec(html)![1]) as Array<{
      id: string;
      spec: { layer: Array<{ data?: { values?: Array<Record<string, unknown>> } }> };
      series: Array<{ t: number[] }>;
    }>;
    const rss = specs.find((c) => c.id === 'rss');
    assert.ok(rss, 'the RSS chart is drawn');
    assert.equal(rss.series[0].t.length, 400, 'all 400 whole samples, the torn line left out');
    const rows = rss.spec.layer.flatMap((l) => l.data?.values ?? []);
    assert.ok(rows.some((r) => r.type === 'target-exit'), 'the exit is a marker');
    assert.equal(rows.some((r) => 'fit' in r), false, 'no slope without a summary');
    assert.match(html, /<figure id="chart-rss">[\s\S]*?<svg [^>]*class="marks"/);
  });
});

describe('report of an interrupted run', () => {
  let dir: string;
  after(() => rm(dir, { recursive: true, force: true }));

  it('warns that its verdicts cover only what was sampled', async () => {
    dir = await mkdtemp(join(tmpdir(), 'soakgate-interrupted-'));
    const samples = syntheticSamples({ store: 'dedup', samples: 120 });
    await writeFile(join(dir, 'samples.jsonl'), samples.map((s) => JSON.stringify(s)).join('\n'));
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ ...syntheticSummary(samples, { store: 'dedup', samples: 120 }), interrupted: true }));
    await writeFile(join(dir, 'run.json'), '{"scenario": "ci-gate", "startedAt": ');
    const html = await readFile(await writeRunReport(dir), 'utf8');
    assert.match(html, /the run was interrupted; its verdicts cover only what was sampled/);
    assert.match(html, /run\.json could not be parsed/);
    assert.match(html, /<th scope="row">run\.json<\/th><td>missing or unreadable<\/td>/);
  });
});
