// What the OpenClaw example's mock model answers (pure: a chat request in, a reply out, the same reply for the same
// request). A user turn that asks for a sub-agent, when the request offers the spawn tool, gets a tool call that
// spawns one; anything else (the turn after the tool result, the sub-agent's own task, OpenClaw's housekeeping
// prompts) gets a short text, so no turn ever spawns without end.
import { createHash } from 'node:crypto';

/** OpenClaw's sub-agent spawn tool (docs/tools/subagents/tool-reference.md in the installed package). */
export const SPAWN_TOOL = 'sessions_spawn';
/** A user turn containing this asks for a sub-agent; the spawned task never contains it. */
export const SPAWN_PHRASE = 'spawn a sub-agent';
export const MOCK_MODEL_ID = 'mock-1';

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
}

export interface ChatRequest {
  model?: string;
  messages?: ChatMessage[];
  tools?: { type?: string; function?: { name?: string } }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export type MockReply =
  | { kind: 'text'; text: string }
  | { kind: 'toolCall'; callId: string; name: string; arguments: string };

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function mockReply(request: ChatRequest): MockReply {
  const prompt = pendingUserText(request.messages ?? []);
  const offersSpawn = (request.tools ?? []).some((tool) => tool.function?.name === SPAWN_TOOL);
  const digest = requestDigest(request);
  if (offersSpawn && prompt.toLowerCase().includes(SPAWN_PHRASE)) {
    return {
      kind: 'toolCall',
      callId: `call_${digest.slice(0, 24)}`,
      name: SPAWN_TOOL,
      arguments: JSON.stringify({ task: `Count the words of this note and reply with the number: ${digest.slice(0, 16)}`, label: `soak-${digest.slice(0, 8)}` }),
    };
  }
  const words = prompt.split(/\s+/).filter(Boolean).length;
  return { kind: 'text', text: `Noted: ${words} words (${digest.slice(0, 8)}).` };
}

/** Token counts by a fixed rule (4 characters a token), so the gateway's usage accounting has figures to keep. */
export function mockUsage(request: ChatRequest, reply: MockReply): Usage {
  const promptChars = JSON.stringify(request.messages ?? []).length;
  const completionChars = reply.kind === 'text' ? reply.text.length : reply.arguments.length;
  const prompt_tokens = Math.ceil(promptChars / 4);
  const completion_tokens = Math.ceil(completionChars / 4);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

export function requestDigest(request: ChatRequest): string {
  return createHash('sha256').update(JSON.stringify(request.messages ?? [])).digest('hex');
}

// The user's side of the current turn: every user message after the last assistant or tool message (OpenClaw sends
// the user's text, then its own context as a second user message). After a tool result there is none.
function pendingUserText(messages: ChatMessage[]): string {
  let start = messages.length;
  while (start > 0 && messages[start - 1].role !== 'assistant' && messages[start - 1].role !== 'tool') start -= 1;
  return messages.slice(start).filter((message) => message.role === 'user').map((message) => contentText(message.content)).join('\n');
}

// OpenAI content is a string or a list of parts ({type: 'text', text}).
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join(' ');
  }
  return '';
}
