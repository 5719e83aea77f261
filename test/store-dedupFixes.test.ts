// Each fix of the dedup store switched on alone, against the same store with no fixes (which behaves as naive in
// that respect), proving its effect on real files: prune, dedupe, orphans, lazy.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DamagedSessionError } from '../src/store/damagedSessionError.ts';
import { createStore } from '../src/store/createStore.ts';
import { entryBodyPath, storePaths } from '../src/store/paths.ts';
import type { Fix, SessionStore } from '../src/store/sessionStore.ts';
import { defaultSnapshot, makeEntry, withDataDir } from './fixtures/storeEntries.ts';

const only = (...fixes: Fix[]) => new Set(fixes);

async function opened(dataDir: string, fixes: Set<Fix>, extra: { log?: (line: string) => void; cacheSize?: number; pruneAfterMs?: number } = {}): Promise<SessionStore> {
  const store = createStore('dedup', { dataDir, fixes, log: () => undefined, ...extra });
  await store.open();
  return store;
}

test('prune alone: removes ended sub-agents and cron runs after the retention and archives their transcripts', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = await opened(dataDir, only('prune'), { pruneAfterMs: 1000 });
    const t0 = 1_000_000;
    const done = await makeEntry(paths, 'subagent', { status: 'completed', endedAt: t0, updatedAt: t0 });
    const failedRun = await makeEntry(paths, 'cronRun', { status: 'failed', endedAt: t0, updatedAt: t0 });
    const running = await makeEntry(paths, 'subagent', { status: 'active', updatedAt: t0 });
    const human = await makeEntry(paths, 'chat', { status: 'completed', endedAt: t0, updatedAt: t0 });
    const main = await makeEntry(paths, 'main', { updatedAt: t0 });
    const job = await makeEntry(paths, 'cron', { status: 'completed', endedAt: t0, updatedAt: t0 });
    for (const entry of [done, failedRun, running, human, main, job]) await store.create(entry);

    assert.equal(await store.prune(t0 + 999), 0, 'not before the retention');
    assert.equal(await store.prune(t0 + 1000), 2);
    const left = store.list().map((s) => s.key).sort();
    assert.deepEqual(left, [running.key, human.key, main.key, job.key].sort());
    const onDisk = JSON.parse(await readFile(paths.sessionsFile, 'utf8'));
    assert.deepEqual(Object.keys(onDisk.sessions).sort(), left);
    for (const gone of [done, failedRun]) {
      await assert.rejects(stat(path.join(paths.sessionsDir, gone.transcriptFile)), { code: 'ENOENT' });
      assert.ok((await stat(path.join(paths.archiveDir, gone.transcriptFile))).isFile(), 'transcript archived');
    }
    // The other fixes are off: entries still carry their own inline snapshot, as in the naive store.
    assert.deepEqual(onDisk.sessions[human.key].skillsSnapshot, defaultSnapshot);
    await store.close();

    const withoutPrune = await opened(dataDir, only());
    assert.equal(await withoutPrune.prune(t0 + 1e9), 0);
    await withoutPrune.close();
  });
});

