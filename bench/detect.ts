// How far the analysis can be trusted, on synthetic series whose answer is known (seeded, so anyone gets the same
// table): how often a flat target is called growing (null series with a GC sawtooth and autocorrelated noise, at
// ci-gate's and production-mix's sampling), and how long a 50 MB/min and a 5 MB/min leak take to be called
// growing above the floor that matters, looking every 5 s as `gate --stop-when-decided` does; and the shape of a
// settled heap floor (25 forced collections 20 s apart, the OpenClaw example's window): null, growing, levelling off,
// starting late.
// Run: node --import tsx bench/detect.ts [--null 2500] [--leaks 200] [--seed 1]
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { summarizeMetric } from '../harness/analysis/analyze.ts';
import { gaussian, seededRandom } from '../lib/seededRandom.ts';
import type { MetricSeries } from '../harness/analysis/series.ts';

const { values } = parseArgs({ options: { null: { type: 'string', default: '2500' }, leaks: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' } } });
const nullCount = Number(values.null);
const leakCount = Number(values.leaks);
const random = seededRandom(Number(values.seed));
const MB = 1024 * 1024;

interface Noise {
  sd: number;
  phi: number;
  sawPeriodS: number;
  sawAmplitude: number;
}

/** RSS-like noise drawn per series: AR(1) wander (lag-one correlation up to 0.9) plus a GC sawtooth. */
function drawNoise(): Noise {
  return {
    sd: (0.5 + 3.5 * random()) * MB,
    phi: [0, 0.5, 0.8, 0.9][Math.floor(random() * 4)],
    sawPeriodS: 1 + 29 * random(),
    sawAmplitude: 10 * random() * MB,
  };
}

/** `durationS` at `hz` of a metric growing `perMin` under the noise. */
function series(durationS: number, hz: number, perMin: number, noise: Noise): MetricSeries {
  const out: MetricSeries = { tS: [], values: [], ops: [], segment: [] };
  let wander = gaussian(random) * noise.sd;
  const phase = random();
  for (let i = 0; i <= durationS * hz; i++) {
    const t = i / hz;
    wander = noise.phi * wander + Math.sqrt(1 - noise.phi ** 2) * noise.sd * gaussian(random);
    const saw = noise.sawAmplitude * ((t / noise.sawPeriodS + phase) % 1);
    out.tS.push(t);
    out.values.push(100 * MB + (perMin * t) / 60 + wander + saw);
    out.ops.push(i);
    out.segment.push(0);
  }
  return out;
}

function prefix(s: MetricSeries, untilS: number): MetricSeries {
  const n = s.tS.findIndex((t) => t > untilS);
  const end = n < 0 ? s.tS.length : n;
  return { tS: s.tS.slice(0, end), values: s.values.slice(0, end), ops: s.ops.slice(0, end), segment: s.segment.slice(0, end) };
}

const grows = (s: MetricSeries) => {
  const m = summarizeMetric('rssBytes', s, { warmupS: 0 });
  return { growing: m.verdict === 'growing', matters: m.verdict === 'growing' && m.slopePerMin > (m.floorPerMin ?? 0) };
};

// Null series: ci-gate's shape (38 s at 2 Hz), a minute and five minutes at 1 Hz, production-mix (10 min at 1 Hz) and
// the OpenClaw example's raw RSS (8 min every 3 s).
const shapes = [
  { name: 'ci-gate (38 s at 2 Hz)', durationS: 38, hz: 2 },
  { name: '1 min at 1 Hz', durationS: 60, hz: 1 },
  { name: '5 min at 1 Hz', durationS: 300, hz: 1 },
  { name: 'production-mix (10 min at 1 Hz)', durationS: 570, hz: 1 },
  // The OpenClaw example's raw RSS: its eight measured minutes, a sample every 3 s.
  { name: 'OpenClaw raw RSS (8 min every 3 s)', durationS: 480, hz: 1 / 3 },
];
const nullRows: string[] = [];
let allGrowing = 0;
let allMatters = 0;
for (const shape of shapes) {
  let growing = 0;
  let matters = 0;
  const n = Math.ceil(nullCount / shapes.length);
  for (let i = 0; i < n; i++) {
    const verdict = grows(series(shape.durationS, shape.hz, 0, drawNoise()));
    if (verdict.growing) growing++;
    if (verdict.matters) matters++;
  }
  allGrowing += growing;
  allMatters += matters;
  nullRows.push(`| ${shape.name} | ${n} | ${growing} (${((100 * growing) / n).toFixed(2)}%) | ${matters} (${((100 * matters) / n).toFixed(2)}%) |`);
}

// Leaks: looked at every 5 s from 10 s on, at 2 Hz (ci-gate's sampling), up to 10 minutes.
const LOOK_EVERY_S = 5;
const MAX_S = 600;
const leakRows: string[] = [];
for (const perMinMB of [50, 5]) {
  const times: number[] = [];
  let missed = 0;
  for (let i = 0; i < leakCount; i++) {
    const full = series(MAX_S, 2, perMinMB * MB, drawNoise());
    let found: number | null = null;
    for (let at = 10; at <= MAX_S && found === null; at += LOOK_EVERY_S) {
      if (grows(prefix(full, at)).matters) found = at;
    }
    if (found === null) missed++;
    else times.push(found);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => (times.length ? `${times[Math.min(times.length - 1, Math.floor(p * times.length))]} s` : 'n/a');
  leakRows.push(`| ${perMinMB} MB/min | ${leakCount} | ${leakCount - missed} | ${q(0.5)} | ${q(0.9)} | ${times.length ? `${times[times.length - 1]} s` : 'n/a'} |`);
}

// Settled floors: one reading per forced collection, 20 s apart, over the 8 minutes the OpenClaw example measures
// (docs/ARCHITECTURE.md, "Settled samples"). No sawtooth (a full collection leaves none); the readings' own noise,
// with a lag-one correlation between readings from none to strong, and the verdict by the heap floor's analysis.
const FLOOR_READINGS = 25;
const FLOOR_EVERY_S = 20;

/** The floor readings of a heap whose live set follows `level(tMin)`, read with AR(1) noise of `sd` and `phi`. */
function floorSeries(level: (tMin: number) => number, phi: number, sd: number): MetricSeries {
  const out: MetricSeries = { tS: [], values: [], ops: [], segment: [] };
  let noise = gaussian(random) * sd;
  for (let i = 0; i < FLOOR_READINGS; i++) {
    noise = phi * noise + Math.sqrt(1 - phi ** 2) * sd * gaussian(random);
    out.tS.push(120 + i * FLOOR_EVERY_S);
    out.values.push(280 * MB + level((i * FLOOR_EVERY_S) / 60) + noise);
    out.ops.push(i);
    out.segment.push(0);
  }
  return out;
}

const floorShapes: Array<{ name: string; level: (tMin: number) => number }> = [
  { name: 'no growth', level: () => 0 },
  { name: '1 MiB/min, straight', level: (t) => t * MB },
  { name: '2.5 MiB/min, straight', level: (t) => 2.5 * t * MB },
  // OpenClaw's heap floor rose 4-5 MiB/min for its first minutes after the warm-up and then stayed near 300 MiB
  // (BENCHMARKS.md, runs U, W and Y): a plateau, and the case the trend alone leaves undecided.
  { name: '5 MiB/min for 3 min, then flat', level: (t) => 5 * Math.min(t, 3) * MB },
  { name: '4 MiB/min for 4 min, then flat', level: (t) => 4 * Math.min(t, 4) * MB },
  { name: '4 MiB/min levelling off (20 MiB, 5 min)', level: (t) => 20 * MB * (1 - Math.exp(-t / 5)) },
  // Not a plateau: a leak that slowed and goes on above the floor.
  { name: '4 MiB/min for 3 min, then 1.5 MiB/min', level: (t) => (4 * Math.min(t, 3) + 1.5 * Math.max(t - 3, 0)) * MB },
  // A leak that starts late: flat for five minutes, then rising (BENCHMARKS.md, run Z), and a slower one from minute 4.
  { name: 'flat for 5 min, then 4 MiB/min', level: (t) => 4 * Math.max(t - 5, 0) * MB },
  { name: 'flat for 4 min, then 2 MiB/min', level: (t) => 2 * Math.max(t - 4, 0) * MB },
];
const floorRows: string[] = [];
const perFloorRow = Math.ceil(nullCount / shapes.length);
for (const shape of floorShapes) {
  for (const phi of [0, 0.3, 0.8, 0.9]) {
    const counts: Record<string, number> = { growing: 0, plateau: 0, flat: 0, inconclusive: 0 };
    for (let i = 0; i < perFloorRow; i++) {
      const m = summarizeMetric('heapFloorBytes', floorSeries(shape.level, phi, (1 + 3 * random()) * MB), { warmupS: 0 });
      counts[m.verdict]++;
    }
    const share = (k: string) => `${counts[k]} (${((100 * counts[k]) / perFloorRow).toFixed(1)}%)`;
    floorRows.push(`| ${shape.name} | ${phi} | ${perFloorRow} | ${share('growing')} | ${share('plateau')} | ${share('flat')} | ${share('inconclusive')} |`);
  }
}

console.log(`bench:detect, seed ${values.seed}; ${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
console.log('Noise per series: AR(1) sd 0.5-4 MB, lag-one correlation 0, 0.5, 0.8 or 0.9, plus a GC sawtooth of 0-10 MB with a 1-30 s period.\n');
console.log('| null series (no growth) | series | called growing | called growing above the 2 MB/min floor |');
console.log('| --- | ---: | ---: | ---: |');
for (const row of nullRows) console.log(row);
const total = Math.ceil(nullCount / shapes.length) * shapes.length;
console.log(`| all | ${total} | ${allGrowing} (${((100 * allGrowing) / total).toFixed(2)}%) | ${allMatters} (${((100 * allMatters) / total).toFixed(2)}%) |\n`);
console.log(`| leak | series | caught within ${MAX_S / 60} min | median time to verdict | 90th percentile | slowest |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of leakRows) console.log(row);
console.log(`\nSettled heap floors: ${FLOOR_READINGS} readings ${FLOOR_EVERY_S} s apart, noise sd 1-4 MiB with a lag-one correlation between readings:\n`);
console.log('| heap floor | lag-one correlation | series | growing | plateau | flat | inconclusive |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of floorRows) console.log(row);
