// The scenario's `state` field: what a bad state reading is refused for (the field path and what was expected),
// where an SQLite file's relative path leads, and budgets on `state:<name>`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScenario } from '../harness/scenario/parseScenario.ts';
import { ScenarioError } from '../harness/scenario/scenarioError.ts';

const FILE = '/work/scenarios/example.json';
const COMMAND = { argv: ['node', 'server.js'], cwd: 'server', ready: 'listening on (http://\\S+)' };

function scenario(state: unknown, extra: Record<string, unknown> = {}): unknown {
  return { name: 'example', target: { command: COMMAND }, duration: '60s', state, ...extra };
}

function issues(value: unknown): Record<string, string> {
  try {
    parseScenario(value, FILE);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${error}`);
    return Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
  }
  assert.fail('the scenario was accepted');
}

describe('state readings', () => {
  it('resolve an SQLite file against the command target\'s cwd, and against the scenario\'s folder for the gateway', () => {
    const command = parseScenario(scenario({ rows: { sqlite: { file: 'state/app.sqlite', query: 'SELECT count(*) FROM t' } } }), FILE);
    assert.deepEqual(command.state.rows, { sqlite: { file: '/work/scenarios/server/state/app.sqlite', query: 'SELECT count(*) FROM t' } });
    const gateway = parseScenario({ ...(scenario({ rows: { sqlite: { file: 'app.sqlite', query: 'select 1' } } }) as object), target: { gateway: { store: 'dedup' } } }, FILE);
    assert.equal('sqlite' in gateway.state.rows && gateway.state.rows.sqlite.file, '/work/scenarios/app.sqlite');
  });

  it('take a Prometheus path or URL, a metric and labels (none by default)', () => {
    const parsed = parseScenario(scenario({
      sessions: { prometheus: { url: '/metrics', metric: 'sessions_active' } },
      requests: { prometheus: { url: 'http://127.0.0.1:9464/metrics', metric: 'http_requests_total', labels: { code: '200' } } },
    }), FILE);
    assert.deepEqual(parsed.state.sessions, { prometheus: { url: '/metrics', metric: 'sessions_active', labels: {} } });
    assert.deepEqual(parsed.state.requests, { prometheus: { url: 'http://127.0.0.1:9464/metrics', metric: 'http_requests_total', labels: { code: '200' } } });
  });

  it('default to none', () => {
    assert.deepEqual(parseScenario(scenario(undefined), FILE).state, {});
  });

  it('are refused with neither or both sources, naming the two', () => {
    const found = issues(scenario({ a: {}, b: { sqlite: { file: 'x', query: 'select 1' }, prometheus: { url: '/m', metric: 'm' } } }));
    assert.match(found['state.a'], /exactly one of \{ sqlite: \{ file, query \} \} or \{ prometheus: \{ url, metric, labels\? \} \}/);
    assert.match(found['state.b'], /exactly one of/);
  });

  it('are refused for a query that is not a SELECT, or no query', () => {
    const found = issues(scenario({ wipe: { sqlite: { file: 'x.sqlite', query: 'DELETE FROM t' } }, none: { sqlite: { file: 'x.sqlite' } } }));
    assert.match(found['state.wipe.sqlite.query'], /expected a SELECT query .* such as "SELECT count\(\*\) FROM sessions"/);
    assert.match(found['state.none.sqlite.query'], /expected a query such as/);
  });

  it('are refused for a bad URL, metric name, label name or field', () => {
    const found = issues(scenario({
      url: { prometheus: { url: 'metrics', metric: 'm' } },
      metric: { prometheus: { url: '/metrics', metric: 'sessions-active' } },
      label: { prometheus: { url: '/metrics', metric: 'm', labels: { 'bad-label': 'x' } } },
      extra: { sqlite: { file: 'x.sqlite', query: 'select 1', timeout: 5 } },
    }));
    assert.match(found['state.url.prometheus.url'], /a path such as "\/metrics", or a full http:\/\/ URL/);
    assert.match(found['state.metric.prometheus.metric'], /a metric name such as "http_requests_total"/);
    assert.match(found['state.label.prometheus.labels.bad-label'], /label name of letters, digits and "_"/);
    assert.match(found['state.extra.sqlite'], /timeout/);
  });

  it('are refused for a name that cannot be part of a metric name', () => {
    const found = issues(scenario({ 'rows/min': { prometheus: { url: '/metrics', metric: 'm' } } }));
    assert.match(found['state.rows/min'], /letters, digits, "\.", "_" or "-" \(it names the metric state:<name>\)/);
  });

  it('may be budgeted as state:<name>; a budget on a reading that does not exist is refused', () => {
    const state = { rows: { sqlite: { file: 'x.sqlite', query: 'select count(*) from t' } } };
    assert.ok(parseScenario(scenario(state, { budgets: { 'state:rows': { maxSlopePerMin: 10 } } }), FILE));
    const found = issues(scenario(state, { budgets: { 'state:row': { maxSlopePerMin: 10 } } }));
    assert.match(found['budgets.state:row'], /no state reading named 'row' in state/);
  });

  it('and treeRssBytes may be budgeted like any well-known metric', () => {
    assert.ok(parseScenario(scenario(undefined, { budgets: { treeRssBytes: { maxSlopePerMin: 1e6 } } }), FILE));
  });
});
