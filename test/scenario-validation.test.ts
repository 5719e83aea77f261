// Scenario validation: what a bad scenario is refused for (with the field path and what was expected), the
// defaults a good one gets, durations, and the command line's overrides.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../harness/scenario/duration.ts';
import { applyOverrides } from '../harness/scenario/overrides.ts';
import { parseScenario } from '../harness/scenario/parseScenario.ts';
import { ScenarioError } from '../harness/scenario/scenarioError.ts';
import type { ScenarioInput } from '../harness/scenario/schema.ts';

const FILE = '/work/scenarios/example.ts';

function base(extra: Partial<Record<keyof ScenarioInput, unknown>> = {}): Record<string, unknown> {
  return { name: 'example', target: { gateway: { store: 'dedup' } }, duration: '60s', ...extra };
}

function refusal(value: unknown): ScenarioError {
  try {
    parseScenario(value, FILE);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${error}`);
    assert.ok(error.message.startsWith(FILE), `the message names the file: ${error.message}`);
    return error;
  }
  assert.fail('the scenario was accepted');
}

function issueAt(error: ScenarioError, path: string): string {
  const issue = error.issues.find((i) => i.path === path);
  assert.ok(issue, `expected an issue at ${path}; got ${JSON.stringify(error.issues)}`);
  return issue.message;
}

describe('parseDuration', () => {
  it('reads ms, s, m, h and plain seconds', () => {
    assert.equal(parseDuration('500ms'), 0.5);
    assert.equal(parseDuration('90s'), 90);
    assert.equal(parseDuration('10m'), 600);
    assert.equal(parseDuration('1h'), 3600);
    assert.equal(parseDuration('1.5m'), 90);
    assert.equal(parseDuration(42), 42);
    assert.equal(parseDuration('90'), 90);
  });
  it('refuses anything else, saying what a duration looks like', () => {
    assert.throws(() => parseDuration('10 minutes'), /such as 500ms, 90s, 10m or 1h/);
    assert.throws(() => parseDuration('-5s'), /such as/);
    assert.throws(() => parseDuration(-1), /0 seconds or more/);
  });
});

describe('parseScenario refuses', () => {
  it('an unknown storm kind, naming the known ones', () => {
    const message = issueAt(refusal(base({ load: [{ kind: 'spawn', rate: 1 }] })), 'load[0].kind');
    assert.match(message, /unknown storm kind "spawn"; expected one of subagents, cron, chat, http/);
  });
  it('a negative rate', () => {
    assert.match(issueAt(refusal(base({ load: [{ kind: 'chat', rate: -1 }] })), 'load[0].rate'), /0 or more/);
  });
  it('a duration shorter than its warmup', () => {
    assert.match(issueAt(refusal(base({ duration: '10s', warmup: '30s' })), 'duration'), /not longer than its warmup \(30s\)/);
  });
  it('a duration that is not one', () => {
    assert.match(issueAt(refusal(base({ duration: 'soon' })), 'duration'), /such as 500ms, 90s/);
    assert.match(issueAt(refusal(base({ duration: true })), 'duration'), /expected a duration/);
  });
  it('unknown fields, so a typo does not silently keep a default', () => {
    assert.match(issueAt(refusal(base({ warmpu: '10s' } as never)), ''), /warmpu/);
    assert.match(issueAt(refusal(base({ load: [{ kind: 'chat', rate: 1, rtae: 2 }] })), 'load[0]'), /rtae/);
  });
  it('a target that is neither or both of gateway and command', () => {
    assert.match(issueAt(refusal(base({ target: {} })), 'target'), /exactly one of/);
    const both = { gateway: { store: 'naive' }, command: { argv: ['x'], ready: '(http://\\S+)' } };
    assert.match(issueAt(refusal(base({ target: both })), 'target'), /exactly one of/);
  });
  it('a ready pattern without a group for the base URL', () => {
    const target = { command: { argv: ['node', 'server.js'], ready: 'listening on http://\\S+' } };
    assert.match(issueAt(refusal(base({ target })), 'target.command.ready'), /group capturing the base URL/);
  });
  it("a spawn tree beyond the gateway's own bounds", () => {
    const error = refusal(base({ load: [{ kind: 'subagents', rate: 1, fanout: 50, depth: 0 }] }));
    assert.match(issueAt(error, 'load[0].fanout'), /<=8/);
    assert.match(issueAt(error, 'load[0].depth'), />=1/);
  });
  it('more cron jobs than the gateway has', () => {
    const value = base({ target: { gateway: { store: 'naive', cronJobs: 4 } }, load: [{ kind: 'cron', jobs: 12, interval: '1m' }] });
    assert.match(issueAt(refusal(value), 'load[0].jobs'), /only cronJobs: 4/);
  });
  it('fixes on the naive store', () => {
    assert.match(issueAt(refusal(base({ target: { gateway: { store: 'naive', fixes: ['prune'] } } })), 'target.gateway.fixes'), /dedup store only/);
  });
  it('an event after the end, and a resume without a pause', () => {
    const error = refusal(base({ events: [{ at: '90s', type: 'snapshot' }, { at: '10s', type: 'resume' }] }));
    assert.match(issueAt(error, 'events[0].at'), /after the end of the run \(60s\)/);
    assert.match(issueAt(error, 'events[1].type'), /resume without an earlier pause/);
  });
  it('a budget on an unknown metric or an unwatched file', () => {
    const error = refusal(base({ budgets: { rss: { maxSlopePerMin: 1 }, 'file:db': { maxSlopePerMin: 1 } } }));
    assert.match(issueAt(error, 'budgets.rss'), /unknown metric; expected one of rssBytes/);
    assert.match(issueAt(error, 'budgets.file:db'), /no watched file labelled 'db'/);
  });
  it('a budget with no limit', () => {
    assert.match(issueAt(refusal(base({ budgets: { rssBytes: {} } })), 'budgets.rssBytes'), /maxSlopePerMin or maxSlopePer1kOps/);
  });
  it('a sample interval too long to fit a slope', () => {
    assert.match(issueAt(refusal(base({ sampleInterval: '30s' })), 'sampleInterval'), /fewer than 3 samples/);
  });
  it('every problem at once, one per line', () => {
    const error = refusal(base({ name: 'Bad Name', load: [{ kind: 'chat', rate: -1 }, { kind: 'cron', jobs: 0, interval: 0 }] }));
    assert.ok(error.issues.length >= 4, JSON.stringify(error.issues));
    assert.equal(error.message.split('\n').length, error.issues.length + 1);
  });
});

describe('parseScenario accepts', () => {
  it('a minimal gateway scenario, filling in the defaults', () => {
    const s = parseScenario(base(), FILE);
    assert.equal(s.duration, 60);
    assert.equal(s.warmup, 0);
    assert.equal(s.sampleInterval, 1);
    assert.equal(s.timeScale, 1);
    assert.equal(s.seed, 1);
    assert.deepEqual(s.load, []);
    assert.ok('gateway' in s.target);
    assert.deepEqual(s.target.gateway.fixes, ['prune', 'dedupe', 'orphans', 'lazy']);
    assert.equal(s.target.gateway.pruneAfter, 60);
    assert.equal(s.target.gateway.skills, 22);
    assert.equal(s.source, FILE);
  });
  it('gives the naive store no fixes and the gateway the scenario time scale', () => {
    const s = parseScenario(base({ target: { gateway: { store: 'naive' } }, timeScale: 10 }), FILE);
    assert.ok('gateway' in s.target);
    assert.deepEqual(s.target.gateway.fixes, []);
    assert.equal(s.target.gateway.timeScale, 10);
  });
  it('storm defaults', () => {
    const s = parseScenario(base({ load: [{ kind: 'subagents', rate: 2 }, { kind: 'chat', rate: 0.1 }, { kind: 'cron', jobs: 3, interval: '1m' }] }), FILE);
    assert.deepEqual(s.load, [
      { kind: 'subagents', rate: 2, fanout: 1, depth: 1 },
      { kind: 'chat', rate: 0.1, messagesPerSession: 5, channel: 'telegram' },
      { kind: 'cron', jobs: 3, interval: 60, thunderingHerd: false },
    ]);
  });
  it('a command target, with cwd relative to the file and watched files relative to cwd', () => {
    const target = { command: { argv: ['node', 'server.js'], cwd: '../app', ready: 'on (http://\\S+)', files: { db: 'data/db.json' } } };
    const s = parseScenario(base({ target, budgets: { 'file:db': { maxSlopePer1kOps: 10 } } }), FILE);
    assert.ok('command' in s.target);
    assert.equal(s.target.command.cwd, '/work/app');
    assert.deepEqual(s.target.command.files, { db: '/work/app/data/db.json' });
  });
  it('event times as a share of the run', () => {
    const s = parseScenario(base({ duration: '4m', events: [{ at: '50%', type: 'restart' }, { at: 30, type: 'snapshot' }] }), FILE);
    assert.deepEqual(s.events, [{ at: 120, type: 'restart', atFraction: 0.5 }, { at: 30, type: 'snapshot' }]);
  });
});

describe('applyOverrides', () => {
  const scenario = parseScenario(base({ duration: '4m', warmup: '30s', events: [{ at: '50%', type: 'restart' }] }), FILE);

  it('switches the store: naive drops the fixes, dedup takes the ones given', () => {
    const naive = applyOverrides(scenario, { store: 'naive' });
    assert.ok('gateway' in naive.target);
    assert.equal(naive.target.gateway.store, 'naive');
    assert.deepEqual(naive.target.gateway.fixes, []);
    const some = applyOverrides(naive, { store: 'dedup', fixes: 'prune,dedupe' });
    assert.ok('gateway' in some.target);
    assert.deepEqual(some.target.gateway.fixes, ['prune', 'dedupe']);
    const none = applyOverrides(scenario, { fixes: 'none' });
    assert.ok('gateway' in none.target);
    assert.deepEqual(none.target.gateway.fixes, []);
  });
  it('moves events given as a share with a new duration, and leaves the original alone', () => {
    const short = applyOverrides(scenario, { duration: '2m', seed: '7' });
    assert.equal(short.duration, 120);
    assert.equal(short.seed, 7);
    assert.deepEqual(short.events, [{ at: 60, type: 'restart', atFraction: 0.5 }]);
    assert.equal(scenario.duration, 240);
  });
  it('refuses a duration shorter than the warmup, an unknown store or fix, and a bad seed', () => {
    assert.throws(() => applyOverrides(scenario, { duration: '20s' }), /duration: 20s is not longer than its warmup/);
    assert.throws(() => applyOverrides(scenario, { store: 'fast' }), /--store: expected naive or dedup, got 'fast'/);
    assert.throws(() => applyOverrides(scenario, { fixes: 'prune,speed' }), /--fixes: unknown fix 'speed'/);
    assert.throws(() => applyOverrides(scenario, { store: 'naive', fixes: 'prune' }), /--fixes: applies to --store dedup only/);
    assert.throws(() => applyOverrides(scenario, { seed: '-1' }), /--seed: expected a whole number/);
    assert.throws(() => applyOverrides(scenario, { duration: 'forever' }), (error: unknown) => error instanceof ScenarioError);
  });
  it('refuses --store on a command target', () => {
    const command = parseScenario(base({ target: { command: { argv: ['x'], ready: '(http://\\S+)' } } }), FILE);
    assert.throws(() => applyOverrides(command, { store: 'naive' }), /gateway target only/);
  });
});
