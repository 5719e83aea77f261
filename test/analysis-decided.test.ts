// --stop-when-decided: a run may end early only when every gated metric's verdict is clear over several looks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSamples } from '../harness/analysis/analyze.ts';
import { failuresHeld, isDecided } from '../harness/analysis/decided.ts';
import type { MetricSummary, Verdict } from '../harness/contracts/summary.ts';
import { MB, syntheticRun } from './fixtures/analysis-syntheticRun.ts';

const gated = ['rssBytes', 'sessionsFileBytes', 'heapFloorBytes'];

/** Analyses of one run as the runner would make them, one every `everyS` seconds. */
function looks(samples: ReturnType<typeof syntheticRun>, everyS: number) {
  const out = [];
  for (let until = everyS; until <= samples[samples.length - 1].t; until += everyS) {
    out.push(analyzeSamples(samples.filter((s) => s.t <= until), { warmupS: 5 }));
  }
  return out;
}

test('a leaking run is decided once its verdicts have held for three looks, not at the first', () => {
  const samples = syntheticRun(1, {
    durationS: 60, hz: 2, warmupS: 5,
    metrics: {
      rssBytes: { level: 80 * MB, perMin: 50 * MB, noiseSd: 1 * MB, phi: 0.7 },
      sessionsFileBytes: { level: 1 * MB, perMin: 20 * MB },
      heapFloorBytes: { level: 40 * MB, perMin: 30 * MB, noiseSd: 0.5 * MB },
    },
  });
  const history = looks(samples, 5);
  const firstDecided = history.findIndex((_, i) => isDecided(history.slice(0, i + 1), gated).decided);
  assert.ok(firstDecided >= 2, `decided at look ${firstDecided}`);
  assert.ok(firstDecided <= 6, `a 50 MB/min leak should be decided within 35 s, took ${firstDecided + 1} looks`);
  const decision = isDecided(history.slice(0, firstDecided + 1), gated);
  assert.deepEqual(decision.undecided, []);
  for (const metric of gated) assert.equal(history[firstDecided][metric].verdict, 'growing');
});

test('an inconclusive metric holds the run and says how long it may take; one not measured does not', () => {
  const samples = syntheticRun(2, {
    durationS: 20, hz: 2,
    metrics: { rssBytes: { level: 80 * MB, perMin: 3 * MB, noiseSd: 2 * MB, phi: 0.8 }, sessionsFileBytes: { level: 1 * MB } },
  });
  const history = looks(samples, 5);
  const decision = isDecided(history, gated);
  assert.equal(decision.decided, false);
  assert.deepEqual(decision.undecided, ['rssBytes']);
  assert.deepEqual(decision.missing, ['heapFloorBytes']);
  assert.ok(decision.moreMinutesNeeded >= 0.5);
});

test('a verdict that changed between looks is not decided yet', () => {
  const look = (verdict: Verdict): Record<string, MetricSummary> => ({
    rssBytes: { unit: 'bytes', slopePerMin: 0, ciLow: 0, ciHigh: 0, slopePer1kOps: null, trendP: 1, verdict, first: 0, last: 0, max: 0 },
  });
  const flat = look('flat');
  const growing = look('growing');
  const history = [flat, flat, growing];
  assert.deepEqual(isDecided(history, ['rssBytes']).undecided, ['rssBytes']);
  assert.equal(isDecided([...history, growing, growing], ['rssBytes']).decided, true);
  assert.equal(isDecided([], ['rssBytes']).decided, false);
});

test('the gate may stop once a check has failed clearly in each of the last three looks, and not before', () => {
  assert.deepEqual(failuresHeld([['heapFloorBytes'], ['heapFloorBytes', 'rssBytes']]), [], 'two looks are not enough');
  assert.deepEqual(failuresHeld([['heapFloorBytes'], ['heapFloorBytes', 'rssBytes'], ['rssBytes', 'heapFloorBytes']]), ['heapFloorBytes']);
  assert.deepEqual(failuresHeld([['heapFloorBytes'], [], ['heapFloorBytes'], ['heapFloorBytes']]), [], 'a gap in the last three resets it');
});
