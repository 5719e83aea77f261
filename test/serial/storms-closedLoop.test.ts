// Closed-loop storms (virtual users) and the open loop's in-flight cap against a real slow server: users never have
// more requests in flight than there are users and send about duration / latency x users of them; the open loop
// held to 2 in flight skips what is due beyond that, and summary.json, the output and the report show it. The
// scenario refuses a storm with both rate and users, or neither.
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpCounter } from '../../harness/sampling/opCounter.ts';
import { isRunning } from '../../harness/target/processAlive.ts';
import { Progress } from '../../harness/run/progress.ts';
import type { RunMeta } from '../../harness/run/runFolder.ts';
import { EXIT_OK } from '../../harness/contracts/exitCodes.ts';
import { runScenario } from '../../harness/run/runScenario.ts';
import { parseScenario } from '../../harness/scenario/parseScenario.ts';
import { ScenarioError } from '../../harness/scenario/scenarioError.ts';
import type { HttpStormSpec } from '../../harness/scenario/schema.ts';
import { httpStorm } from '../../harness/storms/http.ts';
import { StormTally } from '../../harness/storms/stormTally.ts';
import { writeRunReport } from '../../reports/writeReport.ts';

const LATENCY_MS = 200;
const fixture = new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname;
let server: http.Server;
let baseUrl: string;
let open = 0;
let mostOpen = 0;
let dir: string;
const targetPids: number[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-closedloop-test-'));
  // Answers every request LATENCY_MS after it arrived, and remembers how many were open at once.
  server = http.createServer((req, res) => {
    open++;
    mostOpen = Math.max(mostOpen, open);
    req.resume();
    const timer = setTimeout(() => res.end('{}'), LATENCY_MS);
    res.on('close', () => {
      clearTimeout(timer);
      open--;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
  for (const pid of targetPids) assert.equal(isRunning(pid), false, `target pid ${pid} is still alive`);
});

const commandTarget = { command: { argv: [process.execPath, fixture], ready: 'listening on (http://\\S+)' } };

function stormSpec(fields: Record<string, unknown>): HttpStormSpec {
  const scenario = parseScenario({ name: 'closed', target: commandTarget, duration: '1m', load: [{ kind: 'http', path: '/slow/{{n}}', ...fields }] }, '/work/closed.json');
  return scenario.load[0] as HttpStormSpec;
}

/** Runs the storm for `ms` against the slow server; returns its run-wide and own counts. */
async function drive(spec: HttpStormSpec, ms: number) {
  mostOpen = 0;
  const opCounter = new OpCounter();
  const tally = new StormTally();
  const handle = await httpStorm(spec).start({ baseUrl, seed: 1, timeScale: 1, opCounter, tally });
  await sleep(ms);
  await handle.stop();
  return { totals: opCounter.totals(), figures: tally.figures() };
}

test('3 virtual users against a 200 ms server keep at most 3 requests in flight and send about duration / latency x users', async () => {
  const { totals, figures } = await drive(stormSpec({ users: 3 }), 2000);
  assert.equal(mostOpen, 3, 'every user had its request open at the same time, and never more');
  // 2 s / 0.2 s x 3 users = 30; each request also opens a connection, so a loaded machine gets somewhat fewer.
  assert.ok(figures.sent >= 18 && figures.sent <= 33, `${figures.sent} sent`);
  assert.ok((totals.requests ?? 0) >= figures.sent - 3, `${totals.requests} finished of ${figures.sent} sent: only the last round is abandoned by stop()`);
  assert.equal(totals.errors ?? 0, 0);
  assert.equal(figures.skipped, 0, 'a closed loop has nothing to skip');
});

test('a user\'s thinkTime comes between its answer and its next request', async () => {
  // Each cycle is 200 ms of answer and 300 ms of thinking: 2 users send about 2 s / 0.5 s x 2 = 8.
  const { figures } = await drive(stormSpec({ users: 2, thinkTime: '300ms' }), 2000);
  assert.ok(figures.sent >= 5 && figures.sent <= 10, `${figures.sent} sent`);
});

test('a paused closed loop sends nothing until resumed, and stop() ends it at once with requests in flight', async () => {
  const opCounter = new OpCounter();
  const tally = new StormTally();
  const handle = await httpStorm(stormSpec({ users: 2 })).start({ baseUrl, seed: 1, timeScale: 1, opCounter, tally });
  await sleep(300);
  handle.pause();
  await sleep(LATENCY_MS + 100);
  const atPause = tally.figures().sent;
  await sleep(500);
  assert.equal(tally.figures().sent, atPause, 'no request while paused');
  handle.resume();
  await sleep(100);
  assert.ok(tally.figures().sent > atPause, 'users carry on once resumed');
  const began = performance.now();
  await handle.stop();
  assert.ok(performance.now() - began < 150, 'stop() did not wait for the answers');
  await sleep(50);
  assert.equal(open, 0, 'no request of the storm is left open at the server');
});

test('an open loop held to maxInFlight 2 against a slow target skips what is due beyond that, shown in summary.json, the progress line and the report', async () => {
  const scenario = parseScenario(
    {
      name: 'capped',
      target: { command: { ...commandTarget.command, env: { TINY_DELAY_MS: String(LATENCY_MS) } } },
      duration: '3s',
      warmup: '1s',
      sampleInterval: '250ms',
      settleInterval: '0',
      load: [{ kind: 'http', path: '/items/{{n}}', rate: 40, maxInFlight: 2 }],
    },
    join(dir, 'capped.json'),
  );
  let shown = '';
  const stream = { isTTY: true, write: (text: string) => (shown += text) } as unknown as NodeJS.WriteStream;
  const progress = new Progress({ durationS: 3, warmupS: 1, stream });
  const result = await runScenario(scenario, { out: join(dir, 'capped-run'), snapshots: 'never', onProgress: (sample, storms) => progress.update(sample, storms) });
  targetPids.push(...(JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as RunMeta).targetPids);
  assert.equal(result.exitCode, EXIT_OK, result.summary.load?.failed);
  const storm = result.summary.load!.storms[0];
  // 40/s for 3 s is 120 due; 2 in flight at 200 ms each let through about 10 a second.
  assert.ok(storm.skipped > 40, `${storm.skipped} skipped`);
  assert.ok(storm.sent < 50, `${storm.sent} sent`);
  assert.equal(storm.skipped, result.summary.operations.skipped);
  assert.equal(storm.errors, 0);
  const lastLine = shown.split('\r').at(-1) ?? '';
  assert.match(lastLine, /storm 1 skipped \d+/, 'the progress line shows the storm\'s skipped operations');
  const report = readFileSync(await writeRunReport(result.runDir), 'utf8');
  const row = /<h2>Load<\/h2>.*?<tbody><tr><td>1<\/td><td><code>http GET \/items\/\{\{n\}\}<\/code><\/td><td class="num">(\d+)<\/td><td class="num">0<\/td><td class="num">0%<\/td><td class="num">(\d+)<\/td>/s.exec(report);
  assert.ok(row, 'the report\'s Load table has the storm\'s row');
  assert.equal(Number(row[2]), storm.skipped);
});

describe('the scenario schema', () => {
  const issues = (storm: Record<string, unknown>) => {
    try {
      parseScenario({ name: 'closed', target: commandTarget, duration: '1m', load: [{ kind: 'http', path: '/x', ...storm }] }, '/work/closed.json');
    } catch (error) {
      if (error instanceof ScenarioError) return error.issues.map((i) => `${i.path}: ${i.message}`);
      throw error;
    }
    return [];
  };

  test('refuses a storm with both rate and users, or neither, and closed-loop options on an open loop', () => {
    assert.deepEqual(issues({ rate: 5, users: 3 }), ['load[0].users: give "rate" (open loop) or "users" (closed loop), not both']);
    assert.deepEqual(issues({}), ['load[0]: expected "rate" (operations per second, open loop) or "users" (virtual users, each waiting for its answer: closed loop)']);
    assert.deepEqual(issues({ rate: 5, thinkTime: '1s' }), ['load[0].thinkTime: thinkTime is the pause of a virtual user: it goes with "users", not "rate"']);
    assert.deepEqual(issues({ users: 3, maxInFlight: 2 }), ['load[0].maxInFlight: a closed loop has at most "users" (3) requests in flight; drop maxInFlight']);
    assert.deepEqual(issues({ users: 3, burst: { every: '1s' } }), ['load[0].burst: bursts pace a rate; with "users" each user sends when its last request is answered']);
    assert.deepEqual(issues({ users: 0 }), ['load[0].users: expected at least 1 virtual user']);
    assert.deepEqual(issues({ users: 2, thinkTime: '500ms' }), []);
  });

  test('users and thinkTime are accepted on chat and subagents storms; cron has no users', () => {
    const gateway = { gateway: { store: 'dedup' } };
    const scenario = parseScenario(
      { name: 'closed', target: gateway, duration: '1m', load: [{ kind: 'chat', users: 4, thinkTime: '2s' }, { kind: 'subagents', users: 1 }] },
      '/work/closed.json',
    );
    assert.deepEqual(scenario.load.map((s) => ('users' in s ? [s.users, s.thinkTime] : null)), [[4, 2], [1, undefined]]);
    assert.throws(() => parseScenario({ name: 'closed', target: gateway, duration: '1m', load: [{ kind: 'cron', jobs: 2, interval: '10s', users: 2 }] }, '/work/closed.json'), /load\[0\]: Unrecognized key: "users"/);
  });
});
