// The gate's outputs for CI: combined verdict and exit code, JUnit XML, Markdown, and scenario sharding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineGateResults, type GateScenarioResult } from '../harness/gate/gateResult.ts';
import { gateToJUnit } from '../harness/gate/junit.ts';
import { gateToMarkdown } from '../harness/gate/markdown.ts';
import { parseShard, pickShard } from '../harness/gate/shard.ts';

function scenario(name: string, grew: string[], crashed = false): GateScenarioResult {
  const metrics = ['rssBytes', 'heapFloorBytes', 'sessionsFileBytes'];
  return {
    scenario: name,
    target: 'gateway-naive',
    runDir: `runs/${name}`,
    pass: grew.length === 0,
    crashed,
    reran: false,
    durationS: 61.5,
    checks: metrics.map((metric) => ({
      metric,
      limit: 1000,
      observed: grew.includes(metric) ? 50_000 : 10,
      pass: !grew.includes(metric),
      reason: grew.includes(metric) ? `${metric} grew <fast> & "clearly"` : 'within baseline',
    })),
  };
}

test('a regression in any scenario fails the gate with exit 1, a crash with exit 3', () => {
  assert.equal(combineGateResults([scenario('a', []), scenario('b', [])], 'now').exitCode, 0);
  const regressed = combineGateResults([scenario('a', []), scenario('b', ['rssBytes'])], 'now');
  assert.equal(regressed.pass, false);
  assert.equal(regressed.exitCode, 1);
  assert.equal(combineGateResults([scenario('a', ['rssBytes']), scenario('b', [], true)], 'now').exitCode, 3);
  assert.equal(combineGateResults([], 'now').pass, false, 'a gate that ran nothing must not pass');
});

test('JUnit XML has one failing test case per grown metric, escaped', () => {
  const xml = gateToJUnit(combineGateResults([scenario('ci<gate>', ['rssBytes', 'sessionsFileBytes'])], 'now'));
  assert.match(xml, /<testsuites name="soakgate gate" tests="3" failures="2" errors="0">/);
  assert.equal((xml.match(/<failure /g) ?? []).length, 2);
  assert.match(xml, /name="ci&lt;gate&gt; \(gateway-naive\)"/);
  assert.match(xml, /rssBytes grew &lt;fast&gt; &amp; &quot;clearly&quot;/);
  assert.doesNotMatch(xml, /<fast>/);
});

test('JUnit XML reports a crashed target as an error', () => {
  const xml = gateToJUnit(combineGateResults([scenario('a', [], true)], 'now'));
  assert.match(xml, /errors="1"/);
  assert.match(xml, /<error message="target crashed"/);
});

test('Markdown summary names the metrics that grew', () => {
  const md = gateToMarkdown(combineGateResults([scenario('ci-gate', ['heapFloorBytes'])], 'now'));
  assert.match(md, /^## soakgate gate: FAIL \(regression\)/);
  assert.match(md, /\| heapFloorBytes \| baseline \| 48\.8 KiB\/min \| 1000 B\/min \| \*\*grew\*\* \|/);
  assert.match(md, /\| rssBytes \| baseline \| 10 B\/min \| 1000 B\/min \| ok \|/);
});

test('shards cover every scenario exactly once whatever the input order', () => {
  const names = ['e', 'a', 'd', 'c', 'b'];
  const shards = [1, 2, 3].map((i) => pickShard(names, parseShard(`${i}/3`), (n) => n));
  assert.deepEqual(shards.flat().sort(), [...names].sort());
  assert.deepEqual(pickShard([...names].reverse(), parseShard('1/3'), (n) => n), shards[0]);
});

test('a malformed shard is refused with the expected form', () => {
  for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) assert.throws(() => parseShard(bad), /i\/n/);
});
