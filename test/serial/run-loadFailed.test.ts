// A run whose load failed never passes: real command targets that refuse every request (401) or break half-way
// (500 from the Nth request on) make `run` and `gate` exit 5 with one sentence naming the storm, the minute and the
// cause; a healthy run exits 0. The rule itself (minimum counts, the whole window, no answer at all), the gate's
// outputs for a failed load and the scenario field are checked as plain data.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { combineGateResults, type GateScenarioResult } from '../../harness/gate/gateResult.ts';
import { gateToJUnit } from '../../harness/gate/junit.ts';
import { gateToMarkdown } from '../../harness/gate/markdown.ts';
import { checkLoad, MIN_REQUESTS_JUDGED } from '../../harness/storms/loadCheck.ts';
import { isRunning } from '../../harness/target/processAlive.ts';
import type { RunMeta } from '../../harness/run/runFolder.ts';
import { EXIT_LOAD_FAILED, EXIT_OK } from '../../harness/contracts/exitCodes.ts';
import { runScenario } from '../../harness/run/runScenario.ts';
import { parseScenario } from '../../harness/scenario/parseScenario.ts';
import { ScenarioError } from '../../harness/scenario/scenarioError.ts';
import type { StormSpec } from '../../harness/scenario/schema.ts';
import type { StormFigures } from '../../harness/storms/stormTally.ts';
import type { Summary } from '../../harness/contracts/summary.ts';
import { soakgateCli } from '../fixtures/soakgateCli.ts';

const fixture = new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname;
let dir: string;
const targetPids: number[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-loadfailed-test-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const pid of targetPids) assert.equal(isRunning(pid), false, `target pid ${pid} is still alive`);
});

