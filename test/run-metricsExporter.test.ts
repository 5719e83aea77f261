// --metrics-port: a real Prometheus scrape over loopback sees the live samples, operation counts and verdicts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveVerdict } from '../harness/run/liveVerdict.ts';
import { MetricsExporter } from '../harness/run/metricsExporter.ts';

test('serves the latest sample, ops and live slope in Prometheus text format on loopback', async () => {
  const exporter = await MetricsExporter.listen(0, { scenario: 'ci-gate', target: 'gateway:naive' });
  try {
    const live = new LiveVerdict({ metrics: ['rssBytes'], warmupS: 0, limitBytes: 2 ** 30 });
    for (let t = 0; t < 60; t++) {
      const sample = {
        t,
        phase: 'load' as const,
        metrics: { rssBytes: 100e6 + t * 1e6, sessionCount: 7 },
        ops: { subagents: t * 3 },
        window: { requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null },
      };
      exporter.update(sample);
      live.add(sample);
    }
    exporter.updateVerdict(live.current());
    assert.match(exporter.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(exporter.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    assert.match(text, /soakgate_target_metric\{metric="rssBytes",scenario="ci-gate",target="gateway:naive"\} 159000000/);
    assert.match(text, /soakgate_operations_total\{kind="subagents",scenario="ci-gate",target="gateway:naive"\} 177/);
    assert.match(text, /soakgate_elapsed_seconds\{[^}]*\} 59/);
    assert.match(text, /soakgate_growing\{metric="rssBytes"[^}]*\} 1/);
    assert.match(text, /soakgate_seconds_to_memory_limit\{[^}]*\} \d+/);
    assert.equal((await fetch(exporter.url.replace('/metrics', '/other'))).status, 404);
  } finally {
    await exporter.close();
  }
});

test('a port in use is refused with a message that says what to do', async () => {
  const first = await MetricsExporter.listen(0, {});
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(MetricsExporter.listen(port, {}), /--metrics-port \d+ is already in use; choose another port/);
  } finally {
    await first.close();
  }
});
