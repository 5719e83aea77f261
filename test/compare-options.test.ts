// `soakgate compare` takes run's options (the shared definitions in harness/commands/scenarioOptions.ts): --store as
// the list of stores, --fixes for the dedup runs, --duration, --seed, --settle-interval, --snapshots, --out; and
// every run folder it writes, not only the compare folder, has its report.html.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunMeta } from '../harness/run/runFolder.ts';
import type { Summary } from '../harness/contracts/summary.ts';
import { soakgateCli } from './fixtures/soakgateCli.ts';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-compare-test-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('compare runs each --store with --fixes, --duration, --seed and --settle-interval, each run with its report.html', async () => {
  const scenario = join(dir, 'tiny-gateway.json');
  writeFileSync(scenario, JSON.stringify({
    name: 'tiny-gateway',
    target: { gateway: { store: 'dedup', skills: 2, cronJobs: 0, pruneAfter: '60s' } },
    duration: '20s',
    warmup: '500ms',
    sampleInterval: '250ms',
    seed: 1,
    load: [{ kind: 'subagents', rate: 4, fanout: 1, depth: 1 }],
  }));
  const out = join(dir, 'cmp');
  const args = ['compare', scenario, '--store', 'naive,dedup', '--fixes', 'prune', '--duration', '3s', '--seed', '7', '--settle-interval', '0', '--snapshots', 'never', '--out', out];
  const { code, stdout, stderr } = await soakgateCli(args);
  assert.equal(code, 0, stdout + stderr);
  for (const [label, target] of [['gateway-naive', 'gateway:naive'], ['gateway-dedup-prune', 'gateway:dedup[prune]']]) {
    const runDir = join(out, label);
    const meta = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunMeta & { options: { scenario: { duration: number; settleInterval: number } } };
    assert.equal(meta.target, target);
    assert.equal(meta.seed, 7);
    assert.deepEqual([meta.options.scenario.duration, meta.options.scenario.settleInterval], [3, 0]);
    assert.ok((JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Summary).durationS < 5, 'the run lasted --duration');
    assert.ok(existsSync(join(runDir, 'report.html')), `${label} has its report.html`);
    assert.equal((meta.options as { snapshots?: unknown }).snapshots, 'never', 'run.json records --snapshots');
    assert.deepEqual(readdirSync(runDir).filter((f) => f.endsWith('.heapsnapshot')), [], `${label}: --snapshots never took none`);
  }
  assert.ok(existsSync(join(out, 'report.html')), 'and the compare folder its own');
  const old = await soakgateCli(['compare', scenario, '--stores', 'naive,dedup']);
  assert.equal(old.code, 2, 'a flag compare does not take is a usage error');
});
