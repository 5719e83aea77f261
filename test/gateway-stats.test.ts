// GET /v1/stats and /metrics gather the figures once for all concurrent callers: 200 at once cost one scan of the
// sessions folder, not 200 (which took the gateway from 131 to 1,323 MB with 2,000 sessions). Each caller still
// sees every write acknowledged before it asked. The memory itself is measured by bench/stats.ts.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createStore } from '../src/store/createStore.ts';
import { storePaths } from '../src/store/paths.ts';
import { SharedStats } from '../src/stats.ts';
import { call, startGateway, tempDataDir, type GatewayProcess } from './fixtures/gateway-process.ts';
import { makeEntry, withDataDir } from './fixtures/storeEntries.ts';

const CONCURRENT = 200;

for (const kind of ['naive', 'dedup'] as const) {
  test(`${kind}: ${CONCURRENT} simultaneous callers share one gathering, and the next callers see a write made since`, async () => {
    await withDataDir(async (dataDir) => {
      const paths = storePaths(dataDir);
      const store = createStore(kind, { dataDir, log: () => undefined });
      await store.open();
      for (const entry of await Promise.all(Array.from({ length: 20 }, () => makeEntry(paths, 'chat')))) await store.create(entry);
      const stats = new SharedStats(store);

      const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => stats.gather()));
      assert.equal(stats.gatherings, 1);
      assert.ok(answers.every((answer) => answer.sessions.total === 20 && answer.transcriptFiles === 20));

      await store.create(await makeEntry(paths, 'chat'));
      const later = await Promise.all(Array.from({ length: CONCURRENT }, () => stats.gather()));
      assert.equal(stats.gatherings, 2);
      assert.ok(later.every((answer) => answer.sessions.total === 21 && answer.transcriptFiles === 21));
      await store.close();
    });
  });
}

describe('the gateway under concurrent stats and metrics requests', () => {
  const data = tempDataDir();
  let gateway: GatewayProcess;
  after(async () => {
    await gateway?.kill();
    data.remove();
  });

  test(`answers ${CONCURRENT} concurrent /v1/stats and /metrics with the same figures`, async () => {
    gateway = await startGateway(['--store', 'dedup', '--data-dir', data.dir, '--cron-jobs', '0']);
    for (let i = 0; i < 30; i++) assert.equal((await call(gateway.url, 'POST', '/v1/sessions', { peer: `p${i}` })).status, 201);
    const [stats, metrics] = await Promise.all([
      Promise.all(Array.from({ length: CONCURRENT }, () => call(gateway.url, 'GET', '/v1/stats'))),
      Promise.all(Array.from({ length: CONCURRENT }, async () => (await fetch(`${gateway.url}/metrics`)).text())),
    ]);
    assert.ok(stats.every((reply) => reply.status === 200 && reply.body.sessions.total === 31 && reply.body.transcriptFiles === 31));
    assert.ok(metrics.every((text) => /^soakgate_sessions 31$/m.test(text) && /^soakgate_transcript_files 31$/m.test(text)));
  });
});
