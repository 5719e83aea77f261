// Mann-Kendall against hand-computed values, and the autocorrelation correction on series with a known answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { varianceInflation } from '../harness/analysis/autocorrelation.ts';
import { mannKendall, mannKendallS, mannKendallVariance } from '../harness/analysis/mannKendall.ts';
import { normalCdf, normalQuantile } from '../harness/analysis/normal.ts';
import { gaussian, seededRandom } from '../lib/seededRandom.ts';

test('S, Var S, z, p and tau on 1 3 2 5 4 match the hand computation', () => {
  // Concordant pairs 8, discordant 2 (3>2 and 5>4).
  const result = mannKendall([1, 3, 2, 5, 4]);
  assert.equal(result.s, 6);
  assert.ok(Math.abs(result.varS - 300 / 18) < 1e-12);
  assert.equal(result.correction, 1);
  // Continuity-corrected z = (6 - 1) / sqrt(16.667) = 1.2247; two-sided p = 0.2207 (R's mk.test agrees).
  assert.ok(Math.abs(result.z - 1.2247449) < 1e-6);
  assert.ok(Math.abs(result.p - 0.22067) < 1e-4, `p ${result.p}`);
  assert.equal(result.tau, 0.6);
});

test('ties reduce Var S by t(t-1)(2t+5)/18 per group and count zero in S', () => {
  // 1 2 2 3 3 3: S = 5 + 3 + 3 = 11; Var S = (6*5*17 - 2*1*9 - 3*2*11) / 18 = 426 / 18.
  assert.equal(mannKendallS([1, 2, 2, 3, 3, 3]), 11);
  assert.ok(Math.abs(mannKendallVariance([1, 2, 2, 3, 3, 3]) - 426 / 18) < 1e-12);
  const constant = mannKendall([4, 4, 4, 4, 4]);
  assert.deepEqual([constant.s, constant.varS, constant.z, constant.p], [0, 0, 0, 1]);
});

test('the normal CDF and quantile agree with tables and invert each other', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.005) + 2.575829) < 1e-6);
  assert.ok(Math.abs(normalCdf(1.644854) - 0.95) < 1e-6);
  for (const p of [0.001, 0.02, 0.3, 0.5, 0.9, 0.999]) assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) < 1e-6);
});

test('variance inflation: 1.5 for alternation, capped at n/2 for a ramp, as computed by hand', () => {
  // 0 1 0 1...: rho1 = -0.875, rho2 = 0.75, their sum is negative so nothing is added: 1 * (1 + sqrt(2/8)).
  assert.equal(varianceInflation([0, 1, 0, 1, 0, 1, 0, 1]), 1.5);
  // 1..12: rho1 = 0.75, rho2 = 0.507: (1 + 2 * 1.257) / (1 - 4/12) * (1 + sqrt(10/12)) = 10.08, capped at 6.
  assert.equal(varianceInflation(Array.from({ length: 12 }, (_, i) => i + 1)), 6);
  // A 32-sample wander: lag pair 1-2 sums to 0.6797, pair 3-4 is negative; (2.3595 / 0.875) * (1 + sqrt(10/32)).
  const wander = [3, 5, 4, 6, 5, 4, 2, 3, 1, 2, 4, 3, 5, 6, 5, 4, 3, 2, 3, 1, 2, 3, 4, 5, 4, 3, 2, 4, 3, 5, 4, 3];
  assert.ok(Math.abs(varianceInflation(wander) - 4.2039553) < 1e-6);
});

test('AR(1) noise is corrected by about (1 + phi) / (1 - phi), white noise hardly at all', () => {
  const random = seededRandom(42);
  const ar1 = (phi: number) => {
    let e = 0;
    return Array.from({ length: 400 }, () => (e = phi * e + gaussian(random)));
  };
  const white = mannKendall(ar1(0), { detrend: { x: Array.from({ length: 400 }, (_, i) => i), slope: 0 } });
  assert.ok(white.correction < 2, `white noise correction ${white.correction}`);
  const strong = mannKendall(ar1(0.8), { detrend: { x: Array.from({ length: 400 }, (_, i) => i), slope: 0 } });
  assert.ok(strong.correction > 6 && strong.correction < 30, `AR(0.8) correction ${strong.correction} (theory 9)`);
  assert.equal(strong.varSCorrected, strong.varS * strong.correction);
});
