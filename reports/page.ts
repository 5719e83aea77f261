// The self-contained report.html: inline SVG charts that read without JavaScript, vega + vega-lite + vega-embed
// inlined to make them interactive offline, and the tables a person reads after a failure. Every string that
// came from a scenario, a target or a heap snapshot goes through escapeHtml or safeJsonForScript.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { SampleEvent } from '../harness/contracts/sample.ts';
import type { SlopeDifference } from '../harness/analysis/bootstrap.ts';
import { compareMetrics } from '../harness/analysis/metricCatalogue.ts';
import { labelNotes, outsideHeapNote } from '../harness/analysis/verdict.ts';
import type { HeapDuplicates, MetricSummary, StormLoad, Summary } from '../harness/contracts/summary.ts';
import { formatBytes, formatCount, formatDuration, formatRate, formatShare, formatSignedRate, PER_1K_OPS, PER_MIN, type Unit } from '../harness/analysis/units.ts';
import { SERIES_DATASET, type Baseline, type Chart, type SeriesRow } from './specs.ts';
import { chartDraws, runVerdict, type RunVerdict, type VerdictState } from './verdictLines.ts';

export interface PageRun {
  label: string;
  dir: string;
  /** run.json as written by the runner, read loosely: any field may be missing. */
  meta?: Record<string, unknown>;
  summary?: Summary;
  samples: number;
  /** Lines of samples.jsonl that did not parse (a write cut short by a crash). */
  skippedLines: number;
  /** Seconds from the first to the last sample. */
  sampledS: number;
  /** Every event of every sample, in sample order. */
  events: SampleEvent[];
}

export interface PageModel {
  title: string;
  generatedAt: string;
  runs: PageRun[];
  charts: Array<{ chart: Chart; svg: string }>;
  baseline?: Baseline;
  /** A compare's slope differences with their bootstrap intervals (compare.json), against its reference run. */
  differences?: SlopeDifferences;
  /** Problems met while reading the run folders, shown at the top. */
  notices: string[];
}

export interface SlopeDifferences {
  reference: string;
  /** By the other run's label, then by metric. */
  against: Record<string, Record<string, SlopeDifference>>;
}

export interface VegaBundles {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
}

let bundles: VegaBundles | undefined;

/** The three min bundles, read once. vega's exports map hides build/, so resolve each entry and read beside it. */
export function loadVegaBundles(): VegaBundles {
  if (bundles) return bundles;
  const require = createRequire(import.meta.url);
  const beside = (pkg: string, file: string) => readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8');
  bundles = {
    vega: beside('vega', 'vega.min.js'),
    vegaLite: beside('vega-lite', 'vega-lite.min.js'),
    vegaEmbed: beside('vega-embed', 'vega-embed.min.js'),
  };
  return bundles;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** JSON that cannot end its <script> element or open an HTML comment inside it, and still parses to the same value. */
export function safeJsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A library bundle inside <script>: `</script` and `<!--` are rewritten to escapes with the same meaning in JS. */
function safeScriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * One quantity never breaks across lines (4.9 MiB/min stays whole): tables wrap between quantities instead, so they
 * fit a laptop's page without a sideways scroll (docs/ARCHITECTURE.md, "The report").
 */
const whole = (text: string) => text.replace(/ /g, '\u00a0');

/** A value in its metric's unit as harness/analysis/units.ts writes it everywhere; a dash where nothing was measured. */
function formatQuantity(n: number | null | undefined, unit: Unit, per = ''): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return whole(formatRate(n, unit, per));
}

/** A growth, with its sign: +4.9 MiB/min. */
function signed(n: number, unit: Unit, per = PER_MIN): string {
  return Number.isFinite(n) ? whole(formatSignedRate(n, unit, per)) : '–';
}

function bytes(n: number): string {
  return whole(formatBytes(n));
}

function formatP(p: number): string {
  if (!Number.isFinite(p)) return '–';
  return p < 0.001 ? p.toExponential(1) : p.toPrecision(2);
}

const VERDICT_CLASS: Record<string, string> = { growing: 'bad', flat: 'good', plateau: 'warn', inconclusive: 'warn' };

function verdictBadge(verdict: string, extra = ''): string {
  return `<span class="badge ${VERDICT_CLASS[verdict] ?? 'warn'}">${escapeHtml(verdict)}</span>${extra}`;
}

/** In the metric catalogue's order, the order a reader checks them; watched files and state readings after. */
function orderedMetrics(runs: PageRun[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.summary?.metrics ?? {})))].sort(compareMetrics);
}