test('dedupe alone: one snapshot blob by sha256, one shared object in memory, small entries in sessions.json', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = await opened(dataDir, only('dedupe'));
    const entries = await Promise.all(Array.from({ length: 20 }, () => makeEntry(paths, 'chat')));
    for (const entry of entries) await store.create(entry);
    const changed = await makeEntry(paths, 'chat', { skillsSnapshot: { ...defaultSnapshot, version: 2 } });
    await store.create(changed);

    const hash = createHash('sha256').update(JSON.stringify(defaultSnapshot)).digest('hex');
    const blobs = (await readdir(paths.snapshotsDir)).sort();
    assert.equal(blobs.length, 2, 'one blob per distinct snapshot');
    assert.ok(blobs.includes(`${hash}.json`));
    assert.deepEqual(JSON.parse(await readFile(path.join(paths.snapshotsDir, `${hash}.json`), 'utf8')), defaultSnapshot);
    const onDisk = JSON.parse(await readFile(paths.sessionsFile, 'utf8'));
    assert.equal(onDisk.sessions[entries[0].key].skillsSnapshotRef, hash);
    assert.equal(onDisk.sessions[entries[0].key].skillsSnapshot, undefined);
    const perEntry = (await stat(paths.sessionsFile)).size / 21;
    assert.ok(perEntry < 1024, `sessions.json holds ${perEntry} bytes per entry`);

    const [a, b] = [await store.get(entries[0].key), await store.get(entries[19].key)];
    assert.equal(a?.skillsSnapshot, b?.skillsSnapshot, 'one shared object');
    assert.deepEqual(a?.skillsSnapshot, defaultSnapshot);
    assert.equal((await store.get(changed.key))?.skillsSnapshot.version, 2);
    assert.equal((await store.stats()).skillSnapshotBlobs, 2);
    await store.close();

    const reopened = await opened(dataDir, only('dedupe'));
    const [c, d] = [await reopened.get(entries[3].key), await reopened.get(entries[4].key)];
    assert.equal(c?.skillsSnapshot, d?.skillsSnapshot, 'still shared after a reload');
    assert.deepEqual(c?.skillsSnapshot, defaultSnapshot);
    await reopened.close();

    // Without dedupe the same data loads as independent copies and is written back inline, as naive.
    const copies = await opened(dataDir, only());
    const [e, f] = [await copies.get(entries[3].key), await copies.get(entries[4].key)];
    assert.notEqual(e?.skillsSnapshot, f?.skillsSnapshot);
    assert.deepEqual(e?.skillsSnapshot, f?.skillsSnapshot);
    await copies.close();
    assert.ok((await stat(paths.sessionsFile)).size / 21 > 40 * 1024, 'inline copies are back in sessions.json');
  });
});

test('orphans alone: moves orphan transcripts to the archive in one pass with one summary line', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const first = await opened(dataDir, only('orphans'));
    const kept = await makeEntry(paths, 'chat');
    await first.create(kept);
    await first.close();
    const texts = new Map([['o1', 'a\n'.repeat(100)], ['o2', 'b\n'.repeat(300)]]);
    for (const [id, text] of texts) await writeFile(path.join(paths.sessionsDir, `${id}.jsonl`), text);

    const lines: string[] = [];
    const store = await opened(dataDir, only('orphans'), { log: (line) => lines.push(line) });
    assert.deepEqual(lines, [`archived 2 orphan transcripts (800 bytes) into ${paths.archiveDir}`]);
    for (const [id, text] of texts) {
      await assert.rejects(stat(path.join(paths.sessionsDir, `${id}.jsonl`)), { code: 'ENOENT' });
      assert.equal(await readFile(path.join(paths.archiveDir, `${id}.jsonl`), 'utf8'), text);
    }
    assert.ok((await stat(path.join(paths.sessionsDir, kept.transcriptFile))).isFile(), "a live session's transcript stays");
    assert.equal((await store.stats()).orphanTranscripts, 0);
    await store.close();

    const quiet: string[] = [];
    await (await opened(dataDir, only('orphans'), { log: (line) => quiet.push(line) })).close();
    assert.deepEqual(quiet, [], 'nothing left to archive at the next start');

    // Without the fix, orphans are warned about one by one and left in place, as naive.
    await writeFile(path.join(paths.sessionsDir, 'o3.jsonl'), '{"type":"session"}\n');
    const warnings: string[] = [];
    const naiveLike = await opened(dataDir, only(), { log: (line) => warnings.push(line) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^warning: transcript o3\.jsonl/);
    assert.ok((await stat(path.join(paths.sessionsDir, 'o3.jsonl'))).isFile());
    await naiveLike.close();
  });
});

