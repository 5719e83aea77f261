// The message size limit on a real gateway counts characters, not the bytes JSON spends on them: a message of
// 64 Ki characters is stored however many bytes its escapes take (6 for a control character, 12 for a character
// outside the BMP written as two escapes), and one character more is refused by the schema (issue 10, item 12).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { storePaths } from '../src/store/paths.ts';
import { call, startGateway, tempDataDir, type GatewayProcess } from './fixtures/gateway-process.ts';

const MAX_MESSAGE_CHARS = 64 * 1024;

/** 0x00-0x1f in turn: every one must be escaped in JSON, most as `\u00XX`. */
function controlCharacters(count: number): string {
  return Array.from({ length: count }, (_, i) => String.fromCharCode(i % 32)).join('');
}

async function post(base: string, path: string, body: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, body: await response.json() };
}

for (const store of ['naive', 'dedup'] as const) {
  describe(`${store}: message size`, () => {
    const root = tempDataDir('soakgate-message-size-');
    let gateway: GatewayProcess;
    let key: string;
    let transcript: string;
    let messagesPath: string;

    before(async () => {
      gateway = await startGateway(['--store', store, '--data-dir', root.dir, '--cron-jobs', '0']);
      const opened = await call(gateway.url, 'POST', '/v1/sessions', { channel: 'size', peer: 'pasted' });
      assert.equal(opened.status, 201);
      key = opened.body.key;
      transcript = join(storePaths(root.dir).sessionsDir, `${opened.body.sessionId}.jsonl`);
      messagesPath = `/v1/sessions/${encodeURIComponent(key)}/messages`;
    });
    after(async () => {
      await gateway?.kill();
      root.remove();
    });

    const lastStoredText = () => JSON.parse(readFileSync(transcript, 'utf8').trim().split('\n').at(-1) as string).message.content[0].text;

    test('stores a message of 64 Ki control characters, whose JSON takes about 6 bytes a character', async () => {
      const text = controlCharacters(MAX_MESSAGE_CHARS);
      const body = JSON.stringify({ role: 'user', text });
      assert.ok(Buffer.byteLength(body) > 5 * MAX_MESSAGE_CHARS, `the body weighs ${Buffer.byteLength(body)} bytes`);
      const reply = await post(gateway.url, messagesPath, body);
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.equal(lastStoredText(), text);
    });

    test('stores a message of 64 Ki characters outside the BMP, each written as two escapes (12 bytes)', async () => {
      const body = `{"role":"user","text":"${'\\ud83d\\ude00'.repeat(MAX_MESSAGE_CHARS)}"}`;
      const reply = await post(gateway.url, messagesPath, body);
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.equal(lastStoredText(), '\u{1F600}'.repeat(MAX_MESSAGE_CHARS));
    });

    test('refuses one character more with 400 invalid_request, and stores nothing', async () => {
      const messageCount = async () => (await call(gateway.url, 'GET', `/v1/sessions/${encodeURIComponent(key)}`)).body.messageCount;
      const before_ = await messageCount();
      const reply = await post(gateway.url, messagesPath, JSON.stringify({ role: 'user', text: controlCharacters(MAX_MESSAGE_CHARS + 1) }));
      assert.equal(reply.status, 400);
      assert.equal(reply.body.error.code, 'invalid_request');
      assert.match(reply.body.error.message, /body\/text must NOT have more than 65536 characters/);
      assert.equal(await messageCount(), before_);
    });
  });
}
