// When the diagnosis phase takes heap snapshots, how many, and how far apart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../harness/contracts/exitCodes.ts';
import { parseSnapshotMode, planDiagnosis } from '../harness/heap/snapshotPlan.ts';

test('auto takes two snapshots only with a reason; always three; N that many; never none', () => {
  assert.equal(planDiagnosis('auto', [], 38), null);
  assert.equal(planDiagnosis('auto', ['heapFloorBytes growing'], 38)?.count, 2);
  assert.equal(planDiagnosis('always', [], 38)?.count, 3);
  assert.equal(planDiagnosis(5, [], 38)?.count, 5);
  assert.equal(planDiagnosis('never', ['heapFloorBytes growing'], 38), null);
});

test('snapshots are a tenth of the measured window apart, from 3 s to a minute', () => {
  const spacing = (measuredS: number) => planDiagnosis('always', [], measuredS)!.spacingS;
  // ci-gate's 38 s window: under 4 s, so a naive gate run's diagnosis fits beside its minute.
  assert.equal(spacing(38), 3.8);
  assert.equal(spacing(10), 3);
  assert.equal(spacing(570), 57);
  assert.equal(spacing(3600), 60);
});

test('--snapshots takes auto, always, never or 2 to 10, and says so otherwise', () => {
  assert.equal(parseSnapshotMode('auto'), 'auto');
  assert.equal(parseSnapshotMode('4'), 4);
  for (const bad of ['1', '11', '2.5', 'sometimes']) assert.throws(() => parseSnapshotMode(bad), UsageError);
});
