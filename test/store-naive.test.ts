// The naive store reproduces OpenClaw #55334: ~41 KB per entry in sessions.json, a cron run written under both
// keys, nothing pruned, every entry its own snapshot copy, orphan transcripts read and warned about and kept.
import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { createStore } from '../src/store/createStore.ts';
import { storePaths } from '../src/store/paths.ts';
import { makeEntry, withDataDir } from './fixtures/storeEntries.ts';

test('grows sessions.json by about 41 KB per entry', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = createStore('naive', { dataDir });
    await store.open();
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) {
      await store.create(await makeEntry(paths, 'subagent', { status: 'completed' }));
      sizes.push((await stat(paths.sessionsFile)).size);
    }
    const perEntry = (sizes[9] - sizes[0]) / 9;
    assert.ok(perEntry > 40 * 1024 && perEntry < 44 * 1024, `grew ${perEntry} bytes per entry`);
    assert.equal((await store.stats()).skillSnapshotBlobs, 10);
    await store.close();
  });
});

test('holds an independent deep copy of the skills snapshot in every entry, in memory and in the file', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = createStore('naive', { dataDir });
    await store.open();
    const a = await makeEntry(paths, 'chat');
    const b = await makeEntry(paths, 'chat');
    await store.create(a);
    await store.create(b);
    const [storedA, storedB] = [await store.get(a.key), await store.get(b.key)];
    assert.notEqual(storedA?.skillsSnapshot, storedB?.skillsSnapshot);
    assert.notEqual(storedA?.skillsSnapshot, a.skillsSnapshot, 'not even the caller’s object is shared');
    assert.deepEqual(storedA?.skillsSnapshot, a.skillsSnapshot);
    const onDisk = JSON.parse(await readFile(paths.sessionsFile, 'utf8'));
    assert.deepEqual(onDisk[a.key].skillsSnapshot, a.skillsSnapshot);
    assert.deepEqual(onDisk[b.key].skillsSnapshot, b.skillsSnapshot);
    await store.close();
  });
});

test('writes a cron run under its run key and its job key, and keeps both on update', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = createStore('naive', { dataDir });
    await store.open();
    const run = await makeEntry(paths, 'cronRun', { jobId: 'job-07' });
    await store.create(run);
    await store.update(run.key, { status: 'completed', endedAt: 5, updatedAt: 5 });
    const onDisk = JSON.parse(await readFile(paths.sessionsFile, 'utf8'));
    assert.deepEqual(Object.keys(onDisk).sort(), [run.key, 'agent:main:cron:job-07'].sort());
    assert.deepEqual(onDisk['agent:main:cron:job-07'], onDisk[run.key]);
    assert.equal(onDisk['agent:main:cron:job-07'].status, 'completed');
    assert.deepEqual(store.list().map((s) => s.key).sort(), [run.key, 'agent:main:cron:job-07'].sort());
    await store.close();
  });
});

test('never prunes, however long ago a sub-agent ended', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = createStore('naive', { dataDir, pruneAfterMs: 0 });
    await store.open();
    const ended = await makeEntry(paths, 'subagent', { status: 'completed', endedAt: 1, updatedAt: 1 });
    await store.create(ended);
    assert.equal(await store.prune(Date.now() + 365 * 24 * 3600_000), 0);
    assert.ok(await store.get(ended.key));
    assert.ok(JSON.parse(await readFile(paths.sessionsFile, 'utf8'))[ended.key]);
    await store.close();
  });
});

test('reads every orphan transcript in full at open, warns once per orphan, and keeps them all', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const first = createStore('naive', { dataDir });
    await first.open();
    const kept = await makeEntry(paths, 'chat');
    await first.create(kept);
    await first.close();
    const orphanText = `${JSON.stringify({ type: 'session', version: 3, id: 'x', timestamp: 't' })}\n${'{"type":"message"}\n'.repeat(50)}`;
    for (const id of ['o1', 'o2', 'o3']) await writeFile(`${paths.sessionsDir}/${id}.jsonl`, orphanText);
    await writeFile(`${paths.sessionsDir}/cut.jsonl`, `${orphanText}{"type":"mess`);

    for (let restart = 0; restart < 2; restart++) {
      const lines: string[] = [];
      const store = createStore('naive', { dataDir, log: (line) => lines.push(line) });
      const report = await store.open();
      assert.equal(report.orphanTranscripts, 4);
      assert.equal(report.orphanBytes, 4 * Buffer.byteLength(orphanText) + 13, 'every orphan byte was read');
      assert.equal(lines.length, 4);
      for (const id of ['o1', 'o2', 'o3']) assert.ok(lines.some((l) => l.includes(`${id}.jsonl (51 lines,`)), `warned about ${id}`);
      assert.ok(lines.some((l) => l.includes('cut.jsonl (52 lines, 1 unreadable,')), 'a cut line is reported, not fatal');
      assert.equal((await store.stats()).orphanTranscripts, 4);
      await store.close();
    }
    const files = await readdir(paths.sessionsDir);
    assert.deepEqual(files.filter((f) => f.endsWith('.jsonl')).sort(), ['cut.jsonl', 'o1.jsonl', 'o2.jsonl', 'o3.jsonl', kept.transcriptFile].sort());
  });
});

test('rewrites the whole file on every mutation and loads it back whole', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = createStore('naive', { dataDir });
    await store.open();
    const entries = await Promise.all(Array.from({ length: 5 }, () => makeEntry(paths, 'chat')));
    let previous = '';
    for (const entry of entries) {
      await store.create(entry);
      const text = await readFile(paths.sessionsFile, 'utf8');
      assert.ok(text.startsWith(previous.slice(0, -1)), 'the new file holds everything the old one did');
      previous = text;
    }
    await store.update(entries[0].key, { messageCount: 3 });
    assert.equal(JSON.parse(await readFile(paths.sessionsFile, 'utf8'))[entries[0].key].messageCount, 3);
    assert.equal(await store.delete(entries[1].key), true);
    assert.equal(await store.delete(entries[1].key), false);
    await store.close();
    const reopened = createStore('naive', { dataDir });
    assert.equal((await reopened.open()).sessions, 4);
    assert.equal((await reopened.get(entries[0].key))?.messageCount, 3);
    assert.equal(await reopened.get(entries[1].key), undefined);
  });
});
