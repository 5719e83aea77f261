// `soakgate merge` joins only a complete set of shards: every `gate --shard i/n` job's gate.json, once. A shard the
// split gave no scenario is a complete part (its gate.json says so); a missing one is named with what it was to run;
// shards that ran nothing at all give no verdict. The gate.json files are written here as gate writes them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { GateResult, GateScenarioResult } from '../harness/gate/gateResult.ts';
import { soakgateCli } from './fixtures/soakgateCli.ts';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-merge-test-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const passed = (scenario: string): GateScenarioResult => ({
  scenario, target: 'command', runDir: scenario, pass: true, crashed: false, reran: false, durationS: 10, checks: [],
});

/** A shard's gate folder, as `gate --shard` leaves it for a list of scenario files. */
function shardFolder(name: string, shard: string, scenarioFiles: string[], scenarios: GateScenarioResult[]): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const result: GateResult = { pass: true, exitCode: 0, shard, scenarioFiles, createdAt: 'now', scenarios };
  writeFileSync(join(folder, 'gate.json'), JSON.stringify(result));
  return folder;
}

test('a shard missing from the set is refused with exit 2, naming its number and what it was to run', async () => {
  const files = ['a.json', 'b.json', 'c.json'];
  const one = shardFolder('three-1', '1/3', files, [passed('a')]);
  const three = shardFolder('three-3', '3/3', files, [passed('c')]);
  const { code, stderr } = await soakgateCli(['merge', one, three, '--out', join(dir, 'merged-missing')]);
  assert.equal(code, 2);
  assert.match(stderr, /incomplete shard set: missing shard 2 \(to run b\.json\) of 3/);
});

test('a shard the split left with no scenario completes the set: one scenario over two shards merges to its verdict', async () => {
  const files = ['scenarios/ci-gate.ts'];
  const one = shardFolder('ci-1', '1/2', files, [passed('ci-gate')]);
  const two = shardFolder('ci-2', '2/2', files, []);
  const out = join(dir, 'merged-ci');
  const merged = await soakgateCli(['merge', one, two, '--out', out]);
  assert.equal(merged.code, 0, merged.stderr);
  const result = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as GateResult;
  assert.deepEqual(result.scenarios.map((s) => s.scenario), ['ci-gate']);
  const alone = await soakgateCli(['merge', one, '--out', join(dir, 'merged-alone')]);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /missing shard 2 \(with no scenario, but its gate\.json is what says so\) of 2/);
});

test('shards that all ran no scenario give no verdict: exit 2, saying so', async () => {
  const one = shardFolder('empty-1', '1/2', [], []);
  const two = shardFolder('empty-2', '2/2', [], []);
  const { code, stderr } = await soakgateCli(['merge', one, two, '--out', join(dir, 'merged-empty')]);
  assert.equal(code, 2);
  assert.match(stderr, /no scenario ran in any of the 2 gate folders/);
});
