// Storms against a real HTTP server in a child process that logs every request it receives: smooth pacing versus
// explicit bursts, the cron herd, counting by kind, pause and resume, the in-flight bound, and prompt stops that
// leave no socket or timer behind.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpCounter } from '../../harness/sampling/opCounter.ts';
import type { HttpStormSpec } from '../../harness/scenario/schema.ts';
import { cronStorm } from '../../harness/storms/cron.ts';
import { httpStorm } from '../../harness/storms/http.ts';
import type { StormContext, StormHandle } from '../../harness/storms/storm.ts';
import { StormTally } from '../../harness/storms/stormTally.ts';

// Logs `{t, method, url, body}` per request on stdout. /slow/ never answers in time, /fail/ answers 500.
const SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    process.stdout.write(JSON.stringify({ t: performance.timeOrigin + performance.now(), method: req.method, url: req.url, body }) + '\\n');
    if (req.url.startsWith('/slow/')) return setTimeout(() => res.end('late'), 5000).unref();
    res.writeHead(req.url.startsWith('/fail/') ? 500 : 202, { 'content-type': 'application/json' });
    res.end('{"key":"agent:main:x"}');
  });
}).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port); });`;

interface Arrival {
  t: number;
  method: string;
  url: string;
  body: string;
}

let server: ChildProcess;
let baseUrl: string;
const arrivals: Arrival[] = [];

function since(mark: number): Arrival[] {
  return arrivals.slice(mark);
}

/** The most arrivals within any `windowMs`. */
function densest(list: Arrival[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; j < list.length; j++) {
    while (list[j].t - list[i].t > windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/** Pauses, waits until every request the server got has been counted, then stops: exact counts, no abandoned request. */
async function drainAndStop(handle: StormHandle, ctx: StormContext, mark: number): Promise<void> {
  handle.pause();
  const deadline = Date.now() + 10_000;
  while ((ctx.opCounter.totals().requests ?? 0) < arrivals.length - mark && Date.now() < deadline) await sleep(20);
  await handle.stop();
}

function context(extra: Partial<Omit<StormContext, 'tally'>> = {}): StormContext {
  return { baseUrl, seed: 3, timeScale: 1, opCounter: new OpCounter(), tally: new StormTally(), ...extra };
}

function http(spec: Partial<HttpStormSpec>): HttpStormSpec {
  return { kind: 'http', method: 'POST', path: '/items/{{n}}', headers: {}, rate: 10, ...spec };
}

function activeHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// A hang (a target that never answers, a stop that never ends) must fail this file, not stall the whole suite.
describe('storms over HTTP', { timeout: 120_000 }, () => {
  before(async () => {
    server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    baseUrl = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      server.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
      server.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          const ready = /^listening on (http:\S+)/.exec(line);
          if (ready) resolve(ready[1]);
          else arrivals.push(JSON.parse(line) as Arrival);
        }
      });
    });
  });
  after(() => {
    server.kill('SIGKILL');
  });

  it("spreads a steady rate over the second instead of autocannon's once-a-second burst", async () => {
    const mark = arrivals.length;
    const ctx = context();
    const handle = await httpStorm(http({ rate: 40 })).start(ctx);
    await sleep(1500);
    await drainAndStop(handle, ctx, mark);
    const got = since(mark);
    assert.ok(got.length >= 40 && got.length <= 70, `${got.length} requests in 1.5 s at 40/s`);
    // Paced, 100 ms hold about 4; a once-a-second burst would put all 40 there.
    assert.ok(densest(got, 100) <= 15, `densest 100 ms held ${densest(got, 100)}`);
    assert.equal(ctx.opCounter.totals().requests, got.length);
  });

  it('sends bursts together when the scenario asks for them', async () => {
    const mark = arrivals.length;
    const handle = await httpStorm(http({ rate: 10, burst: { every: 1 } })).start(context());
    await sleep(1500);
    await handle.stop();
    const got = since(mark);
    assert.equal(got.length, 20, 'two bursts of 10');
    assert.ok(densest(got, 150) >= 10, `a burst arrived within 150 ms (densest ${densest(got, 150)})`);
    assert.ok(got[19].t - got[0].t >= 800, 'the second burst came a period later');
  });

  it('fills the path and body templates and counts its own operation kind', async () => {
    const mark = arrivals.length;
    const ctx = context({ seed: 42 });
    const handle = await httpStorm(http({ rate: 20, body: { id: 'item-{{n}}', seed: '{{seed}}' }, op: 'writes' })).start(ctx);
    await sleep(400);
    await drainAndStop(handle, ctx, mark);
    const got = since(mark);
    assert.ok(got.length >= 3);
    got.forEach((arrival, n) => {
      assert.equal(arrival.url, `/items/${n}`);
      assert.deepEqual(JSON.parse(arrival.body), { id: `item-${n}`, seed: '42' });
    });
    assert.equal(ctx.opCounter.totals().writes, got.length);
  });

  it('fires every cron job at the same instant as a thundering herd', async () => {
    const mark = arrivals.length;
    const ctx = context();
    const handle = await cronStorm({ kind: 'cron', jobs: 6, interval: 60, thunderingHerd: true }).start(ctx);
    await sleep(400);
    await drainAndStop(handle, ctx, mark);
    const got = since(mark);
    assert.deepEqual(got.map((a) => a.url).sort(), ['01', '02', '03', '04', '05', '06'].map((n) => `/v1/cron/job-${n}/run`));
    assert.ok(got[5].t - got[0].t < 150, `the herd spread over ${got[5].t - got[0].t} ms`);
    assert.equal(ctx.opCounter.totals().cronRuns, 6);
  });

  it('spreads cron jobs across the interval without the herd option, and honours the time scale', async () => {
    const mark = arrivals.length;
    // 4 jobs every 8 s of scenario time, 8x faster: one every 250 ms of wall time.
    const handle = await cronStorm({ kind: 'cron', jobs: 4, interval: 8, thunderingHerd: false }).start(context({ timeScale: 8 }));
    await sleep(900);
    await handle.stop();
    const got = since(mark);
    assert.deepEqual(got.map((a) => a.url), ['01', '02', '03', '04'].map((n) => `/v1/cron/job-${n}/run`));
    assert.ok(got[3].t - got[0].t >= 600, `spread over ${got[3].t - got[0].t} ms`);
  });

  it('counts answers other than 2xx as errors, not as operations', async () => {
    const mark = arrivals.length;
    const ctx = context();
    const handle = await httpStorm(http({ rate: 20, path: '/fail/{{n}}', op: 'writes' })).start(ctx);
    await sleep(300);
    await drainAndStop(handle, ctx, mark);
    const totals = ctx.opCounter.totals();
    assert.ok(totals.requests >= 3);
    assert.equal(totals.errors, totals.requests);
    assert.equal(totals.writes, undefined);
    assert.equal(ctx.opCounter.takeWindow().errors, totals.requests);
  });

  it('sends nothing while paused and resumes the schedule without making up the paused time', async () => {
    const ctx = context();
    const handle = await httpStorm(http({ rate: 20 })).start(ctx);
    await sleep(500);
    handle.pause();
    await sleep(100); // the last in-flight requests land
    const atPause = arrivals.length;
    await sleep(600);
    assert.equal(arrivals.length, atPause, 'no request while paused');
    handle.resume();
    await sleep(500);
    await handle.stop();
    const afterResume = arrivals.length - atPause;
    // 0.5 s at 20/s is about 10; catching up the 0.7 s pause would have sent about 24.
    assert.ok(afterResume >= 5 && afterResume <= 16, `${afterResume} requests in 0.5 s after resuming`);
  });

  it('skips and counts operations due beyond the in-flight bound rather than queueing without end', async () => {
    const mark = arrivals.length;
    const ctx = context();
    const handle = await httpStorm(http({ rate: 300, path: '/slow/{{n}}' })).start(ctx);
    await sleep(700);
    await handle.stop();
    const totals = ctx.opCounter.totals();
    assert.ok(since(mark).length <= 64, `${since(mark).length} requests in flight`);
    assert.ok(totals.skipped > 50, `skipped ${totals.skipped}`);
    // Abandoned by stop(), not failed: no outcome is recorded for them.
    assert.equal(totals.requests, undefined);
  });

  it('stops at once with requests in flight, leaving no socket or timer behind', async () => {
    const baseline = activeHandles();
    const handle = await httpStorm(http({ rate: 50, path: '/slow/{{n}}' })).start(context());
    await sleep(300);
    assert.ok((activeHandles().TCPSocketWrap ?? 0) > (baseline.TCPSocketWrap ?? 0), 'requests were in flight');
    const started = performance.now();
    await handle.stop();
    const tookMs = performance.now() - started;
    // The server holds each answer for 5 s; stopping must not wait for them.
    assert.ok(tookMs < 2000, `stop took ${tookMs} ms`);
    assert.deepEqual(activeHandles(), baseline);
  });

  it('counts refused connections as errors and ends each batch on its own', async () => {
    const ctx = context({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    await sleep(20); // the port probe's server handle goes away
    const baseline = activeHandles();
    const handle = await httpStorm(http({ rate: 20 })).start(ctx);
    await sleep(500);
    handle.pause();
    await sleep(200);
    const totals = ctx.opCounter.totals();
    assert.ok(totals.requests >= 5, `requests ${totals.requests}`);
    assert.equal(totals.errors, totals.requests);
    assert.ok(totals.requests <= 15, `one attempt per operation, not a reconnect loop: ${totals.requests}`);
    await handle.stop();
    assert.deepEqual(activeHandles(), baseline);
  });
});
