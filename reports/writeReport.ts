// Reads run folders (run.json, samples.jsonl, summary.json) and writes their report.html: one per run, one per
// compare. A crashed run (no summary.json, a torn last line) still gets a report drawn from its samples alone.
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseSamples, type Sample } from '../harness/contracts/sample.ts';
import type { Summary } from '../harness/contracts/summary.ts';
import { loadVegaBundles, renderPage, scenarioName, type PageRun, type SlopeDifferences } from './page.ts';
import { renderSvg } from './renderSvg.ts';
import { buildCharts, type Baseline } from './specs.ts';
import { UsageError } from '../harness/contracts/exitCodes.ts';

/** Input a user got wrong (a missing or empty run folder): the command exits 2 with it. */
export class ReportInputError extends UsageError {}

interface LoadedRun extends PageRun {
  sampleList: Sample[];
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseJsonRecord(text: string | undefined, file: string, notices: string[]): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    notices.push(`${file} is not a JSON object; ignored.`);
  } catch (err) {
    notices.push(`${file} could not be parsed (${(err as Error).message}); ignored.`);
  }
  return undefined;
}

async function loadRun(runDir: string, notices: string[]): Promise<LoadedRun> {
  const dir = resolve(runDir);
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new ReportInputError(`no run folder at ${runDir}: pass the folder a run wrote (e.g. runs/<name>).`);
  if (!info.isDirectory()) throw new ReportInputError(`${runDir} is not a folder: pass the run folder that holds samples.jsonl.`);
  const [samplesText, summaryText, metaText] = await Promise.all(
    ['samples.jsonl', 'summary.json', 'run.json'].map((f) => readText(join(dir, f))),
  );
  const { samples, skippedLines } = parseSamples(samplesText ?? '');
  const summary = parseJsonRecord(summaryText, join(runDir, 'summary.json'), notices) as Summary | undefined;
  if (samples.length === 0 && !summary) {
    throw new ReportInputError(
      `${runDir} holds no samples: ${samplesText === undefined ? 'samples.jsonl is missing' : 'samples.jsonl is empty'} and there is no summary.json. Is this a soakgate run folder, and did the run get past its first sample?`,
    );
  }
  samples.sort((a, b) => a.t - b.t);
  const meta = parseJsonRecord(metaText, join(runDir, 'run.json'), notices);
  return {
    label: runLabel(dir, meta, summary),
    dir: runDir,
    meta,
    summary,
    samples: samples.length,
    skippedLines,
    sampledS: samples.length ? samples[samples.length - 1].t - samples[0].t : 0,
    events: samples.flatMap((s) => s.events ?? []),
    sampleList: samples,
  };
}

/** What a reader calls the run: the target it soaked (gateway-naive, gateway-dedup...), else the folder's name. */
function runLabel(dir: string, meta: Record<string, unknown> | undefined, summary: Summary | undefined): string {
  if (typeof summary?.target === 'string' && summary.target) return summary.target;
  if (typeof meta?.target === 'string' && meta.target) return meta.target;
  if (typeof meta?.store === 'string' && meta.store) return `gateway-${meta.store}`;
  return basename(dir);
}

/** Runs of one compare must be told apart in the legend even when they soaked the same target. */
function distinctLabels(runs: LoadedRun[]): void {
  const seen = new Map<string, number>();
  for (const run of runs) seen.set(run.label, (seen.get(run.label) ?? 0) + 1);
  for (const run of runs) if ((seen.get(run.label) ?? 0) > 1) run.label = `${run.label} (${basename(resolve(run.dir))})`;
}

async function buildReport(runs: LoadedRun[], title: string, notices: string[], extra: { baseline?: Baseline; differences?: SlopeDifferences }): Promise<string> {
  const { baseline, differences } = extra;
  const charts = buildCharts(
    runs.map((r) => ({ label: r.label, samples: r.sampleList, summary: r.summary })),
    { baseline },
  );
  const drawn = [];
  for (const chart of charts) drawn.push({ chart, svg: await renderSvg(chart.staticSpec) });
  return renderPage(
    { title, generatedAt: new Date().toISOString(), runs: runs.map(({ sampleList: _, ...page }) => page), charts: drawn, baseline, differences, notices },
    loadVegaBundles(),
  );
}

export interface RunReportOptions {
  /** Slopes of a known-good run, drawn as a band and listed beside each metric. */
  baseline?: Baseline;
  /** Defaults to report.html in the run folder. */
  outFile?: string;
}

/** Writes report.html for one run folder and returns its path. */
export async function writeRunReport(runDir: string, options: RunReportOptions = {}): Promise<string> {
  const notices: string[] = [];
  const run = await loadRun(runDir, notices);
  const title = `soakgate report: ${scenarioName(run) ?? basename(resolve(runDir))} on ${run.label}`;
  const outFile = options.outFile ?? join(runDir, 'report.html');
  await writeFile(outFile, await buildReport([run], title, notices, { baseline: options.baseline }));
  return outFile;
}

/**
 * Writes one report overlaying several runs (naive and dedup, for instance) on the same axes; returns its path.
 * `differences` (from compare.json) adds the table of slope differences with their bootstrap intervals.
 */
export async function writeCompareReport(runDirs: string[], outFile: string, title: string, options: { differences?: SlopeDifferences } = {}): Promise<string> {
  if (runDirs.length === 0) throw new ReportInputError('a compare report needs at least one run folder.');
  const notices: string[] = [];
  const runs = [];
  for (const dir of runDirs) runs.push(await loadRun(dir, notices));
  distinctLabels(runs);
  await writeFile(outFile, await buildReport(runs, title, notices, options));
  return outFile;
}

/**
 * Rebuilds the report of a `soakgate compare` folder from its compare.json (the runs, each in a sub-folder, and
 * the slope differences), read loosely since `compare` owns its shape. Returns the report's path.
 */
export async function writeCompareFolderReport(compareDir: string, outFile = join(compareDir, 'report.html')): Promise<string> {
  const file = join(compareDir, 'compare.json');
  const notices: string[] = [];
  const record = parseJsonRecord(await readText(file), file, notices);
  const runs = Array.isArray(record?.runs) ? (record.runs as Array<{ runDir?: unknown }>) : [];
  const runDirs = runs.map((r) => r.runDir).filter((d): d is string => typeof d === 'string');
  if (!record || runDirs.length === 0) {
    throw new ReportInputError(`${file} names no runs (${notices.join(' ') || 'expected runs: [{ runDir }]'}); rebuild single runs with soakgate report <run-dir>.`);
  }
  const reference = typeof record.reference === 'string' ? record.reference : undefined;
  const against = record.differences !== null && typeof record.differences === 'object' ? (record.differences as SlopeDifferences['against']) : undefined;
  const scenario = typeof record.scenario === 'string' ? record.scenario : basename(resolve(compareDir));
  const labels = runs.map((r) => (r as { label?: unknown }).label).filter((l): l is string => typeof l === 'string');
  return writeCompareReport(
    runDirs.map((d) => resolve(compareDir, d)),
    outFile,
    `soakgate compare: ${scenario}${labels.length ? `, ${labels.join(' vs ')}` : ''}`,
    reference && against ? { differences: { reference, against } } : {},
  );
}

/** A folder `soakgate compare` wrote (compare.json, no samples of its own) rather than one run's folder. */
export function isCompareFolder(dir: string): boolean {
  return existsSync(join(dir, 'compare.json')) && !existsSync(join(dir, 'samples.jsonl'));
}
