// The OpenClaw example's mock model: an OpenAI-compatible server on loopback (`POST /v1/chat/completions`, streamed
// as server-sent events or not, and `GET /v1/models`) answering with mockReply.ts, so OpenClaw runs real turns,
// spawns real sub-agents and never calls out. companion.ts runs it beside the gateway; the test starts it alone.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MOCK_MODEL_ID, mockReply, mockUsage, requestDigest, type ChatRequest, type MockReply } from './mockReply.ts';

// A fixed creation time: the same request gets byte for byte the same answer.
const CREATED = 1_767_225_600;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface MockModel {
  url: string;
  close(): Promise<void>;
}

export async function startMockModel(port = 0, host = '127.0.0.1'): Promise<MockModel> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendJson(res, 500, { error: { message: (error as Error).message, type: 'server_error' } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return { url: `http://${host}:${address.port}/v1`, close: () => closeServer(server) };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0].replace(/\/$/, '');
  if (req.method === 'GET' && path === '/v1/models') {
    sendJson(res, 200, { object: 'list', data: [{ id: MOCK_MODEL_ID, object: 'model', created: CREATED, owned_by: 'soakgate' }] });
    return;
  }
  if (req.method !== 'POST' || path !== '/v1/chat/completions') {
    sendJson(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    return;
  }
  let request: ChatRequest;
  try {
    request = JSON.parse(await readBody(req)) as ChatRequest;
  } catch (error) {
    sendJson(res, 400, { error: { message: `expected a JSON chat completion request: ${(error as Error).message}`, type: 'invalid_request_error' } });
    return;
  }
  const reply = mockReply(request);
  const id = `chatcmpl-${requestDigest(request).slice(0, 24)}`;
  const model = request.model ?? MOCK_MODEL_ID;
  if (request.stream) streamCompletion(res, id, model, request, reply);
  else sendJson(res, 200, completion(id, model, request, reply));
}

function completion(id: string, model: string, request: ChatRequest, reply: MockReply) {
  const message = reply.kind === 'text'
    ? { role: 'assistant', content: reply.text }
    : { role: 'assistant', content: null, tool_calls: [{ id: reply.callId, type: 'function', function: { name: reply.name, arguments: reply.arguments } }] };
  return {
    id, object: 'chat.completion', created: CREATED, model,
    choices: [{ index: 0, message, finish_reason: reply.kind === 'text' ? 'stop' : 'tool_calls' }],
    usage: mockUsage(request, reply),
  };
}

// The shape OpenAI streams: a role delta, the content (or the tool call's name, then its arguments) in pieces, a
// last chunk with the finish reason, the usage chunk when asked for, then [DONE].
function streamCompletion(res: ServerResponse, id: string, model: string, request: ChatRequest, reply: MockReply): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: object, finish: string | null = null) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
  if (reply.kind === 'text') {
    chunk({ role: 'assistant', content: '' });
    for (const piece of reply.text.match(/\S+\s*/g) ?? []) chunk({ content: piece });
    chunk({}, 'stop');
  } else {
    chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: reply.callId, type: 'function', function: { name: reply.name, arguments: '' } }] });
    const half = Math.ceil(reply.arguments.length / 2);
    for (const piece of [reply.arguments.slice(0, half), reply.arguments.slice(half)]) chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
    chunk({}, 'tool_calls');
  }
  if (request.stream_options?.include_usage) {
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage: mockUsage(request, reply) })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) req.destroy(new Error(`body over ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
