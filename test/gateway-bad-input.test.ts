// Bad input against a real gateway: malformed JSON, non-JSON bodies, wrong types, unknown fields, oversized bodies,
// unknown keys and path traversal attempts all get a 4xx with {"error":{"code","message"}}, and nothing already stored is lost.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { call, startGateway, tempDataDir, type GatewayProcess } from './fixtures/gateway-process.ts';

interface Refusal {
  status: number;
  code: string;
  message: string;
}

async function send(base: string, method: string, path: string, body?: string, contentType = 'application/json'): Promise<Refusal> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body,
  });
  const parsed = await response.json();
  assert.deepEqual(Object.keys(parsed), ['error'], `${method} ${path}: body is ${JSON.stringify(parsed)}`);
  assert.deepEqual(Object.keys(parsed.error).sort(), ['code', 'message']);
  assert.equal(typeof parsed.error.message, 'string');
  return { status: response.status, code: parsed.error.code, message: parsed.error.message };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

for (const store of ['naive', 'dedup'] as const) {
  describe(`bad input to the ${store} gateway`, () => {
    const root = tempDataDir();
    const dataDir = join(root.dir, 'data');
    let gateway: GatewayProcess;
    let before_: unknown;
    const chatKey = 'agent:main:telegram:direct:alice';
    const chatPath = `/v1/sessions/${encodeURIComponent(chatKey)}`;

    before(async () => {
      gateway = await startGateway(['--store', store, '--data-dir', dataDir, '--cron-jobs', '0', '--prune-after', '1h']);
      assert.equal((await call(gateway.url, 'POST', '/v1/sessions', { channel: 'telegram', peer: 'alice' })).status, 201);
      assert.equal((await call(gateway.url, 'POST', `${chatPath}/messages`, { role: 'user', text: 'keep me' })).status, 201);
      before_ = (await call(gateway.url, 'GET', '/v1/sessions')).body;
    });
    after(async () => {
      await gateway?.kill();
      root.remove();
    });

    test('refuses malformed JSON with 400 malformed_json', async () => {
      for (const body of ['{"channel":', '{channel: "x"}', '{"role":"user","text":"a"}}']) {
        const refusal = await send(gateway.url, 'POST', `${chatPath}/messages`, body);
        assert.equal(refusal.status, 400, body);
        assert.equal(refusal.code, 'malformed_json', body);
      }
    });

    test('refuses wrong types, out-of-range numbers and unknown enum values without coercing them', async () => {
      const cases: [string, string, string][] = [
        ['/v1/subagents', '{"parentKey":"agent:main:main","task":5}', 'body/task must be string'],
        ['/v1/subagents', '{"parentKey":"agent:main:main","task":"t","depth":"2"}', 'body/depth must be integer'],
        ['/v1/subagents', '{"parentKey":"agent:main:main","task":"t","fanout":-1}', 'body/fanout must be >= 0'],
        ['/v1/subagents', '{"parentKey":"agent:main:main","task":"t","depth":50}', 'body/depth must be <= 4'],
        [`${chatPath}/messages`, '{"role":"robot","text":"hi"}', 'body/role must be equal to one of the allowed values'],
        [`${chatPath}/messages`, '{"role":"user","text":""}', 'body/text must NOT have fewer than 1 characters'],
        [`${chatPath}/messages`, '["user","hi"]', 'body must be object'],
        ['/v1/sessions', '{"channel":"Tele Gram"}', 'body/channel must match pattern'],
      ];
      for (const [path, body, message] of cases) {
        const refusal = await send(gateway.url, 'POST', path, body);
        assert.equal(refusal.status, 400, body);
        assert.equal(refusal.code, 'invalid_request', body);
        assert.ok(refusal.message.startsWith(message), `${body}: ${refusal.message}`);
      }
      const badQuery = await send(gateway.url, 'GET', '/v1/sessions?kind=robots');
      assert.equal(badQuery.status, 400);
    });

    test('names the unknown field it refuses', async () => {
      const refusal = await send(gateway.url, 'POST', '/v1/sessions', '{"channel":"telegram","admin":true}');
      assert.equal(refusal.status, 400);
      assert.equal(refusal.message, "body has an unknown field 'admin'");
      const cron = await send(gateway.url, 'POST', '/v1/cron/job-01/run', '{"now":true}');
      assert.equal(cron.message, "body has an unknown field 'now'");
      const query = await send(gateway.url, 'GET', '/v1/sessions?owner=me');
      assert.equal(query.message, "querystring has an unknown field 'owner'");
    });

    test('refuses bodies over the size limit with 413 body_too_large', async () => {
      const small = await send(gateway.url, 'POST', '/v1/sessions', JSON.stringify({ channel: 'x'.repeat(10_000) }));
      assert.deepEqual([small.status, small.code], [413, 'body_too_large']);
      // Sent again and again: a 413 answered before the body was read reached 25 of 150 such clients as EPIPE.
      for (let i = 0; i < 40; i++) {
        const huge = await send(gateway.url, 'POST', `${chatPath}/messages`, JSON.stringify({ role: 'user', text: 'y'.repeat(2_000_000) }));
        assert.deepEqual([huge.status, huge.code], [413, 'body_too_large'], `request ${i + 1}`);
      }
    });

    test('refuses a text/plain or other non-JSON body with 415 unsupported_media_type, even when the text is JSON', async () => {
      const cases: [string, string, string][] = [
        [`${chatPath}/messages`, '{"role":"user","text":"plain"}', 'text/plain'],
        [`${chatPath}/messages`, '{"role":"user","text":"plain"}', 'text/plain;charset=UTF-8'],
        ['/v1/sessions', '{"channel":"plain"}', 'text/plain'],
        ['/v1/sessions', 'channel=form', 'application/x-www-form-urlencoded'],
        ['/v1/subagents', '<spawn parentKey="agent:main:main"/>', 'application/xml'],
      ];
      for (const [path, body, contentType] of cases) {
        const refusal = await send(gateway.url, 'POST', path, body, contentType);
        assert.deepEqual([refusal.status, refusal.code], [415, 'unsupported_media_type'], `${contentType} to ${path}`);
        assert.match(refusal.message, /Content-Type: application\/json/);
      }
    });

    test('answers unknown keys with 404 session_not_found', async () => {
      const unknown = `/v1/sessions/${encodeURIComponent('agent:main:telegram:direct:nobody')}`;
      for (const [method, path, body] of [
        ['GET', unknown, undefined],
        ['DELETE', unknown, undefined],
        ['POST', `${unknown}/messages`, '{"role":"user","text":"hi"}'],
        ['POST', '/v1/subagents', '{"parentKey":"agent:main:subagent:nope","task":"t"}'],
      ] as const) {
        const refusal = await send(gateway.url, method, path, body);
        assert.deepEqual([refusal.status, refusal.code], [404, 'session_not_found'], `${method} ${path}`);
      }
      const route = await send(gateway.url, 'GET', '/v1/nothing-here');
      assert.deepEqual([route.status, route.code], [404, 'route_not_found']);
    });

    test('refuses path traversal and malformed keys before touching any file', async () => {
      const keys = [
        '..%2F..%2Fetc',
        '..%2F..%2F..%2Fetc%2Fpasswd',
        '%2e%2e%2f%2e%2e%2fetc',
        'agent%3Amain%3A..%2F..%2Fetc',
        'agent%3Amain%3Asubagent%3A..',
        'agent%3Amain%3Asubagent%3A%2Ftmp%2Fx',
        'agent%3Amain%3Amain%00',
        'agent%3Amain%3AMAIN',
        'agent%3A%3Amain',
      ];
      for (const key of keys) {
        for (const [method, suffix, body] of [
          ['GET', '', undefined],
          ['DELETE', '', undefined],
          ['POST', '/messages', '{"role":"user","text":"x"}'],
        ] as const) {
          const refusal = await send(gateway.url, method, `/v1/sessions/${key}${suffix}`, body);
          assert.deepEqual([refusal.status, refusal.code], [400, 'invalid_key'], `${method} ${key}${suffix}: ${refusal.message}`);
        }
      }
      const parent = await send(gateway.url, 'POST', '/v1/subagents', '{"parentKey":"agent:main:../../etc","task":"t"}');
      assert.deepEqual([parent.status, parent.code], [400, 'invalid_key']);
      const job = await send(gateway.url, 'POST', '/v1/cron/..%2F..%2Fetc/run');
      assert.deepEqual([job.status, job.code], [400, 'invalid_request']);
      const badEncoding = await send(gateway.url, 'GET', '/v1/sessions/agent%zzmain');
      assert.equal(badEncoding.status, 400);
      const tooLong = await send(gateway.url, 'GET', `/v1/sessions/${'a'.repeat(5000)}`);
      assert.deepEqual([tooLong.status, tooLong.code], [414, 'path_too_long']);
    });

    test('loses nothing: the stored sessions are as before and no file was written outside the sessions folder', async () => {
      assert.deepEqual((await call(gateway.url, 'GET', '/v1/sessions')).body, before_);
      assert.equal((await call(gateway.url, 'GET', chatPath)).body.messageCount, 1);
      assert.deepEqual(readdirSync(root.dir), ['data']);
      for (const file of filesUnder(dataDir)) assert.ok(file.startsWith(join('agents', 'main', 'sessions')), file);
    });
  });
}