test('lazy alone: sessions.json holds only the index, bodies load on demand through a bounded cache', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = await opened(dataDir, only('lazy'), { cacheSize: 4 });
    const entries = await Promise.all(Array.from({ length: 12 }, (_, i) => makeEntry(paths, 'chat', { task: `task ${i}` })));
    for (const entry of entries) await store.create(entry);

    const onDisk = JSON.parse(await readFile(paths.sessionsFile, 'utf8'));
    assert.equal(onDisk.layout, 'index');
    assert.deepEqual(Object.keys(onDisk.sessions[entries[0].key]).sort(), ['kind', 'sessionId', 'status', 'transcriptFile', 'updatedAt']);
    assert.ok((await stat(paths.sessionsFile)).size / 12 < 512, 'index records are small');
    // The other fixes are off: each body file carries its own inline snapshot copy.
    const body = JSON.parse(await readFile(entryBodyPath(paths, entries[0].sessionId), 'utf8'));
    assert.deepEqual(body.skillsSnapshot, defaultSnapshot);
    assert.equal(body.task, 'task 0');
    await store.close();

    // A reopened lazy store reads no body at open, but its one listing of entries/ shows a body removed behind its
    // back: that session is listed and reported damaged (with its file), the others load.
    await rm(entryBodyPath(paths, entries[11].sessionId));
    const lazy = await opened(dataDir, only('lazy'), { cacheSize: 4 });
    assert.equal(lazy.list().length, 12);
    await assert.rejects(lazy.get(entries[11].key), (error: Error) => error instanceof DamagedSessionError && /entry file is missing/.test(error.message));
    assert.deepEqual((await lazy.stats()).damaged.map((d) => d.key), [entries[11].key]);

    // Bodies come from disk on demand; a cached one is served from memory until cacheSize others push it out.
    const bodyFile = entryBodyPath(paths, entries[0].sessionId);
    assert.equal((await lazy.get(entries[0].key))?.task, 'task 0');
    await writeFile(bodyFile, JSON.stringify({ ...JSON.parse(await readFile(bodyFile, 'utf8')), task: 'edited on disk' }));
    assert.equal((await lazy.get(entries[0].key))?.task, 'task 0', 'served from the cache');
    for (const entry of entries.slice(1, 5)) await lazy.get(entry.key);
    assert.equal((await lazy.get(entries[0].key))?.task, 'edited on disk', 'evicted, so read from disk again');

    const updated = await lazy.update(entries[2].key, { messageCount: 9, status: 'completed', endedAt: 1, updatedAt: 1 });
    assert.equal(updated?.messageCount, 9);
    assert.equal(JSON.parse(await readFile(entryBodyPath(paths, entries[2].sessionId), 'utf8')).messageCount, 9);
    assert.equal(JSON.parse(await readFile(paths.sessionsFile, 'utf8')).sessions[entries[2].key].status, 'completed');
    assert.equal(await lazy.delete(entries[3].key), true);
    await lazy.flush();
    await assert.rejects(stat(entryBodyPath(paths, entries[3].sessionId)), { code: 'ENOENT' });
    await lazy.close();

    // Switching lazy off brings every body back into sessions.json.
    await writeFile(entryBodyPath(paths, entries[11].sessionId), JSON.stringify({ ...entries[11], skillsSnapshot: defaultSnapshot }));
    const eager = await opened(dataDir, only());
    assert.equal((await eager.get(entries[2].key))?.messageCount, 9);
    await eager.close();
    assert.equal(JSON.parse(await readFile(paths.sessionsFile, 'utf8')).layout, 'entries');
    assert.deepEqual(await readdir(paths.entriesDir), []);
  });
});

test('with all fixes, keeps at least 40x fewer sessions.json bytes per session than naive', async () => {
  await withDataDir(async (dataDir) => {
    const sizes: Record<string, number> = {};
    for (const kind of ['naive', 'dedup'] as const) {
      const dir = path.join(dataDir, kind);
      const paths = storePaths(dir);
      const store = createStore(kind, { dataDir: dir, log: () => undefined });
      await store.open();
      const entries = await Promise.all(Array.from({ length: 30 }, () => makeEntry(paths, 'chat')));
      await Promise.all(entries.map((entry) => store.create(entry)));
      await store.close();
      sizes[kind] = (await stat(paths.sessionsFile)).size / 30;
    }
    assert.ok(sizes.naive / sizes.dedup >= 40, `naive ${sizes.naive} vs dedup ${sizes.dedup} bytes per session`);
  });
});
