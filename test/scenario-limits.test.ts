// The limits a real gateway outgrows are scenario fields: ready timeout and stop grace on either kind of target,
// the URL, port and health check of a command target, and each storm's request timeout and in-flight cap. Their
// defaults are today's fixed values, and a bad value is refused naming its field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScenario } from '../harness/scenario/parseScenario.ts';
import { ScenarioError } from '../harness/scenario/scenarioError.ts';

const FILE = '/work/scenarios/limits.json';
const command = { argv: ['node', 'server.js'], ready: 'listening on (http://\\S+)' };

function scenario(target: Record<string, unknown>, load: unknown[] = []): Record<string, unknown> {
  return { name: 'limits', target, duration: '1m', load };
}

function issueAt(value: unknown, path: string): string {
  try {
    parseScenario(value, FILE);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${error}`);
    const issue = error.issues.find((i) => i.path === path);
    assert.ok(issue, `expected an issue at ${path}; got ${JSON.stringify(error.issues)}`);
    assert.ok(error.message.includes(`${path}: ${issue.message}`), 'the message names the field');
    return issue.message;
  }
  assert.fail('the scenario was accepted');
}

describe('target limits', () => {
  it("default to today's values: 30 s to get ready, 5 s of grace, health asked every 0.5 s", () => {
    const s = parseScenario(scenario({ command }), FILE);
    assert.ok('command' in s.target);
    assert.equal(s.target.command.readyTimeout, 30);
    assert.equal(s.target.command.stopGrace, 5);
    assert.equal(s.target.command.healthInterval, 0.5);
    const g = parseScenario(scenario({ gateway: { store: 'dedup' } }), FILE);
    assert.ok('gateway' in g.target);
    assert.equal(g.target.gateway.readyTimeout, 30);
    assert.equal(g.target.gateway.stopGrace, 5);
  });
  it('take durations or seconds', () => {
    const s = parseScenario(scenario({ command: { ...command, readyTimeout: '2m', stopGrace: 45, healthInterval: '250ms' } }), FILE);
    assert.ok('command' in s.target);
    assert.deepEqual([s.target.command.readyTimeout, s.target.command.stopGrace, s.target.command.healthInterval], [120, 45, 0.25]);
  });
  it('refuse what is not a duration, or a zero ready timeout, naming the field', () => {
    assert.match(issueAt(scenario({ command: { ...command, readyTimeout: 'soon' } }), 'target.command.readyTimeout'), /such as 500ms, 90s/);
    assert.match(issueAt(scenario({ command: { ...command, readyTimeout: 0 } }), 'target.command.readyTimeout'), /longer than 0/);
    assert.match(issueAt(scenario({ command: { ...command, stopGrace: -1 } }), 'target.command.stopGrace'), /0 seconds or more/);
    assert.match(issueAt(scenario({ gateway: { store: 'naive', readyTimeout: '1 minute' } }), 'target.gateway.readyTimeout'), /such as 500ms/);
  });
});

describe("a command target's URL and health check", () => {
  it('port stands for http://127.0.0.1:<port>; a health check stands in for a ready line', () => {
    const s = parseScenario(scenario({ command: { argv: ['node', 'server.js'], port: 18789, health: '/healthz' } }), FILE);
    assert.ok('command' in s.target);
    assert.equal(s.target.command.url, 'http://127.0.0.1:18789');
    assert.equal(s.target.command.ready, undefined);
  });
  it('a ready pattern with no group is enough when url gives the address', () => {
    const s = parseScenario(scenario({ command: { argv: ['node', 'server.js'], ready: 'http server listening', url: 'http://127.0.0.1:8080' } }), FILE);
    assert.ok('command' in s.target);
    assert.equal(s.target.command.url, 'http://127.0.0.1:8080');
  });
  it('refuses a bad url, port or health, naming the field', () => {
    assert.match(issueAt(scenario({ command: { ...command, url: 'localhost:8080' } }), 'target.command.url'), /http:\/\/ or https:\/\/ URL/);
    assert.match(issueAt(scenario({ command: { ...command, port: 70000 } }), 'target.command.port'), /port from 1 to 65535/);
    assert.match(issueAt(scenario({ command: { ...command, url: 'http://127.0.0.1:1', port: 2 } }), 'target.command.port'), /url or port, not both/);
    assert.match(issueAt(scenario({ command: { ...command, health: 'healthz' } }), 'target.command.health'), /a path such as "\/healthz"/);
    assert.match(issueAt(scenario({ command: { argv: ['node'], health: '/healthz' } }), 'target.command.health'), /add "url".*or "port"/);
    assert.match(issueAt(scenario({ command: { ...command, ready: '(unclosed' } }), 'target.command.ready'), /expected a regular expression/);
  });
});

describe('storm limits', () => {
  it('are left to the storm when not given (30 s, 64 in flight)', () => {
    const s = parseScenario(scenario({ command }, [{ kind: 'http', path: '/x', rate: 1 }]), FILE);
    assert.equal(s.load[0].requestTimeout, undefined);
    assert.equal(s.load[0].maxInFlight, undefined);
  });
  it('are read on every kind of storm', () => {
    const limits = { requestTimeout: '2m', maxInFlight: 500 };
    const s = parseScenario(
      scenario({ gateway: { store: 'dedup', cronJobs: 2 } }, [
        { kind: 'subagents', rate: 1, ...limits },
        { kind: 'cron', jobs: 2, interval: '10s', ...limits },
        { kind: 'chat', rate: 1, ...limits },
        { kind: 'http', path: '/x', rate: 1, ...limits },
      ]),
      FILE,
    );
    for (const storm of s.load) assert.deepEqual([storm.requestTimeout, storm.maxInFlight], [120, 500], storm.kind);
  });
  it('refuse a request timeout under 1 s or an in-flight cap under 1, naming the field', () => {
    assert.match(issueAt(scenario({ command }, [{ kind: 'http', path: '/x', rate: 1, requestTimeout: '500ms' }]), 'load[0].requestTimeout'), /1s or more/);
    assert.match(issueAt(scenario({ command }, [{ kind: 'http', path: '/x', rate: 1, maxInFlight: 0 }]), 'load[0].maxInFlight'), /at least 1/);
    assert.match(issueAt(scenario({ command }, [{ kind: 'chat', rate: 1, maxInFlight: 2.5 }]), 'load[0].maxInFlight'), /int/);
  });
});
