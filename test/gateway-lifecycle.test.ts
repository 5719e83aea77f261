// The session state machine alone: which moves are legal, what a move writes, and that illegal ones are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError, canTransition, isLive, transitionPatch } from '../src/sessions/lifecycle.ts';
import type { SessionStatus } from '../src/store/sessionStore.ts';

const ALL: SessionStatus[] = ['created', 'active', 'completed', 'failed', 'archived', 'pruned'];
const LEGAL = new Set([
  'created->active',
  'created->failed',
  'active->completed',
  'active->failed',
  'completed->archived',
  'completed->pruned',
  'failed->archived',
  'failed->pruned',
]);

test('allows exactly created -> active -> completed | failed -> archived | pruned', () => {
  for (const from of ALL) {
    for (const to of ALL) {
      assert.equal(canTransition(from, to), LEGAL.has(`${from}->${to}`), `${from} -> ${to}`);
    }
  }
});

test('refuses to revive an ended session or to prune a running one', () => {
  assert.throws(() => transitionPatch({ key: 'agent:main:subagent:a', status: 'completed' }, 'active', 1), IllegalTransitionError);
  assert.throws(() => transitionPatch({ key: 'agent:main:subagent:a', status: 'active' }, 'pruned', 1), /cannot go from active to pruned/);
  assert.throws(() => transitionPatch({ key: 'agent:main:subagent:a', status: 'pruned' }, 'archived', 1), IllegalTransitionError);
});

test('stamps endedAt only when a session completes or fails', () => {
  assert.deepEqual(transitionPatch({ key: 'k', status: 'created' }, 'active', 5), { status: 'active', updatedAt: 5 });
  assert.deepEqual(transitionPatch({ key: 'k', status: 'active' }, 'completed', 9), { status: 'completed', updatedAt: 9, endedAt: 9 });
  assert.deepEqual(transitionPatch({ key: 'k', status: 'created' }, 'failed', 7), { status: 'failed', updatedAt: 7, endedAt: 7 });
});

test('counts only created and active sessions as live', () => {
  assert.deepEqual(ALL.filter(isLive), ['created', 'active']);
});
