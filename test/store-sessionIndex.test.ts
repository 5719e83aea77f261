// The dedup store's session index (src/store/sessionIndex.ts): listings, what prune removes, and sessions.json's
// `index` layout, all without an entry body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionIndex, indexRecordOf, type IndexRecord } from '../src/store/sessionIndex.ts';

function record(key: string, fields: Partial<IndexRecord> = {}): IndexRecord {
  return { key, sessionId: `id-${key}`, kind: 'subagent', status: 'completed', updatedAt: 1_000, transcriptFile: `id-${key}.jsonl`, ...fields };
}

test('lists by kind and status, and tells a replaced session from the current one', () => {
  const index = new SessionIndex();
  index.set(record('a', { kind: 'chat', status: 'active' }));
  index.set(record('b'));
  index.set(record('c', { status: 'failed' }));
  assert.deepEqual(index.list({ kind: 'subagent' }).map((r) => r.key), ['b', 'c']);
  assert.deepEqual(index.list({ status: 'active' }).map((r) => r.key), ['a']);
  assert.equal(index.list().length, 3);
  assert.ok(index.isCurrent('b', 'id-b'));
  index.set(record('b', { sessionId: 'id-new' }));
  assert.ok(!index.isCurrent('b', 'id-b'));
  assert.deepEqual([...index.transcriptFiles()].sort(), ['id-a.jsonl', 'id-b.jsonl', 'id-c.jsonl']);
  assert.deepEqual([...index.bodyFileNames()].sort(), ['id-a.json', 'id-c.json', 'id-new.json']);
});

test('prune candidates: ended sub-agents and cron runs at or before the cutoff, by endedAt when it is known', () => {
  const index = new SessionIndex();
  index.set(record('old-subagent', { endedAt: 500, updatedAt: 5_000 }));
  index.set(record('late-subagent', { endedAt: 2_000 }));
  index.set(record('cron-run', { kind: 'cronRun', status: 'failed', updatedAt: 1_000 }));
  index.set(record('running', { status: 'active', updatedAt: 0 }));
  index.set(record('chat', { kind: 'chat', updatedAt: 0 }));
  assert.deepEqual(index.endedEphemeral(1_000).map((r) => r.key), ['old-subagent', 'cron-run']);
});

test('the stored index holds each record by key without repeating it, and an entry keeps only index fields', () => {
  const index = new SessionIndex();
  index.set(indexRecordOf({ ...record('a', { endedAt: 7 }), createdAt: 1, messageCount: 3, task: 'not in the index' }));
  assert.deepEqual(index.toStoredIndex(), {
    a: { sessionId: 'id-a', kind: 'subagent', status: 'completed', updatedAt: 1_000, transcriptFile: 'id-a.jsonl', endedAt: 7 },
  });
});
