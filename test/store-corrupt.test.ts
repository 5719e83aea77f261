// A corrupt sessions.json (bad JSON, or an entry holding a value the gateway cannot use) stops either store with an
// error naming the file and the position or entry, and the file is left byte for byte as it was; a dedup entry body
// holding such a value makes its session damaged instead.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CorruptStoreError, firstSyntaxErrorOffset } from '../src/store/corruptStoreError.ts';
import { createStore } from '../src/store/createStore.ts';
import { DamagedSessionError } from '../src/store/damagedSessionError.ts';
import { entryBodyPath, storePaths } from '../src/store/paths.ts';
import type { Fix, SessionStore } from '../src/store/sessionStore.ts';
import { makeEntry, withDataDir } from './fixtures/storeEntries.ts';

// Values that parse as JSON but that no stored entry may hold, and the words the refusal must use.
const BAD_VALUES = [
  [{ kind: 'robot' }, 'has an unknown kind "robot"'],
  [{ status: 'zombie' }, 'has an unknown status "zombie"'],
  [{ messageCount: 'x' }, `field 'messageCount' is not a number: "x"`],
] as const;

/** Opening `store` fails with a CorruptStoreError naming `file`, the entry `key` and its `problem`; `file` is untouched. */
async function assertRefusesEntry(store: SessionStore, file: string, key: string, problem: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  await assert.rejects(store.open(), (error: Error) => {
    assert.ok(error instanceof CorruptStoreError, String(error));
    assert.equal(error.file, file);
    assert.ok(error.message.includes(`entry ${JSON.stringify(key)}: ${problem}`), error.message);
    return true;
  });
  assert.equal(await readFile(file, 'utf8'), text);
}

test('finds the first syntax error where JSON.parse gives no position', () => {
  const cases: [string, number][] = [
    ['{"a":}', 5],
    ['{"a":1', 6],
    ['xyz', 0],
    ['{"a":1}x', 7],
    ['{"a": tru}', 9],
    ['{"a":"b', 7],
    ['', 0],
    ['{"a":[1,2,]}', 10],
    ['{"a":"\\q"}', 7],
    ['{"a":"\\u12G4"}', 10],
    ['{\n  "a": 1,\n  "b" 2\n}', 18],
    ['{"a":-}', 5],
  ];
  for (const [text, offset] of cases) {
    assert.throws(() => JSON.parse(text));
    assert.equal(firstSyntaxErrorOffset(text), offset, `offset in ${JSON.stringify(text)}`);
  }
  assert.equal(firstSyntaxErrorOffset('{"a":[1,{"b":null}],"c":"\\u00e9\\n"}'), -1);
});

for (const kind of ['naive', 'dedup'] as const) {
  test(`${kind}: a truncated sessions.json gives file, line and column, and is left untouched`, async () => {
    await withDataDir(async (dataDir) => {
      const paths = storePaths(dataDir);
      const store = createStore(kind, { dataDir, log: () => undefined });
      await store.open();
      await store.create(await makeEntry(paths, 'chat'));
      await store.close();
      const whole = await readFile(paths.sessionsFile);
      const truncated = whole.subarray(0, Math.floor(whole.length / 2));
      await writeFile(paths.sessionsFile, truncated);

      const reopened = createStore(kind, { dataDir, log: () => undefined });
      await assert.rejects(reopened.open(), (error: Error) => {
        assert.ok(error instanceof CorruptStoreError);
        assert.equal(error.file, paths.sessionsFile);
        assert.equal(error.position, truncated.toString('utf8').length);
        assert.equal(error.line, 1);
        assert.ok(error.message.includes(paths.sessionsFile));
        assert.match(error.message, /at line 1, column \d+ \(character \d+\)\. The file was left untouched/);
        return true;
      });
      assert.deepEqual(await readFile(paths.sessionsFile), truncated);
    });
  });

  test(`${kind}: a stray character names its line and column`, async () => {
    await withDataDir(async (dataDir) => {
      const paths = storePaths(dataDir);
      await mkdir(paths.sessionsDir, { recursive: true });
      const text = '{\n  "agent:main:main": {\n    "sessionId": "x",,\n  }\n}\n';
      await writeFile(paths.sessionsFile, text);
      const store = createStore(kind, { dataDir, log: () => undefined });
      await assert.rejects(store.open(), (error: Error) => {
        assert.ok(error instanceof CorruptStoreError);
        assert.deepEqual([error.line, error.column], [3, 22]);
        return true;
      });
      assert.equal(await readFile(paths.sessionsFile, 'utf8'), text);
    });
  });

  test(`${kind}: an entry whose key or transcript would leave the data dir makes the file corrupt`, async () => {
    await withDataDir(async (dataDir) => {
      const paths = storePaths(dataDir);
      await mkdir(paths.sessionsDir, { recursive: true });
      const entry = await makeEntry(paths, 'chat');
      for (const bad of [
        { [entry.key]: { ...entry, transcriptFile: '../../../etc/passwd.jsonl' } },
        { 'agent:main:../x': entry },
        { [entry.key]: { ...entry, sessionId: '../x' } },
        [entry],
      ]) {
        const text = JSON.stringify(bad);
        await writeFile(paths.sessionsFile, text);
        const store = createStore(kind, { dataDir, log: () => undefined });
        await assert.rejects(store.open(), (error: Error) => error instanceof CorruptStoreError && error.message.includes(paths.sessionsFile));
        assert.equal(await readFile(paths.sessionsFile, 'utf8'), text);
      }
    });
  });

  test(`${kind}: an entry with an unknown kind or status, or a messageCount that is not a number, makes the file corrupt`, async () => {
    await withDataDir(async (dataDir) => {
      const paths = storePaths(dataDir);
      await mkdir(paths.sessionsDir, { recursive: true });
      const entry = await makeEntry(paths, 'chat');
      for (const [bad, problem] of BAD_VALUES) {
        const text = JSON.stringify({ [entry.key]: { ...entry, ...bad } });
        await writeFile(paths.sessionsFile, text);
        await assertRefusesEntry(createStore(kind, { dataDir, log: () => undefined }), paths.sessionsFile, entry.key, problem);
      }
    });
  });
}

