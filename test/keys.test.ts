// Session keys: the shapes the gateway builds, and the validation that keeps any key or id from naming a path
// outside the data dir.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  InvalidKeyError,
  assertSafeSegment,
  assertSessionKey,
  chatSessionKey,
  cronJobKey,
  cronRunKey,
  isSessionKey,
  mainSessionKey,
  sessionKindOfKey,
  subagentDepth,
  subagentSessionKey,
} from '../src/keys.ts';
import { storePaths, transcriptPath } from '../src/store/paths.ts';

test('builds the OpenClaw key shapes', () => {
  assert.equal(mainSessionKey(), 'agent:main:main');
  assert.equal(chatSessionKey('telegram', '12345'), 'agent:main:telegram:direct:12345');
  assert.equal(cronJobKey('job-01'), 'agent:main:cron:job-01');
  assert.equal(cronRunKey('job-01', 'r1'), 'agent:main:cron:job-01:run:r1');
  assert.equal(subagentSessionKey('agent:main:main', 'u1'), 'agent:main:subagent:u1');
  assert.equal(subagentSessionKey('agent:main:telegram:direct:1', 'u1'), 'agent:main:subagent:u1');
});

test('nests a sub-agent of a sub-agent under its parent and counts depth by :subagent:', () => {
  const first = subagentSessionKey(mainSessionKey(), 'a');
  const second = subagentSessionKey(first, 'b');
  const third = subagentSessionKey(second, 'c');
  assert.equal(third, 'agent:main:subagent:a:subagent:b:subagent:c');
  assert.deepEqual([mainSessionKey(), first, second, third].map(subagentDepth), [0, 1, 2, 3]);
  assert.match(subagentSessionKey(mainSessionKey()), /^agent:main:subagent:[0-9a-f-]{36}$/);
});

test('names the kind of every key shape', () => {
  assert.equal(sessionKindOfKey('agent:main:main'), 'main');
  assert.equal(sessionKindOfKey('agent:main:slack:direct:u1'), 'chat');
  assert.equal(sessionKindOfKey('agent:main:subagent:a:subagent:b'), 'subagent');
  assert.equal(sessionKindOfKey('agent:main:cron:job-01'), 'cron');
  assert.equal(sessionKindOfKey('agent:main:cron:job-01:run:r1'), 'cronRun');
  assert.equal(sessionKindOfKey('agent:main:what:is:this'), undefined);
});

test('rejects traversal, slashes, uppercase and empty segments in keys', () => {
  const decodedSlash = decodeURIComponent('agent:main:subagent:..%2F..%2Fetc');
  for (const bad of [
    'agent:main:..',
    'agent:main:subagent:../../etc/passwd',
    decodedSlash,
    'agent:main:a/b',
    'agent:main:Main',
    'agent:main::main',
    'agent::main',
    'agent:main:',
    '',
    'agent:main',
    'session:main:main',
    'agent:main:.hidden',
    'agent:main:a\\b',
    'agent:main:a b',
    `agent:main:${'x'.repeat(129)}`,
    `agent:main${':subagent:x'.repeat(120)}`,
  ]) {
    assert.throws(() => assertSessionKey(bad), InvalidKeyError, `should reject ${JSON.stringify(bad)}`);
    assert.equal(isSessionKey(bad), false);
  }
  assert.equal(isSessionKey('agent:main:cron:job_1.daily:run:2024-01-01'), true);
});

test('rejects unsafe ids before a key or path is built from them', () => {
  for (const bad of ['..', '../x', 'a/b', 'A1', '', '-x', 'a%2Fb', 'a\u0000b']) {
    assert.throws(() => assertSafeSegment(bad, 'session id'), InvalidKeyError);
  }
  assert.throws(() => chatSessionKey('telegram', '../../x'), InvalidKeyError);
  assert.throws(() => cronRunKey('job/1', 'r'), InvalidKeyError);
  assert.throws(() => subagentSessionKey('agent:main:main', 'X'), InvalidKeyError);
  const paths = storePaths('/data');
  assert.throws(() => storePaths('/data', '../other'), InvalidKeyError);
  assert.throws(() => transcriptPath(paths, '../sessions.json.jsonl'));
  assert.throws(() => transcriptPath(paths, 'abc.json'));
  assert.equal(transcriptPath(paths, 'abc.jsonl'), '/data/agents/main/sessions/abc.jsonl');
});
