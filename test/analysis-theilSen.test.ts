// Theil-Sen and Sen's interval against values worked out by hand on small series, and the quickselect they use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, orderStatistic, pairwiseSlopes, theilSen } from '../harness/analysis/theilSen.ts';
import { seededRandom } from '../lib/seededRandom.ts';

// x = 1..5, y = 1 3 2 5 4. The ten pairwise slopes, sorted: -1 -1 1/3 1/2 3/4 1 1 4/3 2 3.
const x = [1, 2, 3, 4, 5];
const y = [1, 3, 2, 5, 4];

test('the slope is the median of the pairwise slopes and the intercept the median of y - slope * x', () => {
  const fit = theilSen(x, y);
  assert.equal(fit.pairs, 10);
  assert.equal(fit.slope, (0.75 + 1) / 2);
  // y - 0.875 x = 0.125 1.25 -0.625 1.5 -0.375, median 0.125.
  assert.equal(fit.intercept, 0.125);
});

test("Sen's interval takes the slopes of rank round((N - C) / 2) and round((N + C) / 2 + 1)", () => {
  // Var S = 5 * 4 * 15 / 18 = 16.667. At 95%, C = 1.96 * 4.082 = 8.00: ranks 1 and 10, the extremes.
  assert.deepEqual([theilSen(x, y).ciLow, theilSen(x, y).ciHigh], [-1, 3]);
  // At 80%, C = 1.2816 * 4.082 = 5.23: ranks round(2.38) = 2 and round(8.62) = 9, that is -1 and 2.
  const fit80 = theilSen(x, y, { confidence: 0.8 });
  assert.deepEqual([fit80.ciLow, fit80.ciHigh], [-1, 2]);
  // A larger Var S (autocorrelation) can only widen it.
  const narrow = theilSen(x, y, { confidence: 0.5, varS: 1 });
  assert.deepEqual([narrow.ciLow, narrow.ciHigh], [0.75, 1]);
});

test('pairs with the same x are skipped, and uneven spacing is honoured', () => {
  // (0,0) (0,5) (2,4): slopes 2 and -0.5 (the pair at x = 0 has no slope).
  assert.deepEqual([...pairwiseSlopes([0, 0, 2], [0, 5, 4])].sort((a, b) => a - b), [-0.5, 2]);
  assert.equal(theilSen([0, 10, 30], [0, 10, 30]).slope, 1);
});

test('quickselect finds every order statistic, with ties, and the median of even and odd counts', () => {
  const random = seededRandom(3);
  for (const n of [1, 2, 7, 100, 1001]) {
    const values = Float64Array.from({ length: n }, () => Math.floor(random() * 20));
    const sorted = Float64Array.from(values).sort();
    for (const k of [0, n >> 1, n - 1]) assert.equal(orderStatistic(Float64Array.from(values), k), sorted[k]);
    const expected = n % 2 === 1 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    assert.equal(median(Float64Array.from(values)), expected);
  }
  assert.equal(median(new Float64Array(0)), 0);
});
