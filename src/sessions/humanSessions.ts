// Human sessions: the agent's main session and direct chats (`agent:main:<channel>:direct:<peer>`), which are
// never pruned. Opening the same channel and peer again returns the session that already exists.
import { randomBytes } from 'node:crypto';
import { chatSessionKey, mainSessionKey } from '../keys.ts';
import type { SessionEntry } from '../store/sessionStore.ts';
import type { SessionWriter } from './sessionWriter.ts';

const DEFAULT_CHANNEL = 'webchat';

/** The main session is every sub-agent's default parent: deleting it would break spawns until a restart. */
export class MainSessionProtectedError extends Error {
  constructor(readonly key: string) {
    super(`session ${key} is the agent's main session and cannot be deleted`);
    this.name = 'MainSessionProtectedError';
  }
}

export class HumanSessions {
  constructor(
    private readonly writer: SessionWriter,
    private readonly agentId: string,
  ) {}

  /** `agent:<agentId>:main`, the default parent of sub-agents, made active at start-up if it is new. */
  async ensureMainSession(): Promise<SessionEntry> {
    const key = mainSessionKey(this.agentId);
    const { entry } = await this.writer.openIfAbsent({ key, kind: 'main' });
    return entry.status === 'created' ? this.writer.transition(key, 'active') : entry;
  }

  /** Without a peer, a new anonymous peer id is made, so each such call opens a new chat. */
  openHumanSession(channel = DEFAULT_CHANNEL, peer = `anon-${randomBytes(6).toString('hex')}`) {
    return this.writer.openIfAbsent({ key: chatSessionKey(channel, peer, this.agentId), kind: 'chat', channel, peer });
  }

  /** Throws MainSessionProtectedError for the main session; every other session may be deleted. */
  assertDeletable(key: string): void {
    if (key === mainSessionKey(this.agentId)) throw new MainSessionProtectedError(key);
  }

  recordMessage(key: string, role: string, text: string): Promise<SessionEntry> {
    return this.writer.append(key, [{ role, text }]);
  }
}
