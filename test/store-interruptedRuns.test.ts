// Start-up fails the sub-agents and cron runs a killed gateway left running. With many of them in a large store,
// one commit each made start-up take seconds (383 runs: 10.1 s); they are failed in one write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStore } from '../src/store/createStore.ts';
import type { DedupSessionStore } from '../src/store/dedup.ts';
import { storePaths } from '../src/store/paths.ts';
import type { SessionStore } from '../src/store/sessionStore.ts';
import { SessionWriter } from '../src/sessions/sessionWriter.ts';
import { WorkRunner } from '../src/sessions/work.ts';
import { defaultSnapshot, makeEntry, withDataDir } from './fixtures/storeEntries.ts';

// The naive store rewrites its whole file per create, so it is given fewer runs to keep the test short.
const STRANDED = { dedup: 300, naive: 30 };

function workRunner(store: SessionStore, dataDir: string): WorkRunner {
  const writer = new SessionWriter({ store, paths: storePaths(dataDir), skillsSnapshot: defaultSnapshot, now: Date.now });
  return new WorkRunner(writer, store, 1, () => undefined);
}

for (const kind of ['dedup', 'naive'] as const) {
  const count = STRANDED[kind];
  test(`${kind}: fails ${count} interrupted runs at start in one write, and leaves ended runs and chats alone`, async () => {
    await withDataDir(async (dataDir) => {
      const paths = storePaths(dataDir);
      const first = createStore(kind, { dataDir, log: () => undefined, pruneAfterMs: 3_600_000 });
      await first.open();
      const running = await Promise.all(Array.from({ length: count }, (_, i) => makeEntry(paths, i % 2 ? 'subagent' : 'cronRun', { status: i % 3 ? 'active' : 'created' })));
      const ended = await makeEntry(paths, 'subagent', { status: 'completed' });
      const chat = await makeEntry(paths, 'chat');
      await Promise.all([...running, ended, chat].map((entry) => first.create(entry)));
      await first.close();

      const store = createStore(kind, { dataDir, log: () => undefined, pruneAfterMs: 3_600_000 });
      await store.open();
      const commitsBefore = kind === 'dedup' ? (store as DedupSessionStore).commitCount : 0;
      assert.equal(await workRunner(store, dataDir).failInterrupted(), count);
      if (kind === 'dedup') assert.equal((store as DedupSessionStore).commitCount - commitsBefore, 1, 'one commit for all of them');
      await store.close();

      const reopened = createStore(kind, { dataDir, log: () => undefined, pruneAfterMs: 3_600_000 });
      await reopened.open();
      const failed = new Set(reopened.list({ status: 'failed' }).map((s) => s.key));
      assert.deepEqual(running.filter((entry) => !failed.has(entry.key)), [], 'every interrupted run is failed, durably');
      assert.equal((await reopened.get(ended.key))?.status, 'completed');
      assert.equal((await reopened.get(chat.key))?.status, 'active');
      assert.ok((await reopened.get(running[0].key))?.endedAt, 'failing a run stamps its end');
      await reopened.close();
    });
  });
}
