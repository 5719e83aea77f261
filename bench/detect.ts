// How far the analysis can be trusted, on synthetic series whose answer is known (seeded, so anyone gets the same
// table): how often a flat target is called growing (null series with a GC sawtooth and autocorrelated noise, at
// ci-gate's and production-mix's sampling), and how long a 50 MB/min and a 5 MB/min leak take to be called
// growing above the floor that matters, looking every 5 s as `gate --stop-when-decided` does.
// Run: node --import tsx bench/detect.ts [--null 2000] [--leaks 200] [--seed 1]
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { summarizeMetric } from '../harness/analysis/analyze.ts';
import { gaussian, seededRandom } from '../lib/seededRandom.ts';
import type { MetricSeries } from '../harness/analysis/series.ts';

const { values } = parseArgs({ options: { null: { type: 'string', default: '2000' }, leaks: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' } } });
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

// Null series: ci-gate's shape (38 s at 2 Hz), a minute and five minutes at 1 Hz, and production-mix (10 min at 1 Hz).
const shapes = [
  { name: 'ci-gate (38 s at 2 Hz)', durationS: 38, hz: 2 },
  { name: '1 min at 1 Hz', durationS: 60, hz: 1 },
  { name: '5 min at 1 Hz', durationS: 300, hz: 1 },
  { name: 'production-mix (10 min at 1 Hz)', durationS: 570, hz: 1 },
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
