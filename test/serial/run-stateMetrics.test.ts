// State readings on real processes: a target that writes rows into SQLite in WAL mode (checkpointing as it goes)
// and counts them in its own Prometheus /metrics; a database file that never appears; a /metrics page slower
// than a sample. Each reading is a metric `state:<name>`, a miss is a gap counted in the summary, never a failure.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { judgeRun } from '../../harness/gate/judge.ts';
import { isRunning } from '../../harness/target/processAlive.ts';
import type { RunMeta } from '../../harness/run/runFolder.ts';
import { runScenario, type RunResult } from '../../harness/run/runScenario.ts';
import { parseSamples, type Sample } from '../../harness/contracts/sample.ts';
import { parseScenario } from '../../harness/scenario/parseScenario.ts';
import { writeRunReport } from '../../reports/writeReport.ts';

const fixture = new URL('../fixtures/sqliteWriterServer.mjs', import.meta.url).pathname;
let dir: string;
let slowServer: http.Server;
let result: RunResult;
let samples: Sample[];
const notes: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-state-test-'));
  mkdirSync(join(dir, 'state'));
  // A /metrics page that answers after 3 s: far slower than a sample.
  slowServer = http.createServer((req, res) => {
    const timer = setTimeout(() => res.end('slow_total 1\n'), 3_000);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => slowServer.listen(0, '127.0.0.1', resolve));
  const slowUrl = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/metrics`;
  const scenario = parseScenario(
    {
      name: 'state-readings',
      target: {
        command: { argv: [process.execPath, fixture], env: { STATE_DB: 'state/app.sqlite' }, ready: 'listening on (http://\\S+)' },
      },
      duration: '3s',
      warmup: '500ms',
      sampleInterval: '250ms',
      settleInterval: 0,
      state: {
        rows: { sqlite: { file: 'state/app.sqlite', query: 'SELECT count(*) FROM t' } },
        rowsCounted: { prometheus: { url: '/metrics', metric: 'rows_total', labels: { table: 't' } } },
        allRows: { prometheus: { url: '/metrics', metric: 'rows_total' } },
        writerErrors: { prometheus: { url: '/metrics', metric: 'writer_errors_total' } },
        checkpointsBlocked: { prometheus: { url: '/metrics', metric: 'checkpoints_blocked_total' } },
        ghost: { sqlite: { file: 'state/never-written.sqlite', query: 'SELECT count(*) FROM t' } },
        slow: { prometheus: { url: slowUrl, metric: 'slow_total' } },
      },
      budgets: { 'state:rows': { maxSlopePerMin: 1e9 } },
    },
    join(dir, 'state-readings.json'),
  );
  result = await runScenario(scenario, { out: join(dir, 'run'), snapshots: 'never', onNote: (note) => notes.push(note) });
  samples = parseSamples(readFileSync(join(result.runDir, 'samples.jsonl'), 'utf8')).samples;
});

after(async () => {
  slowServer.closeAllConnections();
  await new Promise((resolve) => slowServer.close(resolve));
  const meta = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as RunMeta;
  rmSync(dir, { recursive: true, force: true });
  for (const pid of meta.targetPids) assert.equal(isRunning(pid), false, `target ${pid} is still alive`);
});

const series = (name: string) => samples.map((s) => s.metrics[`state:${name}`]).filter((v) => v !== undefined);

test('reads a database the target keeps in the run folder, named {runDir}/ in the scenario', async () => {
  const scenario = parseScenario(
    {
      name: 'state-in-run',
      target: { command: { argv: [process.execPath, fixture], env: { STATE_DB_IN_RUN: 'app.sqlite' }, ready: 'listening on (http://\\S+)' } },
      duration: '2s',
      warmup: '500ms',
      sampleInterval: '250ms',
      settleInterval: 0,
      state: { rows: { sqlite: { file: '{runDir}/app.sqlite', query: 'SELECT count(*) FROM t' } } },
    },
    join(dir, 'state-in-run.json'),
  );
  const run = await runScenario(scenario, { out: join(dir, 'in-run'), snapshots: 'never' });
  const rows = parseSamples(readFileSync(join(run.runDir, 'samples.jsonl'), 'utf8')).samples
    .map((s) => s.metrics['state:rows'])
    .filter((v) => v !== undefined);
  const meta = JSON.parse(readFileSync(join(run.runDir, 'run.json'), 'utf8')) as RunMeta;
  for (const pid of meta.targetPids) assert.equal(isRunning(pid), false, `target ${pid} is still alive`);
  assert.ok(rows.length >= 4, `${rows.length} readings`);
  assert.ok(rows.at(-1)! > rows[0], `rows ${rows[0]} -> ${rows.at(-1)}`);
  assert.equal(run.summary.state?.rows.missed, 0);
  // What the reader counted is the target's own database, in this run's folder.
  const db = new Database(join(run.runDir, 'app.sqlite'), { readonly: true });
  assert.ok((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n >= rows.at(-1)!);
  db.close();
});

test('a run with missed readings still passes', () => {
  assert.equal(result.exitCode, 0, JSON.stringify(result.summary.load));
  assert.ok(samples.length >= 10, `${samples.length} samples`);
});

test('reads the row count of a table another process writes in WAL mode: it grows, and matches the writer\'s own count', () => {
  const rows = series('rows');
  assert.equal(rows.length, samples.length, 'every sample has its reading');
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i] >= rows[i - 1], `rows went back from ${rows[i - 1]} to ${rows[i]}`);
  // 50 rows a second for about 3 s.
  assert.ok(rows[rows.length - 1] - rows[0] >= 60, `rows ${rows[0]} -> ${rows[rows.length - 1]}`);
  for (const sample of samples) {
    const [read, counted] = [sample.metrics['state:rows'], sample.metrics['state:rowsCounted']];
    // Read at the same moment (within a few ms) from the file and from the writer's /metrics: a row or two apart.
    assert.ok(Math.abs(read - counted) <= 5, `t=${sample.t}: SQLite says ${read}, the writer ${counted}`);
  }
  assert.equal(result.summary.metrics['state:rows'].unit, 'count');
});

test('the reader never blocks the writer: no failed insert, no checkpoint held back, an intact database', () => {
  assert.ok(series('writerErrors').length > 0 && series('writerErrors').every((v) => v === 0), JSON.stringify(series('writerErrors')));
  assert.ok(series('checkpointsBlocked').length > 0 && series('checkpointsBlocked').every((v) => v === 0), JSON.stringify(series('checkpointsBlocked')));
  const db = new Database(join(dir, 'state', 'app.sqlite'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.ok((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n >= series('rows').at(-1)!);
  } finally {
    db.close();
  }
});

test('sums the Prometheus samples whose labels match, and all of them without labels', () => {
  for (const sample of samples) {
    const [all, counted] = [sample.metrics['state:allRows'], sample.metrics['state:rowsCounted']];
    assert.equal(all - counted, 1000, `t=${sample.t}`);
  }
  const counted = series('rowsCounted');
  assert.ok(counted[counted.length - 1] > counted[0] + 60, JSON.stringify(counted));
});

test('a database file that never appears is a missed reading in every sample, counted and explained', () => {
  assert.equal(series('ghost').length, 0);
  const ghost = result.summary.state?.ghost;
  assert.deepEqual({ ...ghost, lastMiss: undefined }, { source: 'sqlite', readings: 0, missed: samples.length, lastMiss: undefined });
  assert.match(ghost!.lastMiss!, /no database at .*never-written\.sqlite yet/);
  assert.equal(notes.filter((n) => n.startsWith('state ghost:')).length, 1, 'noted once, not every sample');
});

test('a /metrics page slower than a sample is a missed reading and does not hold the sampler back', () => {
  assert.equal(series('slow').length, 0);
  assert.equal(result.summary.state?.slow.missed, samples.length);
  assert.match(result.summary.state!.slow.lastMiss!, /took more than 200 ms/);
  // Given up after 200 ms (80% of the 250 ms interval, as the probe's reply is): at worst a tick is skipped.
  const gaps = samples.slice(1).map((s, i) => s.t - samples[i].t);
  assert.ok(Math.max(...gaps) < 0.6, `sample gaps ${JSON.stringify(gaps)}`);
  assert.equal(result.summary.state?.rows.missed, 0);
});

test('state metrics are judged by the gate only when budgeted', () => {
  const budgets = { 'state:rows': { maxSlopePerMin: 1e9 } };
  const checked = new Set(judgeRun(result.summary.metrics, budgets).checks.map((c) => c.metric));
  assert.ok(checked.has('state:rows'));
  assert.ok(!checked.has('state:allRows'));
});

test('the report has a State section with a chart per reading and the misses', async () => {
  const html = readFileSync(await writeRunReport(result.runDir), 'utf8');
  const at = html.indexOf('<h2>State</h2>');
  assert.ok(at > 0);
  const section = html.slice(at, html.indexOf('</section>', at));
  for (const name of ['rows', 'rowsCounted', 'allRows']) assert.match(section, new RegExp(`<h3>State ${name}</h3>`));
  assert.match(section, /state:ghost<\/code><\/td><td>sqlite<\/td><td class="num">0<\/td>/);
});
