// memlab on the real thing: a short sub-agent storm against the embedded gateway's naive store, heap snapshots
// taken by the runner through the probe, and the diagnosis names the per-session skills snapshot as what grew.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runScenario } from '../../harness/run/runScenario.ts';
import { parseScenario } from '../../harness/scenario/parseScenario.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-heap-naive-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function stormScenario(store: 'naive' | 'dedup') {
  return parseScenario(
    {
      name: `heap-${store}`,
      target: { gateway: { store, skills: 22, cronJobs: 0, pruneAfter: '2s' } },
      duration: '24s',
      warmup: '2s',
      sampleInterval: '1s',
      timeScale: 20,
      seed: 5,
      load: [{ kind: 'subagents', rate: 0.5 }],
    },
    join(dir, `${store}.json`),
  );
}

test('the naive store: the duplicated skills snapshot is the top grower, retained from the sessions map', async () => {
  const result = await runScenario(stormScenario('naive'), { out: join(dir, 'naive'), snapshots: 'always' });
  assert.equal(result.exitCode, 0);
  assert.equal(result.snapshots.length, 3, 'two checkpoints and one at the end');
  const heap = result.summary.heap;
  assert.ok(heap, 'summary.json has the heap diagnosis');
  assert.equal(heap.snapshots.length, 3);
  const top = heap.grew[0];
  assert.match(top.name, /resolvedSkills/, `top grower was ${top.name}; all: ${heap.grew.map((g) => g.name).join(' | ')}`);
  assert.ok(top.countLast > top.countFirst && top.retainedLast > top.retainedFirst);
  assert.ok(top.retainerPath.some((step) => /skillsSnapshot/.test(step)), top.retainerPath.join('\n'));
  assert.ok(heap.duplicates.share > 0.1, `duplicated share ${heap.duplicates.share}`);
  assert.ok(!readdirSync(dir).includes('memlab') && existsSync(join(dir, 'naive', 'memlab')), "memlab's files stay in the run folder");
});

test('the dedup store under auto snapshots: memory does not grow, so no snapshot is taken', async () => {
  const result = await runScenario(stormScenario('dedup'), { out: join(dir, 'dedup'), snapshots: 'auto' });
  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.snapshots, []);
  assert.equal(result.summary.heap, undefined);
});