function verdictDetail(name: string, m: MetricSummary, metrics: Record<string, MetricSummary>): string {
  const notes = labelNotes(name, metrics);
  if (m.verdict === 'plateau' && m.plateauLevel !== undefined) {
    notes.unshift(`at ${formatQuantity(m.plateauLevel, m.unit)}${m.plateauAtS !== undefined ? ` from ${formatDuration(m.plateauAtS)}` : ''}`);
  } else if (m.verdict === 'inconclusive' && m.moreMinutesNeeded !== undefined) {
    notes.unshift(`~${formatCount(m.moreMinutesNeeded)} more min to decide`);
  }
  return notes.map((note) => ` <span class="note">${escapeHtml(note)}</span>`).join('');
}

function metricsTable(runs: PageRun[], baseline: Baseline | undefined): string {
  const metrics = orderedMetrics(runs);
  if (metrics.length === 0) return '<p class="note">No summary.json: slopes and verdicts are not available for this run.</p>';
  const compare = runs.length > 1;
  const head = `<tr><th>metric</th>${compare ? '<th>run</th>' : ''}<th>verdict</th><th class="num">slope</th><th class="num">95% interval / min</th><th class="num">per 1k ops</th>${baseline ? '<th class="num">baseline / min</th>' : ''}<th class="num">first → last</th><th class="num">max</th><th class="num">trend p</th></tr>`;
  const rows = metrics.flatMap((name) =>
    runs.map((run, i) => {
      const m = run.summary?.metrics[name];
      const metricCell = i === 0 ? `<th scope="row" rowspan="${runs.length}">${escapeHtml(name)}</th>` : '';
      const runCell = compare ? `<td class="wrap">${escapeHtml(run.label)}</td>` : '';
      if (!m) return `<tr>${metricCell}${runCell}<td colspan="${baseline ? 8 : 7}" class="note">not measured</td></tr>`;
      const b = baseline?.[name];
      const baseCell = baseline
        ? `<td class="num">${b ? `${escapeHtml(signed(b.slopePerMin, m.unit))} <span class="note">[${escapeHtml(formatQuantity(b.ciLow, m.unit))}, ${escapeHtml(formatQuantity(b.ciHigh, m.unit))}]</span>` : '–'}</td>`
        : '';
      return `<tr>${metricCell}${runCell}<td>${verdictBadge(m.verdict, verdictDetail(name, m, run.summary!.metrics))}</td><td class="num">${escapeHtml(signed(m.slopePerMin, m.unit))}</td><td class="num">[${escapeHtml(formatQuantity(m.ciLow, m.unit))}, ${escapeHtml(formatQuantity(m.ciHigh, m.unit))}]</td><td class="num">${m.slopePer1kOps === null ? '–' : escapeHtml(signed(m.slopePer1kOps, m.unit, ''))}</td>${baseCell}<td class="num">${escapeHtml(formatQuantity(m.first, m.unit))} → ${escapeHtml(formatQuantity(m.last, m.unit))}</td><td class="num">${escapeHtml(formatQuantity(m.max, m.unit))}</td><td class="num">${escapeHtml(formatP(m.trendP))}</td></tr>`;
    }),
  );
  return `<table class="metrics"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

const CHECK_KINDS: Record<string, string> = {
  baseline: 'slope against the baseline',
  budgetPerMin: 'budget per minute',
  budgetPer1kOps: 'budget per 1k ops',
  missing: 'budgeted, not measured',
};

function differencesSection(differences: SlopeDifferences | undefined): string {
  if (!differences) return '';
  const rows = Object.entries(differences.against).flatMap(([other, byMetric]) =>
    Object.entries(byMetric)
      .sort(([a], [b]) => compareMetrics(a, b))
      .map(([metric, d]) => {
        const clear = d.ciLow > 0 ? ' <span class="badge bad">faster</span>' : d.ciHigh < 0 ? ' <span class="badge good">slower</span>' : '';
        return `<tr><td>${escapeHtml(metric)}</td><td>${escapeHtml(other)}</td><td class="num">${escapeHtml(signed(d.slopeA, d.unit))}</td><td class="num">${escapeHtml(signed(d.slopeB, d.unit))}</td><td class="num">${escapeHtml(signed(d.difference, d.unit))} <span class="note">[${escapeHtml(formatQuantity(d.ciLow, d.unit))}, ${escapeHtml(formatQuantity(d.ciHigh, d.unit))}]</span>${clear}</td><td class="num">${d.ratio === null ? '–' : `${escapeHtml(d.ratio.toFixed(1))}×`}</td></tr>`;
      }),
  );
  if (rows.length === 0) return '';
  const ref = escapeHtml(differences.reference);
  return `<section><h2>How much faster ${ref} grows</h2><p class="note">Difference of slopes per minute with its 95% bootstrap interval; the ratio is left out where the other run does not grow.</p><table><thead><tr><th>metric</th><th>against</th><th class="num">${ref}</th><th class="num">other</th><th class="num">difference [interval]</th><th class="num">ratio</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function gateSection(run: PageRun, compare: boolean): string {
  const gate = run.summary?.gate;
  if (!gate) return '';
  const units = run.summary?.metrics ?? {};
  const rows = gate.checks.map((c) => {
    const unit = units[c.metric]?.unit ?? 'count';
    const per = c.kind === 'budgetPer1kOps' ? PER_1K_OPS : c.kind === 'missing' ? '' : PER_MIN;
    const result = c.pass ? '<span class="badge good">pass</span>' : '<span class="badge bad">fail</span>';
    return `<tr><td>${escapeHtml(c.metric)}</td><td>${escapeHtml(CHECK_KINDS[c.kind ?? ''] ?? '–')}</td><td class="num">${escapeHtml(formatQuantity(c.observed, unit, per))}</td><td class="num">${escapeHtml(formatQuantity(c.limit, unit, per))}</td><td>${result}${c.borderline ? ' <span class="badge warn">borderline</span>' : ''}</td><td>${escapeHtml(c.reason)}</td></tr>`;
  });
  return `<h3>Gate checks${compare ? `: ${escapeHtml(run.label)}` : ''} <span class="badge ${gate.pass ? 'good' : 'bad'}">${gate.pass ? 'pass' : 'fail'}</span></h3><table><thead><tr><th>metric</th><th>checked</th><th class="num">observed</th><th class="num">limit</th><th>result</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function heapSection(run: PageRun, compare: boolean): string {
  const heap = run.summary?.heap;
  const missed = run.summary?.diagnosisMissed;
  const metrics = run.summary?.metrics ?? {};
  // Read before the heap's growers: most of the RSS growth may be where no heap snapshot looks.
  const outside = outsideHeapNote('rssSettledBytes', metrics) ?? outsideHeapNote('rssBytes', metrics);
  const heading = `<h3>What grew in the heap${compare ? `: ${escapeHtml(run.label)}` : ''}</h3>${outside ? `<p class="note">RSS: ${escapeHtml(outside)}.</p>` : ''}`;
  if (!heap) return missed ? `${heading}<p class="note">The heap diagnosis was ${escapeHtml(missed)}.</p>` : '';
  // The biggest grower's path is what a reader follows; the others stay folded (<details> needs no script).
  const grew = heap.grew.map((g, i) => {
    const steps = `<ol class="path">${g.retainerPath.map((step) => `<li>${escapeHtml(step)}</li>`).join('')}</ol>`;
    const path = g.retainerPath.length === 0 ? '<span class="note">–</span>' : i === 0 ? steps : `<details><summary>${g.retainerPath.length} steps</summary>${steps}</details>`;
    const countGrowth = g.countLast - g.countFirst;
    return `<tr><td><code>${escapeHtml(g.name)}</code></td><td class="num">${escapeHtml(formatCount(g.countFirst))} → ${escapeHtml(formatCount(g.countLast))} <span class="note">(${countGrowth > 0 ? '+' : ''}${escapeHtml(formatCount(countGrowth))})</span></td><td class="num">${escapeHtml(bytes(g.retainedFirst))} → ${escapeHtml(bytes(g.retainedLast))} <span class="note">(${escapeHtml(signed(g.retainedLast - g.retainedFirst, 'bytes', ''))})</span></td><td>${path}</td></tr>`;
  });
  const table = grew.length
    ? `<table class="heap"><thead><tr><th>class or shape</th><th class="num">count first → last</th><th class="num">retained first → last</th><th>retainer path from a GC root</th></tr></thead><tbody>${grew.join('')}</tbody></table>`
    : `<p class="note">Nothing that grew between the snapshots explains the heap's growth${heap.heapGrowthBytes !== undefined ? ` (${escapeHtml(bytes(heap.heapGrowthBytes))} between the first and the last)` : ''}: no shape to blame.</p>`;
  const snapshots = heap.snapshots.length ? `<p class="note">Snapshots: ${heap.snapshots.map((s) => `<code>${escapeHtml(basename(s))}</code>`).join(', ')}</p>` : '';
  return `${heading}${table}${duplicatesBlock(heap.duplicates)}${snapshots}`;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The heap diagnosis's duplicate figures (harness/heap/duplicates.ts: heapBytes, duplicatedBytes, share, strings,
 * top groups), read loosely since summary.json types them as unknown; any other shape is shown as indented JSON.
 */
function duplicatesBlock(duplicates: unknown): string {
  if (duplicates === undefined || duplicates === null) return '';
  const d = duplicates as Partial<HeapDuplicates>;
  if (!isNumber(d.heapBytes) || !isNumber(d.duplicatedBytes) || !isNumber(d.share)) {
    const json = JSON.stringify(duplicates, null, 2) ?? '';
    return `<h4>Duplicated content</h4><pre>${escapeHtml(json.length > 8000 ? `${json.slice(0, 8000)}\n…` : json)}</pre>`;
  }
  const lines = [`${escapeHtml(bytes(d.duplicatedBytes))} of the last snapshot's ${escapeHtml(bytes(d.heapBytes))} is content held more than once (<b>${escapeHtml(formatShare(d.share))}</b>).`];
  const strings = d.strings;
  if (strings && isNumber(strings.duplicatedBytes) && isNumber(strings.bytes) && isNumber(strings.share)) {
    lines.push(`Strings: ${escapeHtml(bytes(strings.duplicatedBytes))} of ${escapeHtml(bytes(strings.bytes))} duplicated (${escapeHtml(formatShare(strings.share))}${isNumber(strings.duplicatedCount) ? `, ${escapeHtml(formatCount(strings.duplicatedCount))} strings` : ''}).`);
  }
  const top = Array.isArray(d.top) ? d.top.filter((g) => g && isNumber(g.copies) && isNumber(g.duplicatedBytes)) : [];
  const table = top.length
    ? `<table class="heap"><thead><tr><th>what is copied</th><th class="num">copies</th><th class="num">retained each</th><th class="num">freed by sharing one</th></tr></thead><tbody>${top
        .map((g) => `<tr><td><code>${escapeHtml(g.shape)}</code></td><td class="num">${escapeHtml(formatCount(g.copies))}</td><td class="num">${isNumber(g.retainedEach) ? escapeHtml(bytes(g.retainedEach)) : '–'}</td><td class="num">${escapeHtml(bytes(g.duplicatedBytes))}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<h4>Duplicated content</h4><p>${lines.join(' ')}</p>${table}`;
}

const EVENT_ROWS_SHOWN = 200;

function eventsSection(runs: PageRun[]): string {
  const events = runs.flatMap((run) => run.events.map((e) => ({ run: run.label, e })));
  if (events.length === 0) return '';
  events.sort((a, b) => a.e.t - b.e.t);
  const compare = runs.length > 1;
  const rows = events.slice(0, EVENT_ROWS_SHOWN).map(({ run, e }) => `<tr><td class="num">${escapeHtml(formatDuration(e.t))}</td>${compare ? `<td>${escapeHtml(run)}</td>` : ''}<td>${escapeHtml(e.type)}</td><td class="num">${e.durationMs !== undefined ? escapeHtml(formatQuantity(e.durationMs, 'ms')) : ''}</td><td>${escapeHtml(e.detail ?? '')}</td></tr>`);
  const more = events.length > EVENT_ROWS_SHOWN ? `<p class="note">and ${events.length - EVENT_ROWS_SHOWN} more events in samples.jsonl.</p>` : '';
  return `<section><h2>Events</h2><table><thead><tr><th class="num">at</th>${compare ? '<th>run</th>' : ''}<th>event</th><th class="num">blocked</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}</section>`;
}

/** run.json flattened to dotted keys, since its shape belongs to the runner and may change. */
function flatten(value: unknown, prefix: string, out: Array<[string, string]>, depth = 0): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 4) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
  } else if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) {
    out.push([prefix, value.join(value.some((v) => typeof v === 'string') ? '\n' : ', ')]);
  } else {
    out.push([prefix, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
}

function metadataSection(runs: PageRun[]): string {
  const blocks = runs.map((run) => {
    const rows: Array<[string, string]> = [['folder', run.dir]];
    if (run.meta) flatten(run.meta, '', rows);
    else rows.push(['run.json', 'missing or unreadable']);
    return `${runs.length > 1 ? `<h3>${escapeHtml(run.label)}</h3>` : ''}<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`;
  });
  return `<section><h2>Run metadata</h2>${blocks.join('')}</section>`;
}

/** The scenario's name from summary.json, else from run.json (`scenario: { name }`), since a crash may leave no summary. */
export function scenarioName(run: Pick<PageRun, 'summary' | 'meta'>): string | undefined {
  if (typeof run.summary?.scenario === 'string') return run.summary.scenario;
  const scenario = run.meta?.scenario;
  if (typeof scenario === 'string') return scenario;
  const name = (scenario as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** run.json's `crashed: { code, signal, lastLines }`: the target's last output is what a reader needs first. */
function crashBlock(run: PageRun, compare: boolean): string {
  const crashed = run.meta?.crashed as { code?: unknown; signal?: unknown; lastLines?: unknown } | undefined;
  if (!crashed || typeof crashed !== 'object') return '';
  const how = typeof crashed.signal === 'string' && crashed.signal ? `killed by ${crashed.signal}` : `exit code ${String(crashed.code ?? 'unknown')}`;
  const lines = Array.isArray(crashed.lastLines) ? crashed.lastLines.map(String) : [];
  return `<section><h2>The target crashed${compare ? `: ${escapeHtml(run.label)}` : ''} (${escapeHtml(how)})</h2>${lines.length ? `<p class="note">Its last lines of output:</p><pre>${escapeHtml(lines.join('\n'))}</pre>` : ''}</section>`;
}

function runNotices(run: PageRun): string[] {
  const who = `${run.label}: `;
  const notices: string[] = [];
  if (!run.summary) notices.push(`${who}no summary.json (the run crashed or was stopped before analysis); the charts are drawn from samples.jsonl alone, without fitted slopes.`);
  if (run.summary?.interrupted) notices.push(`${who}the run was interrupted; its verdicts cover only what was sampled.`);
  if (run.summary?.metrics.rssBytes && !run.summary.metrics.heapUsedBytes) {
    notices.push(`${who}the target had no probe (not a Node process, or its NODE_OPTIONS were replaced): RSS is read from outside only, and there are no heap figures.`);
  }
  if (run.skippedLines > 0) notices.push(`${who}${run.skippedLines} line(s) of samples.jsonl could not be read (a write cut short) and were skipped.`);
  for (const e of run.events) if (e.type === 'target-exit') notices.push(`${who}the target exited at ${formatDuration(e.t)}${e.detail ? `: ${e.detail}` : ''}.`);
  const platform = (run.meta?.os as { platform?: unknown } | undefined)?.platform;
  if (typeof platform === 'string' && platform !== 'linux' && run.summary && !run.summary.metrics.treeRssBytes) {
    notices.push(`${who}the process tree's RSS (treeRssBytes) is read from Linux's /proc, which ${platform} does not have: only the main process's RSS was sampled.`);
  }
  return notices;
}

