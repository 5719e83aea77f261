// The acceptance test of the CI gate (issue 4): on the ci-gate scenario and the committed baseline, the naive store
// (the #55334 leak) fails with exit 1 naming what grew, memlab naming the duplicated skills snapshot and the path
// that retains it, and the dedup store (the fix) passes with no snapshot taken.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { GateResult } from '../../harness/gate/gateResult.ts';
import { parseSamples } from '../../harness/contracts/sample.ts';
import type { Summary } from '../../harness/contracts/summary.ts';

const root = new URL('../..', import.meta.url).pathname;
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

test('the naive store fails the ci-gate on RSS, the heap floor and sessions.json, and memlab names the skills snapshot', async () => {
  const out = join(dir, 'naive');
  // The gate's defaults, but for a time limit that leaves memlab time on a slow machine (the default is 60 s).
  const { code, output } = await gate(['--store', 'naive', '--time-limit', '3m', '--out', out]);
  assert.equal(code, 1, output);
  // A clear failure ends the run early by default, once every memory metric is decided.
  assert.match(output, /failed clearly in 3 looks in a row, and every memory metric is decided after \d+ s; ending the run early/);
  const result = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as GateResult;
  const grew = new Set(result.scenarios[0].checks.filter((c) => !c.pass).map((c) => c.metric));
  for (const metric of ['sessionsFileBytes', 'heapFloorBytes']) assert.ok(grew.has(metric), `${metric} should be named; got ${[...grew]}`);
  assert.ok(grew.has('rssBytes') || grew.has('rssSettledBytes'), `RSS should be named; got ${[...grew]}`);
  assert.match(output, /regression in .*sessionsFileBytes/);
  // The snapshots were taken after the measured window, in the diagnosis phase, and explain the growth.
  const runDir = join(out, result.scenarios[0].runDir);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Summary;
  assert.ok(summary.heap, 'a heap diagnosis');
  assert.match(summary.heap.grew[0].name, /skills|prompt/, JSON.stringify(summary.heap.grew[0]));
  const top = summary.heap.grew[0];
  assert.ok(top.retainerPath.some((step) => step.includes('skillsSnapshot')), top.retainerPath.join(' -> '));
  assert.ok(top.countLast > top.countFirst && top.retainedLast > top.retainedFirst, JSON.stringify(top));
  // Every session's copy of the same 22 skills: a third of the naive heap is duplicated (0.33 on 2026-11-30).
  assert.ok(summary.heap.duplicates.share > 0.1, `duplicated share ${summary.heap.duplicates.share}`);
  const { samples } = parseSamples(readFileSync(join(runDir, 'samples.jsonl'), 'utf8'));
  const snapshotTimes = samples.flatMap((s) => s.events ?? []).filter((e) => e.type === 'snapshot').map((e) => e.t);
  assert.equal(snapshotTimes.length, 2);
  for (const t of snapshotTimes) assert.ok(t >= summary.durationS, `snapshot at ${t} s, inside the ${summary.durationS} s measured`);
  assert.ok(samples.some((s) => s.phase === 'diagnosis'));
  assert.ok(existsSync(join(runDir, 'memlab')), "memlab's files stay in the run folder");
});

test('the dedup store passes the ci-gate, with no heap diagnosis', async () => {
  const out = join(dir, 'dedup');
  const { code, output } = await gate(['--out', out]);
  assert.equal(code, 0, output);
  const result = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as GateResult;
  assert.equal(result.pass, true);
  assert.equal(result.scenarios[0].target, 'gateway-dedup');
  assert.ok(result.scenarios[0].checks.length >= 5);
  const summary = JSON.parse(readFileSync(join(out, result.scenarios[0].runDir, 'summary.json'), 'utf8')) as Summary;
  assert.equal(summary.heap, undefined, 'nothing grew, so nothing was snapshotted');
  // A settled heap floor point at least every 10 s of steady load.
  assert.ok(summary.metrics.heapFloorBytes.samples! >= summary.durationS / 10, `${summary.metrics.heapFloorBytes.samples} floor points`);
});
