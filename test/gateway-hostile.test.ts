// Requests a gateway must refuse, on a real gateway process: a web page reaching it through the browser (a Host
// that is not loopback, a cross-origin write), deleting the main session, a run of a cron job it does not have,
// and a client that declares a body and never sends it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { call, startGateway, tempDataDir, type GatewayProcess } from './fixtures/gateway-process.ts';

/** A request with headers fetch() will not let a caller set (Host), answered as status and parsed body. */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode as number, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a gateway a web page might reach', () => {
  const data = tempDataDir();
  let gateway: GatewayProcess;
  let port: string;
  before(async () => {
    gateway = await startGateway(['--store', 'dedup', '--data-dir', data.dir, '--cron-jobs', '2', '--prune-after', '1h', '--request-timeout', '1s']);
    port = new URL(gateway.url).port;
  });
  after(async () => {
    await gateway?.kill();
    data.remove();
  });
  const chatCount = async () => (await call(gateway.url, 'GET', '/v1/sessions?kind=chat')).body.total as number;

  test('answers only loopback Host headers, so DNS rebinding cannot reach it', async () => {
    for (const host of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, 'example.com']) {
      const refused = await rawRequest(gateway.url, 'POST', '/v1/sessions', { host }, '{}');
      assert.equal(refused.status, 403, host);
      assert.equal(refused.body.error.code, 'host_not_allowed');
      assert.equal((await rawRequest(gateway.url, 'GET', '/v1/stats', { host })).status, 403, `${host}: reads too`);
    }
    assert.equal(await chatCount(), 0);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      assert.equal((await rawRequest(gateway.url, 'GET', '/healthz', { host })).status, 200, host);
    }
  });

  test('refuses writes from another origin and takes them from its own', async () => {
    for (const origin of ['http://evil.example', 'null', `http://localhost:${Number(port) + 1}`, `https://127.0.0.1:${port}`]) {
      const refused = await rawRequest(gateway.url, 'POST', '/v1/sessions', { origin }, '{}');
      assert.equal(refused.status, 403, origin);
      assert.equal(refused.body.error.code, 'cross_origin_write');
      assert.equal((await rawRequest(gateway.url, 'DELETE', '/v1/sessions/agent%3Amain%3Amain', { origin })).status, 403, origin);
    }
    assert.equal(await chatCount(), 0, 'no refused write created anything');
    assert.equal((await rawRequest(gateway.url, 'GET', '/v1/stats', { origin: 'http://evil.example' })).status, 200, 'reads are not writes');
    assert.equal((await rawRequest(gateway.url, 'POST', '/v1/sessions', { origin: `http://127.0.0.1:${port}` }, '{}')).status, 201);
  });

  test('refuses to delete the main session, so sub-agents keep their parent', async () => {
    const refused = await call(gateway.url, 'DELETE', '/v1/sessions/agent%3Amain%3Amain');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'main_session_protected');
    assert.equal((await call(gateway.url, 'POST', '/v1/subagents', { parentKey: 'agent:main:main', task: 'still here' })).status, 202);
  });

  test('answers 404 to a run of a cron job it does not have, and stores nothing for it', async () => {
    for (const jobId of ['no-such-job', 'job-03', 'job-1']) {
      const refused = await call(gateway.url, 'POST', `/v1/cron/${jobId}/run`);
      assert.equal(refused.status, 404, jobId);
      assert.equal(refused.body.error.code, 'cron_job_not_found');
      assert.match(refused.body.error.message, /this gateway runs job-01\.\.job-02 \(--cron-jobs 2\)/);
    }
    const cronSessions = (await call(gateway.url, 'GET', '/v1/sessions?kind=cron')).body.sessions.map((s: { key: string }) => s.key);
    assert.ok(cronSessions.every((key: string) => /^agent:main:cron:job-0[12]$/.test(key)), cronSessions.join(', '));
    assert.equal((await call(gateway.url, 'POST', '/v1/cron/job-02/run')).status, 202);
  });

  // The bound only turns a regression into a failure instead of a hang; with the fix both close about 1 s in.
  test('closes a request that declares 1,000 body bytes and sends 20, and a connection that never sends its headers', { timeout: 120_000 }, async () => {
    const slowBody = connect(Number(port), '127.0.0.1');
    const silent = connect(Number(port), '127.0.0.1');
    await Promise.all([once(slowBody, 'connect'), once(silent, 'connect')]);
    slowBody.write(`POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"channel":"slowly",`);
    let answer = '';
    slowBody.on('data', (chunk) => (answer += chunk));
    // The silent connection is answered 408 by Node's header timer, which fires before the gateway's idle timer. Its
    // bytes are read here: unread, they would hold back the end of the stream and its 'close' with it (the test then
    // hung until its 120 s bound).
    let heard = '';
    silent.on('data', (chunk) => (heard += chunk));
    // The gateway's --request-timeout of 1 s closes both; nothing here closes them.
    await Promise.all([once(slowBody, 'close'), once(silent, 'close')]);
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(heard, /^HTTP\/1\.1 408 /, 'the connection that never sent its headers is answered 408');
    assert.equal(await chatCount(), 1, 'only the session the same-origin test created');
  });
});
