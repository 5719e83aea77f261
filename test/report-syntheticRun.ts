// Writes a realistic run folder (run.json, samples.jsonl, summary.json) for the report's tests and benchmark:
// the naive store grows as in OpenClaw #55334 (41 kB skillsSnapshot per session, never pruned), dedup levels off.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Phase, Sample, SampleEvent } from '../harness/contracts/sample.ts';
import type { MetricSummary, Summary } from '../harness/contracts/summary.ts';

export interface SyntheticRunOptions {
  store: 'naive' | 'dedup';
  samples: number;
  intervalS?: number;
  scenario?: string;
  /** The top heap grower's class name, as memlab would report it. */
  heapClassName?: string;
  /** As a run whose target died: no summary.json, a target-exit event, samples.jsonl ending in half a line. */
  crashed?: boolean;
  seed?: number;
}

/** Deterministic noise, so a failing test can be replayed. */
function noise(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 2 ** 32) * 2 - 1;
  };
}

function phaseAt(i: number, n: number): Phase {
  const f = i / n;
  if (f < 0.05) return 'warmup';
  if (f >= 0.4 && f < 0.45) return 'paused';
  if (i === Math.floor(n * 0.6)) return 'restarting';
  if (f >= 0.97) return 'cooldown';
  return 'load';
}

function leastSquaresPerMin(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx > 0 ? (sxy / sxx) * 60 : 0;
}

export function syntheticSamples(options: SyntheticRunOptions): Sample[] {
  const { store, samples: n } = options;
  const interval = options.intervalS ?? 1;
  const rand = noise(options.seed ?? (store === 'naive' ? 7 : 11));
  const samples: Sample[] = [];
  let subagents = 0;
  let cronRuns = 0;
  let chats = 0;
  for (let i = 0; i < n; i++) {
    const t = i * interval;
    const phase = phaseAt(i, n);
    const loaded = phase === 'load' || phase === 'warmup';
    const spawned = loaded ? Math.round(2 * interval) : 0;
    subagents += spawned;
    cronRuns += loaded && i % 5 === 0 ? 1 : 0;
    chats += loaded && i % 30 === 0 ? 1 : 0;
    const made = subagents + cronRuns + chats;
    // dedup prunes completed sessions after their retention, so its count levels off near 300.
    const sessionCount = store === 'naive' ? made + 13 : Math.min(made, 300 + Math.round(10 * rand())) + 13;
    const sessionsFileBytes = store === 'naive' ? sessionCount * 41_300 + 2_000 : sessionCount * 820 + 41_300;
    const heapFloorBytes = 30e6 + (store === 'naive' ? sessionCount * 42_000 : sessionCount * 900 + 4e6 * (1 - Math.exp(-t / 120)));
    const heapUsedBytes = heapFloorBytes + ((i % 20) / 20) * 14e6 + 1e6 * rand();
    const rssBytes = heapUsedBytes + 55e6 + 3e6 * rand();
    const transcriptFiles = 153 + made;
    const events: SampleEvent[] = [];
    if (i === Math.floor(n * 0.3) || i === Math.floor(n * 0.9)) events.push({ type: 'snapshot', t, durationMs: 1200 + Math.round(300 * rand()), detail: `heap-${i}.heapsnapshot` });
    if (i === Math.floor(n * 0.6)) events.push({ type: 'restart', t, detail: 'scenario event: restart the target' });
    if (i === Math.floor(n * 0.4)) events.push({ type: 'pause', t });
    if (i === Math.floor(n * 0.45)) events.push({ type: 'resume', t });
    if (options.crashed && i === n - 1) events.push({ type: 'target-exit', t, detail: 'exit code 1: FATAL ERROR: Reached heap limit' });
    const requests = loaded ? spawned + 3 : 0;
    samples.push({
      t,
      phase,
      metrics: {
        rssBytes: Math.round(rssBytes),
        heapUsedBytes: Math.round(heapUsedBytes),
        heapTotalBytes: Math.round(heapUsedBytes * 1.3),
        heapFloorBytes: Math.round(heapFloorBytes),
        sessionsFileBytes,
        transcriptFiles,
        transcriptBytes: transcriptFiles * 6_100,
        sessionCount,
        eventLoopDelayP50Ms: 10.2 + rand(),
        eventLoopDelayP99Ms: 20 + (store === 'naive' ? sessionCount * 0.004 : 2) + 3 * rand(),
        cpuPercent: 35 + 10 * rand(),
        'file:sessions.json': sessionsFileBytes,
      },
      ops: { subagents, cronRuns, chats, requests: subagents + cronRuns + chats },
      window: {
        requests,
        errors: i % 97 === 0 && loaded ? 1 : 0,
        latencyP50Ms: loaded ? 4 + (store === 'naive' ? sessionCount * 0.002 : 0.5) + rand() : null,
        latencyP99Ms: loaded ? 12 + (store === 'naive' ? sessionCount * 0.008 : 1) + 2 * rand() : null,
        latencyMaxMs: loaded ? 30 + 10 * Math.abs(rand()) + (i % 500 === 250 ? 400 : 0) : null,
      },
      sessions: {
        byKind: { main: 1, chat: chats, subagent: sessionCount - chats - 13 - (store === 'naive' ? cronRuns : 0), cron: 12, cronRun: store === 'naive' ? cronRuns : 0 },
        byStatus: { active: 12 + Math.round(4 * Math.abs(rand())), completed: sessionCount - 16, failed: 3 },
      },
      ...(events.length ? { events } : {}),
    });
  }
  return samples;
}

