// A corrupt sessions.json stops either store with an error naming the file and the parse position, and the file
// is left byte for byte as it was.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CorruptStoreError, firstSyntaxErrorOffset } from '../src/store/corruptStoreError.ts';
import { createStore } from '../src/store/createStore.ts';
import { storePaths } from '../src/store/paths.ts';
import { makeEntry, withDataDir } from './fixtures/storeEntries.ts';

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
}