for (const [layout, fixes] of [
  ['index', ['prune', 'dedupe', 'orphans', 'lazy']],
  ['entries', ['prune', 'dedupe', 'orphans']],
] as [string, Fix[]][]) {
  test(`dedup: a record in the ${layout} layout with an unknown kind or status, or a bad number, makes sessions.json corrupt`, async () => {
    await withDataDir(async (dataDir) => {
      const paths = storePaths(dataDir);
      const store = createStore('dedup', { dataDir, fixes: new Set(fixes), log: () => undefined });
      await store.open();
      const entry = await makeEntry(paths, 'chat');
      await store.create(entry);
      await store.close();
      const written = JSON.parse(await readFile(paths.sessionsFile, 'utf8'));
      assert.equal(written.layout, layout);
      // An index record holds no messageCount, so its number to break is updatedAt.
      const cases = layout === 'index' ? [...BAD_VALUES.slice(0, 2), [{ updatedAt: 'x' }, `field 'updatedAt' is not a number: "x"`] as const] : BAD_VALUES;
      for (const [bad, problem] of cases) {
        const text = JSON.stringify({ ...written, sessions: { [entry.key]: { ...written.sessions[entry.key], ...bad } } });
        await writeFile(paths.sessionsFile, text);
        await assertRefusesEntry(createStore('dedup', { dataDir, fixes: new Set(fixes), log: () => undefined }), paths.sessionsFile, entry.key, problem);
      }
    });
  });
}

test('dedup: an entry body with an unknown kind or status, or a messageCount that is not a number, is a damaged session', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = createStore('dedup', { dataDir, log: () => undefined });
    await store.open();
    const entries = await Promise.all(BAD_VALUES.map(() => makeEntry(paths, 'chat')));
    const healthy = await makeEntry(paths, 'chat');
    for (const entry of [...entries, healthy]) await store.create(entry);
    await store.close();
    for (const [i, [bad]] of BAD_VALUES.entries()) {
      const file = entryBodyPath(paths, entries[i].sessionId);
      await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), ...bad }));
    }

    const reopened = createStore('dedup', { dataDir, log: () => undefined });
    await reopened.open();
    for (const [i, [, problem]] of BAD_VALUES.entries()) {
      const file = entryBodyPath(paths, entries[i].sessionId);
      await assert.rejects(reopened.get(entries[i].key), (error: Error) => {
        assert.ok(error instanceof DamagedSessionError, String(error));
        assert.equal(error.key, entries[i].key);
        assert.equal(error.file, file);
        assert.ok(error.problem.includes(problem), error.problem);
        return true;
      });
    }
    assert.equal((await reopened.get(healthy.key))?.messageCount, 0);
    assert.deepEqual((await reopened.stats()).damaged.map((d) => d.key).sort(), entries.map((e) => e.key).sort());
    await reopened.close();
  });
});

