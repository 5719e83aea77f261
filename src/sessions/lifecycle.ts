// The session state machine: created -> active -> completed | failed -> archived | pruned. Every status change
// in the gateway goes through here, so an illegal move (reviving a completed run, pruning a live one) is refused.
import type { SessionEntry, SessionStatus } from '../store/sessionStore.ts';

const NEXT: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  // A session can fail before it ever ran (its work never started, or a restart interrupted it).
  created: ['active', 'failed'],
  active: ['completed', 'failed'],
  completed: ['archived', 'pruned'],
  failed: ['archived', 'pruned'],
  archived: [],
  pruned: [],
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly key: string,
    readonly from: SessionStatus,
    readonly to: SessionStatus,
  ) {
    super(`session ${key} cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return NEXT[from].includes(to);
}

/** Statuses from which a session still has work to do. */
export function isLive(status: SessionStatus): boolean {
  return status === 'created' || status === 'active';
}

/** The patch that moves an entry to `to`, or an IllegalTransitionError. Pure, so it is tested without a store. */
export function transitionPatch(
  entry: Pick<SessionEntry, 'key' | 'status'>,
  to: SessionStatus,
  now: number,
): Pick<SessionEntry, 'status' | 'updatedAt' | 'endedAt'> {
  if (!canTransition(entry.status, to)) throw new IllegalTransitionError(entry.key, entry.status, to);
  const ends = to === 'completed' || to === 'failed';
  return ends ? { status: to, updatedAt: now, endedAt: now } : { status: to, updatedAt: now };
}

