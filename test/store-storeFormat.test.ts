// The on-disk format checks (src/store/storeFormat.ts): a record a store cannot use is refused with its file and field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptStoreError } from '../src/store/corruptStoreError.ts';
import { checkDedupSessions, checkEntryBody, checkNaiveSessions, dedupSessionsText, entryFieldProblem, isDedupFormat } from '../src/store/storeFormat.ts';

const body = {
  key: 'agent:main:main',
  sessionId: 'abc',
  kind: 'main',
  status: 'active',
  createdAt: 1,
  updatedAt: 2,
  messageCount: 0,
  transcriptFile: 'abc.jsonl',
  skillsSnapshotRef: 'c'.repeat(64),
};

test('field problems name the field and the value', () => {
  assert.equal(entryFieldProblem(body, ['createdAt', 'updatedAt', 'messageCount']), undefined);
  assert.match(entryFieldProblem({ ...body, kind: 'robot' }, []) ?? '', /unknown kind "robot"/);
  assert.equal(entryFieldProblem({ ...body, endedAt: 'soon' }, []), `field 'endedAt' is not a number: "soon"`);
  assert.equal(entryFieldProblem({ ...body, messageCount: undefined }, ['messageCount']), "field 'messageCount' is missing");
});

test('an entry body must be the one the index names and carry a snapshot or a sha256 reference', () => {
  assert.equal(checkEntryBody('f.json', body, { key: body.key, sessionId: 'abc' }).sessionId, 'abc');
  assert.throws(() => checkEntryBody('f.json', body, { key: body.key, sessionId: 'other' }), /f\.json: entry body belongs to/);
  assert.throws(() => checkEntryBody('f.json', { ...body, skillsSnapshotRef: 'short' }), /neither a skillsSnapshot nor a skillsSnapshotRef/);
  assert.throws(() => checkEntryBody('f.json', [body]), /is not a JSON object/);
});

test('the dedup file round-trips through its check; an unknown format or a bad record is corrupt at its place', () => {
  const { key, ...record } = body;
  const text = dedupSessionsText('entries', { [key]: record });
  const parsed = JSON.parse(text);
  assert.ok(isDedupFormat(parsed));
  assert.equal(checkDedupSessions('s.json', text, parsed).layout, 'entries');
  assert.throws(() => checkDedupSessions('s.json', '{}', { format: 'v0' }), /unknown store format "v0"/);
  const bad = dedupSessionsText('index', { [key]: { ...record, status: 'asleep' } });
  assert.throws(() => checkDedupSessions('s.json', bad, JSON.parse(bad)), (error: CorruptStoreError) => error.position === bad.indexOf(`"${key}":`));
});

test('the naive check refuses a file the dedup store wrote, saying which store can read it', () => {
  const text = dedupSessionsText('index', {});
  assert.ok(!isDedupFormat({ 'agent:main:main': body }));
  assert.throws(() => checkNaiveSessions('s.json', text, JSON.parse(text)), /open it with --store dedup/);
});
