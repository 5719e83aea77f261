// `soakgate run` applies the scenario's budgets once the run is over, as the gate does without a baseline: a tiny
// server keeping 64 KB per request (its RSS grows by megabytes a second) exits 1 against a small RSS budget, with
// the gate's check lines, and 0 against a budget it stays within.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Summary } from '../../harness/contracts/summary.ts';
import { soakgateCli } from '../fixtures/soakgateCli.ts';

const fixture = new URL('../fixtures/tinyServer.mjs', import.meta.url).pathname;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-budgets-test-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** A 5 s run of the leaking tiny server with one budget on RSS per minute. */
function leakyScenario(name: string, rssBudgetPerMin: number): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name,
    target: { command: { argv: [process.execPath, fixture], env: { TINY_RETAIN_BYTES: '65536' }, ready: 'listening on (http://\\S+)' } },
    duration: '5s',
    warmup: '1s',
    sampleInterval: '250ms',
    settleInterval: '0s',
    load: [{ kind: 'http', path: '/items/{{n}}', rate: 100 }],
    budgets: { rssBytes: { maxSlopePerMin: rssBudgetPerMin } },
  }));
  return file;
}

function summaryOf(out: string): Summary {
  return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
}

test('a budget clearly exceeded makes run exit 1, printing the gate\'s check line and keeping it in summary.json', async () => {
  const out = join(dir, 'over');
  const { code, stdout, stderr } = await soakgateCli(['run', leakyScenario('over', 5_000_000), '--out', out, '--snapshots', 'never', '--no-report']);
  assert.equal(code, 1, stdout + stderr);
  assert.equal(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).exitCode, 1, 'run.json records the exit code run gave');
  assert.match(stdout, /budgets: over budget: rssBytes \(exit 1\)/);
  assert.match(stdout, /\| rssBytes \| budget \| .* \| \*\*grew\*\* \| rssBytes grows .* clearly over its budget of 4\.8 MiB\/min\. \|/);
  const gate = summaryOf(out).gate;
  assert.equal(gate?.pass, false);
  assert.deepEqual(gate?.checks.map((c) => [c.metric, c.kind, c.pass]), [['rssBytes', 'budgetPerMin', false]]);
});

test('the same leak within a budget large enough exits 0 and says so', async () => {
  const out = join(dir, 'within');
  const { code, stdout, stderr } = await soakgateCli(['run', leakyScenario('within', 100 * 1024 ** 3), '--out', out, '--snapshots', 'never', '--no-report']);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /budgets: within budget/);
  assert.match(stdout, /\| rssBytes \| budget \| .* \| ok \|/);
  assert.equal(summaryOf(out).gate?.pass, true);
});