function metricSummary(samples: Sample[], metric: string, unit: MetricSummary['unit'], opsKind: string): MetricSummary {
  const window = samples.filter((s) => s.phase !== 'warmup' && Number.isFinite(s.metrics[metric]));
  const slopePerMin = leastSquaresPerMin(window.map((s) => [s.t, s.metrics[metric]]));
  const values = window.map((s) => s.metrics[metric]);
  const opsPerMin = leastSquaresPerMin(window.map((s) => [s.t, s.ops[opsKind]]));
  const width = Math.abs(slopePerMin) * 0.06 + (values[0] ?? 0) * 1e-4;
  const growing = slopePerMin - width > (values[0] ?? 0) * 0.001;
  return {
    unit,
    slopePerMin,
    ciLow: slopePerMin - width,
    ciHigh: slopePerMin + width,
    slopePer1kOps: opsPerMin > 0 ? (slopePerMin / opsPerMin) * 1000 : null,
    trendP: growing ? 1e-6 : 0.4,
    verdict: growing ? 'growing' : 'flat',
    first: values[0],
    last: values[values.length - 1],
    max: Math.max(...values),
  };
}

export function syntheticSummary(samples: Sample[], options: SyntheticRunOptions): Summary {
  const scenario = options.scenario ?? 'production-mix';
  const target = `gateway-${options.store}`;
  const metrics: Record<string, MetricSummary> = {};
  for (const [name, unit] of [
    ['rssBytes', 'bytes'],
    ['heapUsedBytes', 'bytes'],
    ['heapFloorBytes', 'bytes'],
    ['sessionsFileBytes', 'bytes'],
    ['transcriptBytes', 'bytes'],
    ['transcriptFiles', 'count'],
    ['sessionCount', 'count'],
    ['file:sessions.json', 'bytes'],
  ] as const) {
    metrics[name] = metricSummary(samples, name, unit, 'subagents');
  }
  const last = samples[samples.length - 1];
  const naive = options.store === 'naive';
  const limit = 200_000;
  return {
    scenario,
    target,
    durationS: last.t,
    samples: samples.length,
    interrupted: false,
    operations: last.ops,
    metrics,
    gate: {
      pass: metrics.sessionsFileBytes.ciLow <= limit,
      checks: ['sessionsFileBytes', 'heapFloorBytes', 'rssBytes'].map((m) => ({
        metric: m,
        limit,
        observed: metrics[m].ciLow,
        pass: metrics[m].ciLow <= limit,
        reason: metrics[m].ciLow <= limit ? 'within baseline' : `interval low ${Math.round(metrics[m].ciLow)} B/min above baseline high + tolerance`,
      })),
    },
    ...(naive
      ? {
          heap: {
            snapshots: ['heap-1.heapsnapshot', 'heap-2.heapsnapshot', 'heap-3.heapsnapshot'],
            grew: [
              {
                name: options.heapClassName ?? 'skillsSnapshot (string, 41 kB)',
                countFirst: 420,
                countLast: 7_210,
                retainedFirst: 17_300_000,
                retainedLast: 297_700_000,
                retainerPath: ['(GC roots)', 'SessionStore', 'Map sessions', 'SessionEntry', 'skillsSnapshot', options.heapClassName ?? 'string'],
              },
              {
                name: 'SessionEntry',
                countFirst: 420,
                countLast: 7_210,
                retainedFirst: 18_100_000,
                retainedLast: 301_000_000,
                retainerPath: ['(GC roots)', 'SessionStore', 'Map sessions', 'SessionEntry'],
              },
            ],
            duplicates: {
              heapBytes: 340_000_000,
              duplicatedBytes: 296_000_000,
              share: 0.87,
              strings: { count: 95_000, duplicatedCount: 7_300, bytes: 305_000_000, duplicatedBytes: 289_000_000, share: 0.95 },
              top: [{ shape: options.heapClassName ?? 'Object { skills, prompt, version }', copies: 7_210, retainedEach: 41_300, duplicatedBytes: 297_700_000 }],
            },
          },
        }
      : {}),
  };
}

/** Writes the folder and returns its samples, so a test can compare the report with what it was given. */
export async function writeSyntheticRun(dir: string, options: SyntheticRunOptions): Promise<Sample[]> {
  await mkdir(dir, { recursive: true });
  const samples = syntheticSamples(options);
  const scenario = options.scenario ?? 'production-mix';
  const lines = samples.map((s) => JSON.stringify(s)).join('\n') + '\n';
  await writeFile(join(dir, 'samples.jsonl'), options.crashed ? `${lines}{"t":${samples.length},"phase":"lo` : lines);
  // The shape of harness/run/runFolder.ts's RunMeta, which the report reads loosely.
  await writeFile(
    join(dir, 'run.json'),
    JSON.stringify({
      scenario: { name: scenario, file: `scenarios/${scenario}.ts` },
      target: `gateway-${options.store}`,
      options: { store: options.store, fixes: options.store === 'dedup' ? ['prune', 'dedupe', 'orphans', 'lazy'] : [], sampleInterval: options.intervalS ?? 1 },
      seed: options.seed ?? 42,
      node: process.version,
      os: { platform: process.platform, release: '6.1.0', arch: process.arch },
      cpu: { model: 'Intel(R) Xeon(R) Processor', cores: 2, totalMemBytes: 24e9 },
      gitCommit: '4fd7e7a0000000000000000000000000000000000',
      startedAt: '2026-11-25T01:00:00.000Z',
      targetPids: [4242, 4300],
      ...(options.crashed
        ? { crashed: { code: 134, signal: null, lastLines: ['<--- Last few GCs --->', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', `while loading ${options.heapClassName ?? 'sessions.json'}`] } }
        : {}),
    }),
  );
  if (!options.crashed) await writeFile(join(dir, 'summary.json'), JSON.stringify(syntheticSummary(samples, options)));
  return samples;
}
