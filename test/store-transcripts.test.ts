// Transcripts in the OpenClaw line format: a session header, message lines chained by parentId; listing and
// archiving, and no transcript name that could leave the sessions folder.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { storePaths } from '../src/store/paths.ts';
import {
  appendTranscriptMessages,
  archiveTranscript,
  createTranscript,
  findOrphanTranscripts,
  listTranscripts,
  transcriptTotals,
} from '../src/transcripts.ts';
import { withDataDir } from './fixtures/storeEntries.ts';

test('starts with a version 3 session header and chains message lines by parentId', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const file = await createTranscript(paths, 'abc-1', Date.UTC(2026, 0, 2));
    assert.equal(file, 'abc-1.jsonl');
    const { ids } = await appendTranscriptMessages(paths, file, [{ role: 'user', text: 'hi' }, { role: 'assistant', text: 'hello' }]);
    const {
      ids: [more],
    } = await appendTranscriptMessages(paths, file, [{ role: 'user', text: 'again' }]);
    const lines = (await readFile(path.join(paths.sessionsDir, file), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(lines[0], { type: 'session', version: 3, id: 'abc-1', timestamp: '2026-01-02T00:00:00.000Z' });
    assert.deepEqual(lines.slice(1).map((l) => [l.type, l.id, l.parentId]), [
      ['message', ids[0], null],
      ['message', ids[1], ids[0]],
      ['message', more, ids[1]],
    ]);
    assert.deepEqual(lines[3].message, { role: 'user', content: [{ type: 'text', text: 'again' }] });
    assert.ok(lines.slice(1).every((l) => !Number.isNaN(Date.parse(l.timestamp))));
    await assert.rejects(createTranscript(paths, 'abc-1'), { code: 'EEXIST' }, 'never overwrites a transcript');
  });
});

test('lists transcripts with sizes, finds orphans, and archives them', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const a = await createTranscript(paths, 'a');
    const b = await createTranscript(paths, 'b');
    await writeFile(path.join(paths.sessionsDir, 'sessions.json'), '{}');
    const listed = await listTranscripts(paths);
    assert.deepEqual(listed.map((t) => t.file).sort(), [a, b]);
    assert.ok(listed.every((t) => t.bytes > 50));
    assert.deepEqual((await findOrphanTranscripts(paths, new Set([a]))).map((t) => t.file), [b]);
    assert.deepEqual(await transcriptTotals(paths, new Set([a])), {
      transcriptFiles: 2,
      transcriptBytes: listed[0].bytes + listed[1].bytes,
      orphanTranscripts: 1,
    });
    assert.equal(await archiveTranscript(paths, b), true);
    assert.equal(await archiveTranscript(paths, b), false, 'already gone');
    assert.deepEqual(await readdir(paths.archiveDir), [b]);
    assert.deepEqual((await listTranscripts(paths)).map((t) => t.file), [a]);
    await assert.rejects(archiveTranscript(paths, '../../x.jsonl'), /invalid session id/);
    await assert.rejects(archiveTranscript(paths, 'sessions.json'), /not a transcript file name/);
    await assert.rejects(createTranscript(paths, '../escape'), /invalid session id/);
  });
});
