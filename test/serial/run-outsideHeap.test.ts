// How much of the settled RSS is outside the main thread's V8 heap, on real runs of the tiny server: one keeping a
// 64 KB Buffer per request (memory a heap snapshot does not show: RSS grows and the heap floor does not), one keeping
// small JS objects (a leak in the heap: RSS grows with the heap). The first run's RSS line and report say where
// its growth is; the second's do not.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseSamples } from '../../harness/contracts/sample.ts';
import type { Summary } from '../../harness/contracts/summary.ts';
import { soakgateCli, type Finished } from '../fixtures/soakgateCli.ts';

const fixture = new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname;
const MiB = 1024 * 1024;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-outside-heap-test-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** `soakgate run` of the tiny server for 6 s at 100 requests/s, a settled reading every half second. */
async function leak(name: string, env: Record<string, string>, snapshots = 'never'): Promise<{ finished: Finished; out: string; summary: Summary }> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name,
    target: { command: { argv: [process.execPath, fixture], env, ready: 'listening on (http://\\S+)' } },
    duration: '6s',
    warmup: '1s',
    sampleInterval: '250ms',
    settleInterval: '500ms',
    settleAlways: true,
    load: [{ kind: 'http', path: '/items/{{n}}', rate: 100 }],
  }));
  const out = join(dir, name);
  const finished = await soakgateCli(['run', file, '--out', out, '--snapshots', snapshots]);
  return { finished, out, summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary };
}

test('a leak of buffers: the settled RSS grows outside the main heap, and the RSS line and the report say so', async () => {
  // Snapshots as by default: RSS grows, so the heap is diagnosed after the window, and the report says where to look first.
  const { finished, out, summary } = await leak('buffers', { TINY_RETAIN_BYTES: '65536' }, 'auto');
  assert.equal(finished.code, 0, finished.stdout + finished.stderr);
  const { samples } = parseSamples(readFileSync(join(out, 'samples.jsonl'), 'utf8'));
  const settled = samples.filter((s) => s.metrics.rssSettledBytes !== undefined && s.metrics.heapPhysicalBytes !== undefined);
  assert.ok(settled.length >= 8, `${settled.length} settled samples`);
  for (const s of settled) assert.equal(s.metrics.rssOutsideHeapBytes, s.metrics.rssSettledBytes - s.metrics.heapPhysicalBytes, `t=${s.t}`);
  assert.ok(samples.every((s) => (s.metrics.rssOutsideHeapBytes === undefined) === (s.metrics.rssSettledBytes === undefined || s.metrics.heapPhysicalBytes === undefined)), 'at every settled sample with a heap reading, and only there');
  // About 6.5 MB a second of filled buffers: nearly all of the settled RSS's growth, none of the heap floor's.
  const { rssSettledBytes: rss, rssOutsideHeapBytes: outside, heapFloorBytes: floor } = summary.metrics;
  assert.equal(outside.verdict, 'growing', JSON.stringify(outside));
  assert.ok(rss.slopePerMin > 100 * MiB, `settled RSS ${rss.slopePerMin / MiB} MiB/min`);
  assert.ok(outside.slopePerMin > 0.8 * rss.slopePerMin, `outside ${outside.slopePerMin / MiB} of ${rss.slopePerMin / MiB} MiB/min`);
  assert.ok(floor.slopePerMin < 0.1 * rss.slopePerMin, `heap floor ${floor.slopePerMin / MiB} MiB/min`);
  assert.match(finished.stdout, /rssSettledBytes +growing .*MiB\/min of the settled RSS's .*MiB\/min is outside the main heap: worker threads, buffers and native memory/);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /<span class="note">[\d.]+ MiB\/min of the settled RSS&#39;s [\d.]+ MiB\/min is outside the main heap/, "RSS's row");
  assert.ok(summary.heap, 'the heap was diagnosed');
  assert.match(html, /<h3>What grew in the heap<\/h3><p class="note">RSS: [\d.]+ MiB\/min of the settled RSS&#39;s [\d.]+ MiB\/min is outside the main heap: worker threads, buffers and native memory, which a heap snapshot of the main thread does not show\.<\/p>/);
});

test('a leak of JS objects: the settled RSS grows in the main heap, and no line sends the reader outside it', async () => {
  const { finished, out, summary } = await leak('objects', { TINY_RETAIN_OBJECTS: '300' });
  assert.equal(finished.code, 0, finished.stdout + finished.stderr);
  const { rssSettledBytes: rss, rssOutsideHeapBytes: outside, heapFloorBytes: floor } = summary.metrics;
  assert.equal(rss.verdict, 'growing', JSON.stringify(rss));
  assert.ok(outside, 'measured');
  assert.ok(floor.slopePerMin > 0.5 * rss.slopePerMin, `heap floor ${floor.slopePerMin / MiB} of ${rss.slopePerMin / MiB} MiB/min`);
  // Near zero, not below it: the heap's total, reserved ahead of use, grew +180 MiB/min here, and made this -63.
  assert.ok(Math.abs(outside.slopePerMin) < 0.25 * rss.slopePerMin, `outside ${outside.slopePerMin / MiB} of ${rss.slopePerMin / MiB} MiB/min`);
  assert.doesNotMatch(finished.stdout, /outside the main heap/);
  assert.doesNotMatch(readFileSync(join(out, 'report.html'), 'utf8'), /is outside the main heap/);
});