/** A 3 s run (1 s warmup) of the tiny server under 40 GET/s; `env` makes the server refuse or break. */
function scenarioFields(name: string, env: Record<string, string>): Record<string, unknown> {
  return {
    name,
    target: { command: { argv: [process.execPath, fixture], env, ready: 'listening on (http://\\S+)' } },
    duration: '3s',
    warmup: '1s',
    sampleInterval: '250ms',
    settleInterval: '0',
    load: [{ kind: 'http', path: '/items/{{n}}', rate: 40 }],
  };
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

test('a target that answers every request 401 makes `soakgate run` exit 5 with one sentence naming the storm and the cause', async () => {
  const file = join(dir, 'refused.json');
  writeFileSync(file, JSON.stringify(scenarioFields('refused', { TINY_STATUS: '401' })));
  const out = join(dir, 'refused-run');
  const { code, stdout, stderr } = await soakgateCli(['run', file, '--out', out, '--snapshots', 'never']);
  targetPids.push(...readJson<RunMeta>(join(out, 'run.json')).targetPids);
  assert.equal(code, EXIT_LOAD_FAILED, `${stdout}\n${stderr}`);
  const sentence = /load failed: storm 1 \(http GET \/items\/\{\{n\}\}\) got (\d+) errors of \1 requests \(100%\) in minute 1; most common: HTTP 401/;
  assert.match(stdout, sentence);
  assert.match(stdout, /load: storm 1 \(http GET \/items\/\{\{n\}\}\): (\d+) requests, \1 errors \(100%; HTTP 401 \1\), 0 skipped/);
  const summary = readJson<Summary>(join(out, 'summary.json'));
  assert.match(summary.load?.failed ?? '', sentence);
  const storm = summary.load!.storms[0];
  assert.equal(storm.errors, storm.requests);
  assert.ok(storm.requests >= MIN_REQUESTS_JUDGED, `${storm.requests} requests`);
  assert.deepEqual(storm.errorCauses, { 'HTTP 401': storm.errors });
  assert.equal(storm.errorShare, 1);
  assert.equal(readJson<RunMeta>(join(out, 'run.json')).exitCode, EXIT_LOAD_FAILED);
  const report = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(report, /<p class="failed">load failed: storm 1 /, 'the failed load is the red line at the top');
  assert.match(report, /<h2>Load<\/h2>/);
});

test('`soakgate gate` on a target that refuses the load exits 5, and gate.json, junit.xml and gate.md name the storm', async () => {
  const file = join(dir, 'gated.json');
  writeFileSync(file, JSON.stringify(scenarioFields('gated', { TINY_STATUS: '401' })));
  // A baseline with no metric: the failed load alone must fail the gate.
  const baseline = join(dir, 'gated.command.json');
  const machine = { cpuModel: 'test', cores: 2, memoryBytes: 1, os: 'linux' };
  writeFileSync(baseline, JSON.stringify({ scenario: 'gated', target: 'command', runs: 1, nodeVersion: process.version, machine, created: '2026-11-01T00:00:00Z', metrics: {} }));
  const out = join(dir, 'gate-out');
  const { code, stdout, stderr } = await soakgateCli(['gate', file, '--baseline', baseline, '--out', out, '--snapshots', 'never', '--no-rerun']);
  const gate = readJson<{ exitCode: number; pass: boolean; scenarios: Array<{ runDir: string; pass: boolean; loadFailed?: string }> }>(join(out, 'gate.json'));
  targetPids.push(...readJson<RunMeta>(join(out, gate.scenarios[0].runDir, 'run.json')).targetPids);
  assert.equal(code, EXIT_LOAD_FAILED, `${stdout}\n${stderr}`);
  assert.equal(gate.exitCode, EXIT_LOAD_FAILED);
  assert.equal(gate.scenarios[0].pass, false);
  assert.match(gate.scenarios[0].loadFailed ?? '', /^load failed: storm 1 \(http GET \/items\/\{\{n\}\}\) got \d+ errors .* most common: HTTP 401$/);
  assert.match(readFileSync(join(out, 'junit.xml'), 'utf8'), /name="load"><failure message="load failed: storm 1 /);
  assert.match(readFileSync(join(out, 'gate.md'), 'utf8'), /FAIL \(load failed\)/);
  assert.match(stdout, /gate: gated on command: load failed: storm 1 /);
});

test('a target that starts answering 500 half-way fails the load in the minute it broke, with HTTP 500 as the cause', async () => {
  // About 40 requests go to warmup and 80 to the measured window; from the 60th on every one fails.
  const scenario = parseScenario(scenarioFields('broken', { TINY_FAIL_AFTER: '60' }), join(dir, 'broken.json'));
  const result = await runScenario(scenario, { out: join(dir, 'broken-run'), snapshots: 'never' });
  targetPids.push(...readJson<RunMeta>(join(result.runDir, 'run.json')).targetPids);
  assert.equal(result.exitCode, EXIT_LOAD_FAILED);
  assert.match(result.summary.load?.failed ?? '', /^load failed: storm 1 \(http GET \/items\/\{\{n\}\}\) got \d+ errors of \d+ requests \([\d.]+%\) in minute 1; most common: HTTP 500$/);
  const storm = result.summary.load!.storms[0];
  assert.ok(storm.errors > 0 && storm.errors < storm.requests, `${storm.errors} of ${storm.requests}: some succeeded before it broke`);
  assert.equal(storm.worstMinute?.minute, 1);
});

test('a healthy run exits 0 with its storm\'s requests counted and no error', async () => {
  const scenario = parseScenario(scenarioFields('healthy', {}), join(dir, 'healthy.json'));
  const result = await runScenario(scenario, { out: join(dir, 'healthy-run'), snapshots: 'never' });
  targetPids.push(...readJson<RunMeta>(join(result.runDir, 'run.json')).targetPids);
  assert.equal(result.exitCode, EXIT_OK);
  const load = result.summary.load!;
  assert.equal(load.failed, undefined);
  assert.equal(load.maxErrorShare, 0.5);
  assert.equal(load.storms[0].errors, 0);
  assert.equal(load.storms[0].requests, result.summary.operations.requests);
  assert.ok(load.storms[0].requests > 60, `${load.storms[0].requests} requests`);
});

describe('the load rule', () => {
  const http = { kind: 'http', method: 'POST', path: '/v1/chat/completions', headers: {}, rate: 2 } as StormSpec;
  const figures = (fields: Partial<StormFigures>): StormFigures => ({
    due: 0, sent: 0, answered: 0, skipped: 0, requests: 0, errors: 0, errorCauses: {}, minutes: [], ...fields,
  });
  const healthyMinute = (minute: number) => ({ minute, requests: 100, errors: 0 });

  test('names the first minute whose error share is over the limit, and its most common cause', () => {
    const f = figures({
      due: 400, sent: 400, answered: 380, requests: 400, errors: 80, errorCauses: { timeout: 20, 'HTTP 502': 60 },
      minutes: [healthyMinute(0), healthyMinute(1), { minute: 2, requests: 100, errors: 75 }, { minute: 3, requests: 100, errors: 5 }],
    });
    const load = checkLoad([{ spec: { kind: 'cron', jobs: 2, interval: 1, thunderingHerd: false }, figures: figures({ due: 5, sent: 5, answered: 5, requests: 5 }) }, { spec: http, figures: f }], 0.5);
    assert.equal(load.failed, 'load failed: storm 2 (http POST /v1/chat/completions) got 75 errors of 100 requests (75%) in minute 3; most common: HTTP 502');
    assert.deepEqual(load.storms[1].worstMinute, { minute: 3, requests: 100, errors: 75 });
    assert.equal(load.storms[1].errorShare, 0.2);
  });

  test('one error of one request at the start of a long run fails nothing; the same share over enough requests does', () => {
    const lucky = figures({ due: 301, sent: 301, answered: 301, requests: 301, errors: 1, errorCauses: { ECONNRESET: 1 }, minutes: [{ minute: 0, requests: 1, errors: 1 }, healthyMinute(1), healthyMinute(2), healthyMinute(3)] });
    assert.equal(checkLoad([{ spec: http, figures: lucky }], 0.5).failed, undefined);
    // A slow storm never reaches the minimum in a minute; over the whole measured window it does.
    const slow = figures({ due: 12, sent: 12, answered: 12, requests: 12, errors: 7, errorCauses: { 'HTTP 500': 7 }, minutes: Array.from({ length: 6 }, (_, minute) => ({ minute, requests: 2, errors: minute === 0 ? 2 : 1 })) });
    assert.match(checkLoad([{ spec: http, figures: slow }], 0.5).failed ?? '', /got 7 errors of 12 requests \(58\.3%\) over the measured run; most common: HTTP 500$/);
    assert.equal(checkLoad([{ spec: http, figures: slow }], 0.6).failed, undefined, 'a higher maxErrorShare lets it pass');
  });

  test('a storm that got no answer at all, sent nothing, or failed every request fails; so does a run that sent nothing', () => {
    const refused = figures({ due: 4, sent: 4, requests: 4, errors: 4, errorCauses: { ECONNREFUSED: 4 } });
    assert.equal(checkLoad([{ spec: http, figures: refused }], 1).failed, 'load failed: storm 1 (http POST /v1/chat/completions) got no answer to any of its 4 requests; most common: ECONNREFUSED');
    const hanging = figures({ due: 3, sent: 3 });
    assert.match(checkLoad([{ spec: http, figures: hanging }], 0.5).failed ?? '', /got no answer to any of its 3 requests before the run ended$/);
    const capped = figures({ due: 9, skipped: 9 });
    assert.match(checkLoad([{ spec: http, figures: capped }], 0.5).failed ?? '', /sent no request: all 9 that were due were skipped at its in-flight cap$/);
    const allFailed = figures({ due: 3, sent: 3, answered: 3, requests: 3, errors: 3, errorCauses: { 'HTTP 403': 3 } });
    assert.match(checkLoad([{ spec: http, figures: allFailed }], 1).failed ?? '', /got 3 errors of 3 requests \(100%\); most common: HTTP 403$/);
    assert.equal(checkLoad([{ spec: http, figures: figures({}) }], 0.5).failed, 'load failed: no request was sent at all, though the scenario has a storm with load');
    assert.equal(checkLoad([{ spec: { ...http, rate: 0 } as StormSpec, figures: figures({}) }], 0.5).failed, undefined, 'a storm at rate 0 has no load');
  });
});

test('a failed load fails the gate with exit 5, and gate.json, JUnit and Markdown say which storm and why', () => {
  const sentence = 'load failed: storm 1 (http GET /x) got 40 errors of 40 requests (100%) in minute 1; most common: HTTP 401';
  const failed: GateScenarioResult = { scenario: 'ci', target: 'command', runDir: 'ci-command', pass: false, crashed: false, loadFailed: sentence, reran: false, durationS: 10, checks: [] };
  const passed: GateScenarioResult = { ...failed, scenario: 'other', runDir: 'other-command', pass: true, loadFailed: undefined };
  const result = combineGateResults([passed, failed], '2026-11-01T00:00:00Z');
  assert.equal(result.exitCode, EXIT_LOAD_FAILED);
  assert.equal(result.pass, false);
  assert.equal(combineGateResults([{ ...failed, crashed: true }], 'now').exitCode, 3, 'a crash wins over a failed load');
  const grew = { metric: 'sessionsFileBytes', limit: 1, observed: 2, pass: false, reason: 'grew' };
  assert.equal(combineGateResults([{ ...failed, checks: [grew] }], 'now').exitCode, 1, 'growth measured under the load that arrived is a regression');
  const junit = gateToJUnit(result);
  assert.match(junit, /<testcase classname="soakgate\.ci\.command" name="load"><failure message="load failed: storm 1 \(http GET \/x\)[^"]*HTTP 401" type="loadFailed">/);
  assert.match(junit, /<testsuites name="soakgate gate" tests="1" failures="1"/);
  const markdown = gateToMarkdown(result);
  assert.match(markdown, /^## soakgate gate: FAIL \(load failed\)/);
  assert.match(markdown, /### ci on command: load failed\n\n\*\*load failed: storm 1 .* most common: HTTP 401\.\*\*/);
});

describe('scenario fields', () => {
  const base = { name: 'fields', target: { command: { argv: ['node', 's.js'], ready: '(http://\\S+)' } }, duration: '1m' };
  const issues = (fields: Record<string, unknown>) => {
    try {
      parseScenario({ ...base, ...fields }, '/work/fields.json');
    } catch (error) {
      if (error instanceof ScenarioError) return error.issues.map((i) => `${i.path}: ${i.message}`);
      throw error;
    }
    return [];
  };

  test('maxErrorShare defaults to 0.5 and must be a share from 0 to 1', () => {
    assert.equal(parseScenario(base, '/work/fields.json').maxErrorShare, 0.5);
    assert.deepEqual(issues({ maxErrorShare: 1.5 }), ['maxErrorShare: expected a share from 0 to 1, such as 0.5']);
  });
});
