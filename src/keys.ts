// Session keys and ids: how the gateway names its sessions (the OpenClaw key shapes), and the check that keeps
// every key segment and session id a safe file-name segment, so nothing a request sends can leave the data dir.
import { randomUUID } from 'node:crypto';
import type { SessionKind } from './store/sessionStore.ts';

/** One segment of a session key, a session id or a peer: a safe file-name segment. */
export const SEGMENT = /^[a-z0-9][a-z0-9._-]{0,127}$/;
// Nested sub-agents add a segment pair per level; a bound keeps a runaway fan-out from building absurd keys.
const MAX_KEY_LENGTH = 1024;

export class InvalidKeyError extends Error {
  constructor(
    readonly value: string,
    reason: string,
  ) {
    super(`invalid ${reason}: ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value)}`);
    this.name = 'InvalidKeyError';
  }
}

/** A session id, agent id, job id, run id or peer: one segment of `^[a-z0-9][a-z0-9._-]{0,127}$`. */
export function isSafeSegment(value: string): boolean {
  return SEGMENT.test(value);
}

export function assertSafeSegment(value: string, what: string): string {
  if (!isSafeSegment(value)) {
    throw new InvalidKeyError(value, `${what} (expected lowercase letters, digits, '.', '_' or '-', 1-128 characters, starting with a letter or digit)`);
  }
  return value;
}

/** A key is `agent:<agentId>:...` with every `:`-separated segment safe; returns it, or throws InvalidKeyError. */
export function assertSessionKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(String(key), 'session key (empty)');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidKeyError(key, `session key (longer than ${MAX_KEY_LENGTH} characters)`);
  const segments = key.split(':');
  if (segments.length < 3 || segments[0] !== 'agent') {
    throw new InvalidKeyError(key, "session key (expected 'agent:<agentId>:<rest>')");
  }
  for (const segment of segments) {
    if (!isSafeSegment(segment)) {
      throw new InvalidKeyError(key, `session key (segment ${JSON.stringify(segment)} must match ${SEGMENT.source})`);
    }
  }
  return key;
}

export function isSessionKey(key: string): boolean {
  try {
    assertSessionKey(key);
    return true;
  } catch {
    return false;
  }
}

export function newSessionId(): string {
  return randomUUID();
}

export function mainSessionKey(agentId = 'main'): string {
  return `agent:${assertSafeSegment(agentId, 'agent id')}:main`;
}

export function chatSessionKey(channel: string, peer: string, agentId = 'main'): string {
  return assertSessionKey(`agent:${agentId}:${assertSafeSegment(channel, 'channel')}:direct:${assertSafeSegment(peer, 'peer')}`);
}

/** A sub-agent of a sub-agent nests under its parent's key; one spawned by any other session starts a new chain. */
export function subagentSessionKey(parentKey: string, uuid: string = randomUUID()): string {
  assertSessionKey(parentKey);
  assertSafeSegment(uuid, 'sub-agent id');
  if (subagentDepth(parentKey) > 0) return assertSessionKey(`${parentKey}:subagent:${uuid}`);
  return `agent:${agentIdOfKey(parentKey)}:subagent:${uuid}`;
}

export function subagentDepth(key: string): number {
  return key.split(':subagent:').length - 1;
}

export function cronJobKey(jobId: string, agentId = 'main'): string {
  return assertSessionKey(`agent:${agentId}:cron:${assertSafeSegment(jobId, 'cron job id')}`);
}

export function cronRunKey(jobId: string, runId: string, agentId = 'main'): string {
  return `${cronJobKey(jobId, agentId)}:run:${assertSafeSegment(runId, 'cron run id')}`;
}

export function agentIdOfKey(key: string): string {
  return key.split(':')[1] ?? '';
}

/** The kind a key's shape names, or undefined for a shape the gateway never builds. */
export function sessionKindOfKey(key: string): SessionKind | undefined {
  const segments = key.split(':');
  if (segments[0] !== 'agent' || segments.length < 3) return undefined;
  const rest = segments.slice(2);
  if (rest.length === 1 && rest[0] === 'main') return 'main';
  if (rest[0] === 'subagent') return 'subagent';
  if (rest[0] === 'cron' && rest.length === 2) return 'cron';
  if (rest[0] === 'cron' && rest.length === 4 && rest[2] === 'run') return 'cronRun';
  if (rest.length === 3 && rest[1] === 'direct') return 'chat';
  return undefined;
}