const PROCESS_ROWS_SHOWN = 20;

/**
 * Under the process tree's chart: each process run.json's `processTree` recorded (harness/sampling/processTree.ts), read
 * loosely since run.json may come from an older soakgate or another platform.
 */
function processTreeTable(runs: PageRun[]): string {
  const compare = runs.length > 1;
  const tables = runs.map((run) => {
    const recorded = Array.isArray(run.meta?.processTree) ? (run.meta.processTree as Array<Record<string, unknown>>) : [];
    const processes = recorded.filter((p) => p !== null && typeof p === 'object' && isNumber(p.peakRssBytes));
    if (processes.length === 0) return '';
    const rows = processes.slice(0, PROCESS_ROWS_SHOWN).map((p) => {
      const seen = isNumber(p.firstSeenS) && isNumber(p.lastSeenS) ? `${formatDuration(p.firstSeenS)} – ${formatDuration(p.lastSeenS)}` : '–';
      return `<tr><td><code>${escapeHtml(p.command ?? '')}</code></td><td class="num">${escapeHtml(p.pid ?? '')}</td><td class="num">${escapeHtml(bytes(p.peakRssBytes as number))}</td><td class="num">${escapeHtml(seen)}</td></tr>`;
    });
    const unrecorded = isNumber(run.meta?.processTreeUnrecorded) ? run.meta.processTreeUnrecorded : 0;
    const more = processes.length - rows.length;
    const moreNote = more > 0 || unrecorded > 0
      ? `<p class="note">${[more > 0 ? `${more} more in run.json` : '', unrecorded > 0 ? `${formatCount(unrecorded)} more processes seen and not recorded` : ''].filter(Boolean).join('; ')}.</p>`
      : '';
    return `${compare ? `<h4>${escapeHtml(run.label)}</h4>` : ''}<table><thead><tr><th>command</th><th class="num">pid</th><th class="num">peak RSS</th><th class="num">seen</th></tr></thead><tbody>${rows.join('')}</tbody></table>${moreNote}`;
  });
  return tables.some(Boolean) ? `<h4>Processes in the tree</h4>${tables.join('')}` : '';
}

