import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnoseHeap, HeapDiagnosisError, type HeapDiagnosis } from '../harness/heap/diagnose.ts';
import { DiagnosisCutShort, SnapshotReader } from '../harness/heap/diagnosisProcess.ts';
import { writeGrowthSnapshots } from './fixtures/heap-growthDriver.ts';

// 450 sessions at the last snapshot (~25 MB heap): under the 1,000 objects memlab's own analysis needs, as in
// a naive gateway's one-minute CI run, so this also proves the lower floor of harness/heap/shapeGrowth.ts.
const STEPS = 3;
const SESSIONS_PER_STEP = 150;

const root = mkdtempSync(join(tmpdir(), 'soakgate-heap-'));
// memlab would make <system temp>/memlab on import; this test's system temp folder shows whether it did.
const systemTmp = join(root, 'system-tmp');
const originalTmpDir = process.env.TMPDIR;

interface Diagnosed {
  runDir: string;
  diagnosis: HeapDiagnosis;
  /** The same snapshots read by the reader process a run uses, told of each one as it was written. */
  readAsWritten: HeapDiagnosis;
  /** What that reading told every 250 ms while memlab read, and how many times it told after its answer. */
  told: number[];
  toldAfter: number;
  /** What a reader given a deadline 50 ms away answered: memlab cannot even load by then. */
  pastDeadline: unknown;
}

async function diagnoseFixture(mode: 'copied' | 'shared'): Promise<Diagnosed> {
  const runDir = join(root, mode);
  const run = await writeGrowthSnapshots(mode, runDir, STEPS, SESSIONS_PER_STEP);
  assert.deepEqual(run.sessionCounts, [150, 300, 450]);
  const diagnosis = await diagnoseHeap(run.snapshotPaths, { workDir: runDir });
  const reader = new SnapshotReader(runDir);
  for (const path of run.snapshotPaths) reader.add(path);
  const told: number[] = [];
  const readAsWritten = await reader.read(run.snapshotPaths, { workDir: runDir }, undefined, undefined, { everyMs: 250, tell: (seconds) => told.push(seconds) });
  const toldBy = told.length;
  await new Promise((resolve) => setTimeout(resolve, 600));
  const pastDeadline = await new SnapshotReader(runDir).read(run.snapshotPaths, { workDir: runDir }, undefined, Date.now() + 50).catch((err: unknown) => err);
  for (const path of run.snapshotPaths) rmSync(path);
  return { runDir, diagnosis, readAsWritten, told, toldAfter: told.length - toldBy, pastDeadline };
}

describe('heap diagnosis with memlab', () => {
  let copied: Diagnosed;
  let shared: Diagnosed;

  before(async () => {
    rmSync(systemTmp, { recursive: true, force: true });
    process.env.TMPDIR = systemTmp;
    copied = await diagnoseFixture('copied');
    shared = await diagnoseFixture('shared');
  });

  after(() => {
    if (originalTmpDir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = originalTmpDir;
    rmSync(root, { recursive: true, force: true });
  });

  it('names the per-session skills snapshot copy as the top grower', () => {
    const top = copied.diagnosis.grew[0];
    assert.ok(top, 'something grew');
    assert.match(top.name, /prompt/);
    assert.match(top.name, /resolvedSkills/);
    assert.ok(top.countLast - top.countFirst >= 2 * SESSIONS_PER_STEP, `count grew ${top.countFirst} -> ${top.countLast}`);
    // every session added ~40 KB of its own snapshot
    assert.ok(top.retainedLast - top.retainedFirst > 2 * SESSIONS_PER_STEP * 30_000);
  });

  it('gives a retainer path from a GC root through the sessions Map to the snapshot', () => {
    const path = copied.diagnosis.grew[0].retainerPath;
    assert.match(path[0], /synthetic/, 'starts at a GC root');
    const mapStep = path.findIndex((step) => /\[Map\]/.test(step));
    assert.ok(mapStep > 0, `path goes through the Map: ${path.join(' ')}`);
    assert.match(path[mapStep], /--sessions /);
    assert.match(path[path.length - 1], /--skillsSnapshot \(property\)--->/);
  });

  it('lists the session entries that hold the snapshots after the snapshots themselves', () => {
    const names = copied.diagnosis.grew.map((g) => g.name);
    const entry = names.findIndex((name) => /sessionId/.test(name) && /skillsSnapshot/.test(name));
    assert.ok(entry > 0, `session entries listed below the snapshot: ${names.join(' | ')}`);
  });

  it('reports most of the copied heap as duplicated, led by the skills snapshot copies', () => {
    const { duplicates } = copied.diagnosis;
    assert.ok(duplicates.share > 0.6, `share ${duplicates.share}`);
    assert.ok(duplicates.strings.share > 0.6, `string share ${duplicates.strings.share}`);
    assert.match(duplicates.top[0].shape, /resolvedSkills/);
    assert.ok(duplicates.top[0].copies >= STEPS * SESSIONS_PER_STEP);
  });

  it('reports a low duplicate share and no growing snapshot when all sessions share one', () => {
    const { duplicates, grew } = shared.diagnosis;
    assert.ok(duplicates.share < 0.3, `share ${duplicates.share}`);
    assert.ok(duplicates.share < copied.diagnosis.duplicates.share / 3);
    assert.ok(!grew.some((g) => /resolvedSkills|prompt/.test(g.name)), grew.map((g) => g.name).join(' | '));
    assert.match(grew[0].name, /sessionId/, 'the session entries themselves still grow');
  });

  it('reads the snapshots in its own process, each as it is written, to the same findings', () => {
    for (const { diagnosis, readAsWritten } of [copied, shared]) {
      assert.ok(readAsWritten.grew.length > 0);
      assert.deepEqual(readAsWritten.grew, diagnosis.grew);
      assert.deepEqual(readAsWritten.duplicates, diagnosis.duplicates);
    }
  });

  it('tells how long the reading has taken while memlab reads, and stops telling once it answers', () => {
    for (const { told, toldAfter } of [copied, shared]) {
      // memlab alone takes seconds to load: at 250 ms a reading is told of several times.
      assert.ok(told.length >= 2, `told ${told.length} times`);
      assert.deepEqual(told, [...told].sort((a, b) => a - b));
      assert.equal(toldAfter, 0);
    }
  });

  it('stops a reading still going at its deadline (the gate\'s time limit) with an error of its own', () => {
    for (const { pastDeadline } of [copied, shared]) {
      assert.ok(pastDeadline instanceof DiagnosisCutShort, String(pastDeadline));
      assert.match(pastDeadline.message, /still reading the snapshots at the time limit/);
    }
  });

  it("keeps memlab's working folder in the run folder, not the system temp folder", () => {
    assert.ok(existsSync(join(copied.runDir, 'memlab')));
    assert.ok(existsSync(join(shared.runDir, 'memlab')));
    assert.ok(!existsSync(join(systemTmp, 'memlab')));
  });

  it('refuses fewer than two snapshots or a missing file with a clear error', async () => {
    await assert.rejects(diagnoseHeap([join(root, 'one.heapsnapshot')], { workDir: root }), HeapDiagnosisError);
    await assert.rejects(
      diagnoseHeap([join(root, 'a.heapsnapshot'), join(root, 'b.heapsnapshot')], { workDir: root }),
      /heap snapshot not found: .*a\.heapsnapshot/,
    );
  });
});
