// The OpenClaw example without OpenClaw (the example itself runs in bench:openclaw and the nightly soak): its
// scenario is refused with the install command while the cache is missing, and loads and validates once it is
// there; the mock model answers completions streamed and not, and a sub-agent request with a spawn tool call.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { INSTALL_COMMAND, NODE_VERSION, OPENCLAW_VERSION, openclawCache } from '../examples/openclaw/openclawCache.ts';
import { startMockModel, type MockModel } from '../examples/openclaw/mockModel.ts';
import { SPAWN_PHRASE, SPAWN_TOOL } from '../examples/openclaw/mockReply.ts';
import { loadScenario } from '../harness/scenario/loadScenario.ts';
import { ScenarioError } from '../harness/scenario/scenarioError.ts';

const SCENARIO = fileURLToPath(new URL('../scenarios/openclaw.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'soakgate-example-openclaw-'));
const savedCache = process.env.SOAKGATE_OPENCLAW_CACHE;
after(() => {
  if (savedCache === undefined) delete process.env.SOAKGATE_OPENCLAW_CACHE;
  else process.env.SOAKGATE_OPENCLAW_CACHE = savedCache;
  rmSync(dir, { recursive: true, force: true });
});

// What install.ts leaves behind, with stand-ins for Node 26 and OpenClaw's entry.
function standInCache(folder: string): void {
  const cache = openclawCache({ SOAKGATE_OPENCLAW_CACHE: folder });
  for (const file of [cache.node, cache.entry]) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o755);
  }
  writeFileSync(cache.marker, JSON.stringify({ openclaw: OPENCLAW_VERSION, node: NODE_VERSION }));
}

describe('the OpenClaw scenario', () => {
  it('is refused with the install command while OpenClaw is not installed', async () => {
    process.env.SOAKGATE_OPENCLAW_CACHE = join(dir, 'missing');
    await assert.rejects(loadScenario(SCENARIO), (error: unknown) => {
      assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${error}`);
      assert.ok(error.message.includes(INSTALL_COMMAND), error.message);
      assert.ok(error.message.includes(join(dir, 'missing')), 'names the cache folder it looked in');
      return true;
    });
  });

  it('is refused when the cache holds another version', async () => {
    const folder = join(dir, 'other-version');
    standInCache(folder);
    writeFileSync(openclawCache({ SOAKGATE_OPENCLAW_CACHE: folder }).marker, JSON.stringify({ openclaw: '2026.1.1', node: NODE_VERSION }));
    process.env.SOAKGATE_OPENCLAW_CACHE = folder;
    await assert.rejects(loadScenario(SCENARIO), (error: unknown) => error instanceof ScenarioError && error.message.includes(INSTALL_COMMAND));
  });

  it('loads and validates against an installed cache: the launcher as target, a port and a readiness check, 10 minutes of chat and spawn turns', async () => {
    const folder = join(dir, 'installed');
    standInCache(folder);
    process.env.SOAKGATE_OPENCLAW_CACHE = folder;
    const scenario = await loadScenario(SCENARIO);
    assert.equal(scenario.name, 'openclaw');
    assert.equal(scenario.duration, 600);
    assert.ok('command' in scenario.target);
    const command = scenario.target.command;
    assert.match(command.argv[0], /launch\.sh$/);
    assert.equal(command.env.SOAK_OPENCLAW_NODE, openclawCache({ SOAKGATE_OPENCLAW_CACHE: folder }).node);
    assert.ok(command.url?.startsWith('http://127.0.0.1:'), 'a URL, since OpenClaw prints none');
    assert.ok(command.health, 'a readiness check');
    assert.ok(command.readyTimeout >= 60 && command.stopGrace >= 30, 'room for a slow start and a draining stop');
    const bodies = scenario.load.map((storm) => JSON.stringify(storm.kind === 'http' ? storm.body : null));
    assert.ok(bodies.some((body) => body.includes(SPAWN_PHRASE)), 'some turns ask for a sub-agent');
    assert.ok(bodies.some((body) => !body.includes(SPAWN_PHRASE)), 'some turns do not');
  });
});

describe('the mock model', () => {
  let model: MockModel;
  before(async () => {
    model = await startMockModel();
  });
  after(() => model.close());

  const complete = (body: object) =>
    fetch(`${model.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mock-1', ...body }) });
  const spawnTool = { type: 'function', function: { name: SPAWN_TOOL, parameters: { type: 'object' } } };

  it('lists its model', async () => {
    const models = (await (await fetch(`${model.url}/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['mock-1']);
  });

  it('answers a completion with a short text, the same each time for the same request', async () => {
    const request = { messages: [{ role: 'user', content: 'hello there' }] };
    const first = (await (await complete(request)).json()) as { choices: { message: { content: string }; finish_reason: string }[]; usage: { total_tokens: number } };
    const second = await (await complete(request)).json();
    assert.equal(first.choices[0].finish_reason, 'stop');
    assert.match(first.choices[0].message.content, /\S/);
    assert.ok(first.usage.total_tokens > 0);
    assert.deepEqual(second, first);
  });

  it('streams a completion as server-sent events ending in [DONE], with usage when asked', async () => {
    const response = await complete({ stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hello there' }] });
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''));
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: object });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    assert.match(text, /\S/);
    assert.ok(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop'));
    assert.ok(chunks.at(-1)?.usage, 'the usage chunk comes last');
  });

  it('answers a request for a sub-agent with a sessions_spawn tool call, streamed and not', async () => {
    const messages = [{ role: 'user', content: `Please ${SPAWN_PHRASE} to count words.` }];
    const plain = (await (await complete({ messages, tools: [spawnTool] })).json()) as {
      choices: { message: { tool_calls: { function: { name: string; arguments: string } }[] }; finish_reason: string }[];
    };
    assert.equal(plain.choices[0].finish_reason, 'tool_calls');
    const call = plain.choices[0].message.tool_calls[0].function;
    assert.equal(call.name, SPAWN_TOOL);
    const task = (JSON.parse(call.arguments) as { task: string }).task;
    assert.ok(task && !task.includes(SPAWN_PHRASE), 'the sub-agent gets a task that spawns nothing further');

    const streamed = await (await complete({ messages, tools: [spawnTool], stream: true })).text();
    const deltas = streamed.split('\n\n').filter((e) => e && e !== 'data: [DONE]').map((e) => JSON.parse(e.slice(6)) as { choices: { delta: { tool_calls?: { function: { name?: string; arguments?: string } }[] }; finish_reason: string | null }[] });
    const calls = deltas.flatMap((d) => d.choices[0]?.delta.tool_calls ?? []);
    assert.equal(calls[0].function.name, SPAWN_TOOL);
    assert.equal(calls.map((c) => c.function.arguments ?? '').join(''), call.arguments);
    assert.ok(deltas.some((d) => d.choices[0]?.finish_reason === 'tool_calls'));
  });

  it('answers with text after the tool result, and when the spawn tool is not offered', async () => {
    const asked = { role: 'user', content: `Please ${SPAWN_PHRASE}.` };
    const afterTool = (await (await complete({ tools: [spawnTool], messages: [asked, { role: 'assistant', content: null, tool_calls: [] }, { role: 'tool', content: '{"status":"accepted"}' }] })).json()) as { choices: { finish_reason: string }[] };
    assert.equal(afterTool.choices[0].finish_reason, 'stop');
    const noTool = (await (await complete({ messages: [asked] })).json()) as { choices: { finish_reason: string }[] };
    assert.equal(noTool.choices[0].finish_reason, 'stop');
  });
});
