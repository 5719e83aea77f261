// How the settled readings of real runs scatter around their curve, for reading bench:detect's settled-floor table:
// the lag-one correlation between consecutive readings once a least-squares parabola is taken out (a curve, as a
// levelling rise is, not only a line), their spread, and the autocorrelation correction (n/n*) the trend test
// applied with only a line taken out. A large correction over nearly uncorrelated readings is the curve's doing.
// Also the lag-one correlation of the readings' first differences, which the late-rise search checks (-0.5 for
// uncorrelated noise whatever the trend; docs/ARCHITECTURE.md, "Verdicts").
// Run on run folders, for example bench:openclaw's: npm run bench:floorNoise -- RUN_DIR...
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Sample } from '../harness/contracts/sample.ts';
import { metricSeries } from '../harness/analysis/series.ts';
import { fitTrend } from '../harness/analysis/trend.ts';

const SETTLED = ['heapFloorBytes', 'workerHeapFloorBytes', 'rssSettledBytes'];
const MiB = 2 ** 20;

/** What is left of y after the least-squares parabola in x (x centred, so the normal equations stay well scaled). */
function parabolaResiduals(x: number[], y: number[]): number[] {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const rows = x.map((v) => [1, v - mean, (v - mean) ** 2]);
  const m = [0, 1, 2].map((i) => [...[0, 1, 2].map((j) => rows.reduce((s, r) => s + r[i] * r[j], 0)), rows.reduce((s, r, k) => s + r[i] * y[k], 0)]);
  for (let i = 0; i < 3; i++) {
    for (let k = i + 1; k < 3; k++) {
      const f = m[k][i] / m[i][i];
      for (let j = i; j < 4; j++) m[k][j] -= f * m[i][j];
    }
  }
  const c = [0, 0, 0];
  for (let i = 2; i >= 0; i--) c[i] = (m[i][3] - m[i].slice(i + 1, 3).reduce((s, v, j) => s + v * c[i + 1 + j], 0)) / m[i][i];
  return rows.map((r, k) => y[k] - c[0] - c[1] * r[1] - c[2] * r[2]);
}

function lagOneCorrelation(r: number[]): number {
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  let products = 0;
  let squares = 0;
  for (let i = 0; i < r.length; i++) {
    squares += (r[i] - mean) ** 2;
    if (i > 0) products += (r[i] - mean) * (r[i - 1] - mean);
  }
  return squares > 0 ? products / squares : 0;
}

console.log('| run | metric | readings | lag-one correlation around a parabola | their SD | n/n* of the trend test | lag-one of first differences |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const dir of process.argv.slice(2)) {
  const warmupS = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).scenario?.warmup ?? 0;
  const samples: Sample[] = readFileSync(join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  for (const metric of SETTLED) {
    const series = metricSeries(samples, metric, warmupS);
    if (series.values.length < 10) continue;
    const tMin = series.tS.map((t) => t / 60);
    const residuals = parabolaResiduals(tMin, series.values);
    const sd = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / (residuals.length - 3));
    const correction = fitTrend(tMin, series.values).correction;
    const differences = series.values.slice(1).map((v, i) => v - series.values[i]);
    console.log(`| ${basename(dir)} | ${metric} | ${series.values.length} | ${lagOneCorrelation(residuals).toFixed(2)} | ${(sd / MiB).toFixed(1)} MiB | ${correction.toFixed(1)} | ${lagOneCorrelation(differences).toFixed(2)} |`);
  }
}
