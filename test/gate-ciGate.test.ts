// The acceptance test of the CI gate (issue 4): on the ci-gate scenario and the committed baseline, the naive store
// (the #55334 leak) fails with exit 1 naming what grew, and the dedup store (the fix) passes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { GateResult } from '../harness/gate/gateResult.ts';

const root = new URL('..', import.meta.url).pathname;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-cigate-test-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

function gate(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/soakgate.js'), 'gate', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('the naive store fails the ci-gate with exit 1 and names the metrics that grew', async () => {
  const out = join(dir, 'naive');
  const { code, output } = await gate(['--store', 'naive', '--stop-when-decided', '--out', out]);
  assert.equal(code, 1, output);
  const result = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as GateResult;
  const grew = new Set(result.scenarios[0].checks.filter((c) => !c.pass).map((c) => c.metric));
  for (const metric of ['sessionsFileBytes', 'heapFloorBytes', 'sessionCount']) assert.ok(grew.has(metric), `${metric} should be named; got ${[...grew]}`);
  assert.match(output, /regression in .*sessionsFileBytes/);
});

test('the dedup store passes the ci-gate', async () => {
  const out = join(dir, 'dedup');
  const { code, output } = await gate(['--out', out]);
  assert.equal(code, 0, output);
  const result = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as GateResult;
  assert.equal(result.pass, true);
  assert.equal(result.scenarios[0].target, 'gateway-dedup');
  assert.ok(result.scenarios[0].checks.length >= 5);
});