/** The State section: one chart per state reading, and how many readings each had and missed (summary.json's `state`). */
function stateSection(runs: PageRun[], figures: string[]): string {
  const compare = runs.length > 1;
  const rows = runs.flatMap((run) =>
    Object.entries(run.summary?.state ?? {}).map(([name, s]) => {
      const missed = s.missed > 0 ? `<span class="badge warn">${escapeHtml(formatCount(s.missed))}</span>` : '0';
      return `<tr>${compare ? `<td>${escapeHtml(run.label)}</td>` : ''}<td><code>state:${escapeHtml(name)}</code></td><td>${escapeHtml(s.source)}</td><td class="num">${escapeHtml(formatCount(s.readings))}</td><td class="num">${missed}</td><td>${escapeHtml(s.lastMiss ?? '–')}</td></tr>`;
    }),
  );
  if (rows.length === 0 && figures.length === 0) return '';
  const table = rows.length
    ? `<table><thead><tr>${compare ? '<th>run</th>' : ''}<th>metric</th><th>from</th><th class="num">readings</th><th class="num">missed</th><th>last reason missed</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '';
  return `<section><h2>State</h2><p class="note">Numbers read from the target's state each sample (the scenario's <code>state</code>). A missed reading (no file yet, a locked database, a slow or failing page) leaves a gap, never a zero.</p>${table}\n${figures.join('\n')}</section>`;
}

function chartCaption(chart: Chart, runs: PageRun[], baseline: Baseline | undefined): string {
  if (!chart.fitMetric) return '';
  const parts = runs.flatMap((run) => {
    const m = run.summary?.metrics[chart.fitMetric!];
    if (!m) return [];
    const who = runs.length > 1 ? `<b>${escapeHtml(run.label)}</b>: ` : '';
    const perOps = m.slopePer1kOps === null ? '' : `, ${escapeHtml(signed(m.slopePer1kOps, m.unit, PER_1K_OPS))}`;
    const rise = m.lateRise;
    const late = rise
      ? `, rising since ${escapeHtml(formatDuration(rise.sinceS))} at ${escapeHtml(signed(rise.slopePerMin, m.unit))} [${escapeHtml(formatQuantity(rise.ciLow, m.unit))}, ${escapeHtml(formatQuantity(rise.ciHigh, m.unit))}]`
      : '';
    return [`${who}${escapeHtml(chart.fitMetric!)} ${escapeHtml(signed(m.slopePerMin, m.unit))} [${escapeHtml(formatQuantity(m.ciLow, m.unit))}, ${escapeHtml(formatQuantity(m.ciHigh, m.unit))}]${perOps}${late} ${verdictBadge(m.verdict)}`];
  });
  const b = runs.length === 1 ? baseline?.[chart.fitMetric] : undefined;
  const unit = runs[0]?.summary?.metrics[chart.fitMetric]?.unit ?? 'count';
  if (b) parts.push(`baseline ${escapeHtml(signed(b.slopePerMin, unit))} [${escapeHtml(formatQuantity(b.ciLow, unit))}, ${escapeHtml(formatQuantity(b.ciHigh, unit))}] (green band)`);
  return parts.length ? `<figcaption>${parts.join(' · ')}</figcaption>` : '';
}

/** A failed load first and in red: every figure below was measured on a target the load did not reach. */
function loadFailedLines(runs: PageRun[], compare: boolean): string {
  return runs
    .filter((run) => run.summary?.load?.failed)
    .map((run) => `<p class="failed">${compare ? `${escapeHtml(run.label)}: ` : ''}${escapeHtml(run.summary!.load!.failed)}. The load did not fully reach the target: flat metrics say little, growth is real.</p>`)
    .join('');
}

/** Per storm: what its load did, with the operations skipped at its in-flight cap. */
function loadSection(runs: PageRun[], compare: boolean): string {
  const rows = runs.flatMap((run) =>
    (run.summary?.load?.storms ?? []).map((s: StormLoad) => {
      const causes = Object.entries(s.errorCauses).map(([cause, n]) => `${cause} ${formatCount(n)}`).join(', ');
      const worst = s.worstMinute ? `minute ${s.worstMinute.minute}: ${formatCount(s.worstMinute.errors)} of ${formatCount(s.worstMinute.requests)}` : '–';
      const share = s.errorShare === null ? '–' : formatShare(s.errorShare);
      const shareCell = s.errorShare !== null && s.errorShare > (run.summary?.load?.maxErrorShare ?? 1) ? `<span class="badge bad">${share}</span>` : escapeHtml(share);
      return `<tr>${compare ? `<td>${escapeHtml(run.label)}</td>` : ''}<td>${s.storm}</td><td><code>${escapeHtml(s.label)}</code></td><td class="num">${escapeHtml(formatCount(s.requests))}</td><td class="num">${escapeHtml(formatCount(s.errors))}</td><td class="num">${shareCell}</td><td class="num">${escapeHtml(formatCount(s.skipped))}</td><td>${escapeHtml(causes || '–')}</td><td>${escapeHtml(worst)}</td></tr>`;
    }),
  );
  if (rows.length === 0) return '';
  return `<section><h2>Load</h2><p class="note">Requests finished per storm (answered, failed or timed out); skipped: operations due while the storm's in-flight cap (maxInFlight) was reached, never sent. Minutes count from the end of warmup.</p><table><thead><tr>${compare ? '<th>run</th>' : ''}<th>storm</th><th>request</th><th class="num">requests</th><th class="num">errors</th><th class="num">error share</th><th class="num">skipped</th><th>most common errors</th><th>worst minute</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function headline(runs: PageRun[]): string {
  return runs
    .map((run) => {
      const s = run.summary;
      const scenario = scenarioName(run);
      const verdicts = Object.values(s?.metrics ?? {}).reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.verdict]: (acc[m.verdict] ?? 0) + 1 }), {});
      const ops = Object.entries(s?.operations ?? {}).map(([k, n]) => `${escapeHtml(formatCount(n))} ${escapeHtml(k)}`).join(', ');
      const gate = s?.gate ? ` · gate <span class="badge ${s.gate.pass ? 'good' : 'bad'}">${s.gate.pass ? 'pass' : 'fail'}</span>` : '';
      return `<li><b>${escapeHtml(run.label)}</b>${scenario ? ` · scenario <code>${escapeHtml(scenario)}</code>` : ''} · ${escapeHtml(formatDuration(s?.durationS ?? run.sampledS))} · ${run.samples} samples${ops ? ` · ${ops}` : ''}${Object.entries(verdicts).map(([v, n]) => ` · ${n} ${verdictBadge(v)}`).join('')}${gate}</li>`;
    })
    .join('');
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;margin:0 auto;padding:16px 24px 48px;max-width:1240px;background:#fafafa}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}h4{font-size:14px;margin:12px 0 4px}
table{border-collapse:collapse;margin:6px 0 12px;background:#fff;font-size:13px;max-width:100%}th,td{border:1px solid #e2e2e2;padding:4px 8px;text-align:left;vertical-align:top}thead th{background:#f0f0f0}
.num{text-align:right}.note{color:#666}code{font:12px ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}pre{background:#fff;border:1px solid #e2e2e2;padding:8px;overflow:auto;max-height:320px;white-space:pre-wrap;overflow-wrap:anywhere}.wrap{overflow-wrap:anywhere}
.badge{display:inline-block;white-space:nowrap;padding:0 6px;border-radius:8px;font-size:12px;font-weight:600}.good{background:#dff3e0;color:#1b5e20}.bad{background:#fde0dc;color:#b71c1c}.warn{background:#fff3cd;color:#7a5a00}
.failed{color:#b71c1c;font-weight:600;margin:8px 0}
.answer{background:#fff;border:1px solid #e2e2e2;padding:6px 14px;margin:12px 0}.verdict{font-size:15px;margin:8px 0}.verdict .badge{font-size:13px}
.notices{background:#fff3cd;border:1px solid #f0d98a;padding:8px 12px 8px 28px;margin:12px 0}
figure{margin:12px 0 20px;background:#fff;border:1px solid #e2e2e2;padding:8px;overflow-x:auto}figure svg{max-width:100%;height:auto}figure h3{margin:0 0 4px}figcaption{font-size:13px;color:#333;margin-top:4px}
ol.path{margin:0;padding-left:18px;font:12px ui-monospace,Menlo,Consolas,monospace}ul.runs{padding-left:18px}
table.kv th{font-weight:500;color:#444;background:#f7f7f7;overflow-wrap:anywhere}table.kv td{white-space:pre-wrap;overflow-wrap:anywhere}
`;

interface SeriesRun {
  r: string;
  s: string;
  t: number[];
  v: number[];
}

/**
 * The chart's spec with its series rows moved out into runs of one run and one series each, as columns: a
 * third of the bytes of row objects, which keeps an hour-long compare under the report's 3 MB. The page's
 * script puts the rows back before vega-embed sees the spec.
 */
function packSeries(chart: Chart): { id: string; spec: unknown; series: SeriesRun[] } {
  const { datasets, ...spec } = chart.interactiveSpec as { datasets: Record<string, SeriesRow[]> };
  const series: SeriesRun[] = [];
  for (const row of datasets[SERIES_DATASET]) {
    let last = series[series.length - 1];
    if (!last || last.r !== row.r || last.s !== row.s) series.push((last = { r: row.r, s: row.s, t: [], v: [] }));
    last.t.push(row.t);
    last.v.push(row.v);
  }
  return { id: chart.id, spec: { ...spec, datasets: { ...datasets, [SERIES_DATASET]: [] } }, series };
}

/** Swaps each static SVG for vega-embed's live view once it has drawn; on failure the static SVG stays. */
const EMBED_SCRIPT = `
(function () {
  var charts = JSON.parse(document.getElementById('soakgate-charts').textContent);
  charts.forEach(function (c) {
    var rows = c.spec.datasets.${SERIES_DATASET};
    c.series.forEach(function (run) {
      for (var i = 0; i < run.t.length; i++) rows.push({ r: run.r, s: run.s, t: run.t[i], v: run.v[i] });
    });
    var figure = document.getElementById('chart-' + c.id);
    var live = figure.querySelector('.live');
    vegaEmbed(live, c.spec, { actions: false, renderer: 'svg', mode: 'vega-lite' }).then(function () {
      figure.querySelector('.static').remove();
      live.hidden = false;
    }).catch(function (err) { console.error('soakgate report: chart ' + c.id + ' stays static:', err); });
  });
})();
`;

const STATE_CLASS: Record<VerdictState, string> = { pass: 'good', flat: 'good', fail: 'bad', growing: 'bad', crashed: 'bad', inconclusive: 'warn', 'no verdict': 'warn' };

/** The answer first: per run its verdict and why (reports/verdictLines.ts), a failed load, and what to know. */
function answerSection(runs: PageRun[], verdicts: RunVerdict[], notices: string[]): string {
  const lines = runs.map((run, i) => {
    const { state, why } = verdicts[i];
    return `<p class="verdict"><b>${escapeHtml(run.label)}</b> <span class="badge ${STATE_CLASS[state]}">${state}</span> ${escapeHtml(why)}</p>`;
  });
  const notes = notices.length ? `<ul class="notices">${notices.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<section class="answer">${lines.join('')}${loadFailedLines(runs, runs.length > 1)}</section>${notes}`;
}

type Figure = PageModel['charts'][number];

/**
 * The charts of the metrics that decided the verdicts, in chart order, and the others; a page always opens with a
 * chart (the first growth chart when no verdict names a metric).
 */
function splitCharts(charts: Figure[], verdicts: RunVerdict[]): { deciding: Figure[]; growth: Figure[]; state: Figure[] } {
  const metrics = verdicts.flatMap((v) => v.deciding);
  let deciding = charts.filter(({ chart }) => metrics.some((m) => chartDraws(chart, m)));
  if (deciding.length === 0) deciding = charts.filter(({ chart }) => chart.section === 'growth').slice(0, 1);
  const rest = charts.filter((c) => !deciding.includes(c));
  return { deciding, growth: rest.filter(({ chart }) => chart.section === 'growth'), state: rest.filter(({ chart }) => chart.section === 'state') };
}

export function renderPage(model: PageModel, vegaBundles: VegaBundles): string {
  const compare = model.runs.length > 1;
  const notices = [...model.notices, ...model.runs.flatMap(runNotices)];
  const verdicts = model.runs.map(runVerdict);
  const figure = ({ chart, svg }: Figure) =>
    `<figure id="chart-${chart.id}"><h3>${escapeHtml(chart.title)}</h3><div class="static">${svg}</div><div class="live" hidden></div>${chartCaption(chart, model.runs, model.baseline)}${chart.id === 'tree-rss' ? processTreeTable(model.runs) : ''}</figure>`;
  const charts = splitCharts(model.charts, verdicts);
  const specs = model.charts.map(({ chart }) => packSeries(chart));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(model.title)}</h1>
${answerSection(model.runs, verdicts, notices)}
<section><h2>What decided it</h2><p class="note">Grey bands: phases outside steady load. Dashed line and shaded wedge: the fitted slope and its 95% interval, and a second from where a late rise began${model.baseline && !compare ? '; green band: the baseline' : ''}. Markers: restarts, heap snapshots, target exits. With JavaScript: hover for values, drag or scroll to zoom time, double-click to reset.</p>
${charts.deciding.map(figure).join('\n')}</section>
<section><h2>Details</h2><ul class="runs">${headline(model.runs)}</ul></section>
${model.runs.map((r) => crashBlock(r, compare)).join('')}
${differencesSection(model.differences)}
${loadSection(model.runs, compare)}
<section><h2>Growth per metric</h2>${metricsTable(model.runs, model.baseline)}</section>
${model.runs.map((r) => gateSection(r, compare)).join('')}
${model.runs.map((r) => heapSection(r, compare)).join('')}
${charts.growth.length ? `<section><h2>Other charts</h2>${charts.growth.map(figure).join('\n')}</section>` : ''}
${stateSection(model.runs, charts.state.map(figure))}
${eventsSection(model.runs)}
${metadataSection(model.runs)}
<p class="note">Generated by soakgate at ${escapeHtml(model.generatedAt)}.</p>
<script>${safeScriptSource(vegaBundles.vega)}</script>
<script>${safeScriptSource(vegaBundles.vegaLite)}</script>
<script>${safeScriptSource(vegaBundles.vegaEmbed)}</script>
<script type="application/json" id="soakgate-charts">${safeJsonForScript(specs)}</script>
<script>${EMBED_SCRIPT}</script>
</body></html>
`;
}
