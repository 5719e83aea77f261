// The report's charts as vega-lite specifications: which series each chart draws from the samples (downsampled
// to the chart's pixels so spikes survive), with phase bands, event markers, the fitted slope and the baseline.
// Pure: takes parsed runs, returns specs.
import type { TopLevelSpec } from 'vega-lite';
import { chartMetrics, unitOf } from '../harness/analysis/metricCatalogue.ts';
import { segmentIntercepts } from '../harness/analysis/segments.ts';
import { metricSeries } from '../harness/analysis/series.ts';
import { senIntercept } from '../harness/analysis/theilSen.ts';
import type { Sample } from '../harness/contracts/sample.ts';
import type { Summary } from '../harness/contracts/summary.ts';
import { byteScale } from '../harness/analysis/units.ts';

/** One run as the charts see it; a crashed run has no summary and then gets no fitted line. */
export interface ChartRun {
  label: string;
  samples: Sample[];
  summary?: Summary;
}

/** A metric's slope on a known-good target, per minute, with its interval. */
export interface BaselineSlope {
  slopePerMin: number;
  ciLow: number;
  ciHigh: number;
}
export type Baseline = Record<string, BaselineSlope>;

export type ChartUnit = 'bytes' | 'count' | 'ms' | 'perSecond';

export interface Chart {
  /** Safe for an HTML id: letters, digits and dashes only. */
  id: string;
  title: string;
  unit: ChartUnit;
  /** The metric whose fitted slope (and baseline) this chart draws, as named in summary.json. */
  fitMetric?: string;
  /** The page section it goes in: the growth charts, or the scenario's state readings. */
  section: 'growth' | 'state';
  /** Without interaction, for the inline SVG that reads without JavaScript. */
  staticSpec: TopLevelSpec;
  /** The same chart with tooltips and zoom on the time axis, for vega-embed. */
  interactiveSpec: TopLevelSpec;
}

export const CHART_WIDTH = 760;
export const CHART_HEIGHT = 220;

interface Point {
  t: number;
  v: number;
}

interface ChartDef {
  id: string;
  title: string;
  unit: ChartUnit;
  fitMetric?: string;
  section?: Chart['section'];
  /** Lines of which at least one must have data for the chart to be drawn; default: any line. */
  needs?: string[];
  /** The values this chart draws at one sample, by series name; `previous` is the sample before it, for rates. */
  read(sample: Sample, previous: Sample | undefined): Array<[string, number]>;
}

function gauges(...pairs: Array<[series: string, metric: string]>): ChartDef['read'] {
  return (sample) => pairs.filter(([, m]) => Number.isFinite(sample.metrics[m])).map(([s, m]) => [s, sample.metrics[m]]);
}

/**
 * A chart of the catalogue's metrics for `id` (harness/analysis/metricCatalogue.ts): their lines in catalogue
 * order, the slope of the one it fits, and the lines it needs one of to be drawn at all: the main process's RSS,
 * a line for comparison on the process tree's chart, does not make a process tree.
 */
function catalogued(id: string, title: string, unit: ChartUnit, extra?: ChartDef['read']): ChartDef {
  const { series, own, fitMetric } = chartMetrics(id);
  const read = gauges(...series);
  return {
    id,
    title,
    unit,
    ...(fitMetric ? { fitMetric } : {}),
    ...(extra ? {} : { needs: own }),
    read: extra ? (sample, previous) => [...read(sample, previous), ...extra(sample, previous)] : read,
  };
}

function counts(record: Record<string, number> | undefined): Array<[string, number]> {
  return Object.entries(record ?? {}).filter(([, n]) => Number.isFinite(n));
}

const CHARTS: ChartDef[] = [
  catalogued('rss', 'Resident set size (RSS) and its settled low point', 'bytes'),
  catalogued('tree-rss', 'RSS of the process tree: the target and all its descendants', 'bytes'),
  // The floor after garbage collection is the leak signal; heap used is a sawtooth around it.
  catalogued('heap', 'V8 heap used and its post-GC floor', 'bytes'),
  catalogued('workers', "The worker threads' V8 heaps, summed, each as it last answered the probe", 'bytes'),
  catalogued('sessions-file', 'sessions.json size', 'bytes'),
  catalogued('transcript-bytes', 'Transcript bytes', 'bytes'),
  catalogued('transcript-files', 'Transcript files', 'count'),
  catalogued('sessions-kind', 'Sessions by kind', 'count', (s) => counts(s.sessions?.byKind)),
  { id: 'sessions-status', title: 'Sessions by status', unit: 'count', read: (s) => counts(s.sessions?.byStatus) },
  catalogued('event-loop', 'Event-loop delay', 'ms'),
  {
    id: 'latency',
    title: 'Request latency (per sample window)',
    unit: 'ms',
    read: (s) => {
      const w = s.window;
      const pairs: Array<[string, number | null | undefined]> = [
        ['p50', w?.latencyP50Ms],
        ['p99', w?.latencyP99Ms],
        ['max', w?.latencyMaxMs],
      ];
      return pairs.filter((p): p is [string, number] => Number.isFinite(p[1]));
    },
  },
  {
    id: 'throughput',
    title: 'Throughput and errors',
    unit: 'perSecond',
    read: (s, previous) => {
      const seconds = previous ? s.t - previous.t : 0;
      if (!s.window || !(seconds > 0)) return [];
      return [
        ['requests/s', s.window.requests / seconds],
        ['errors/s', s.window.errors / seconds],
      ];
    },
  },
];

/** Watched files (`file:<label>`) get a chart each, after the well-known ones. */
function fileCharts(runs: ChartRun[]): ChartDef[] {
  const names = new Set<string>();
  for (const run of runs) for (const s of run.samples) for (const m of Object.keys(s.metrics)) if (m.startsWith('file:')) names.add(m);
  return [...names].sort().map((name, i) => ({
    id: `file-${i + 1}`,
    title: `Watched file ${name.slice('file:'.length)}`,
    unit: 'bytes' as const,
    fitMetric: name,
    read: gauges([name.slice('file:'.length), name]),
  }));
}

/** State readings (`state:<name>`) get a chart each, in the page's State section. */
function stateCharts(runs: ChartRun[]): ChartDef[] {
  const names = new Set<string>();
  for (const run of runs) for (const s of run.samples) for (const m of Object.keys(s.metrics)) if (m.startsWith('state:')) names.add(m);
  return [...names].sort().map((name, i) => {
    const unit = unitOf(name);
    return {
      id: `state-${i + 1}`,
      title: `State ${name.slice('state:'.length)}`,
      unit: unit === 'bytes' || unit === 'ms' ? unit : 'count',
      fitMetric: name,
      section: 'state' as const,
      read: gauges([name.slice('state:'.length), name]),
    };
  });
}

/**
 * Keeps each time bucket's lowest and highest point, so a spike survives downsampling and a chart never
 * holds more points than it has pixels (two points per two-pixel bucket). Points must be in time order.
 */
export function downsampleMinMax(points: Point[], tMin: number, tMax: number, maxPoints: number): Point[] {
  if (points.length <= maxPoints || !(tMax > tMin)) return points;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const lowest = new Array<number>(buckets).fill(-1);
  const highest = new Array<number>(buckets).fill(-1);
  points.forEach((p, i) => {
    // Clamped: the axis ends are rounded for whole ticks, so the first and last points may fall just outside.
    const b = Math.max(0, Math.min(buckets - 1, Math.floor(((p.t - tMin) / (tMax - tMin)) * buckets)));
    if (lowest[b] < 0 || p.v < points[lowest[b]].v) lowest[b] = i;
    if (highest[b] < 0 || p.v > points[highest[b]].v) highest[b] = i;
  });
  const kept: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    if (lowest[b] < 0) continue;
    const [first, second] = lowest[b] <= highest[b] ? [lowest[b], highest[b]] : [highest[b], lowest[b]];
    kept.push(points[first]);
    if (second !== first) kept.push(points[second]);
  }
  return kept;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The time axis: minutes, or seconds for a run shorter than a few minutes (a CI gate), so ticks read whole. */
interface TimeAxis {
  unitS: 1 | 60;
  name: 'second' | 'minute';
}

const SECONDS_AXIS_BELOW_S = 180;

function timeAxis(spanS: number): TimeAxis {
  return spanS < SECONDS_AXIS_BELOW_S ? { unitS: 1, name: 'second' } : { unitS: 60, name: 'minute' };
}

const toX = (seconds: number, axis: TimeAxis) => round(seconds / axis.unitS, 4);

/** The name of the dataset holding the drawn series, shared by the line and tooltip layers. */
export const SERIES_DATASET = 'series';

/** One drawn point: run label, series name, time since start (in the chart's time unit), value. */
export interface SeriesRow {
  r: string;
  s: string;
  t: number;
  v: number;
}

interface FitRow {
  r: string;
  /** Which line the row belongs to: one per run and segment. */
  seg: string;
  t: number;
  fit: number;
  lo: number;
  hi: number;
}

/**
 * The fitted line over the window the analysis fitted (after warmup, without restarts, snapshots' disturbance and
 * cooldown), drawn over each process's own points (one slope, an intercept per segment, as the analysis fits it),
 * and the wedge between the lines at the interval's two slopes; a late rise's own line and wedge from where it began
 * (docs/ARCHITECTURE.md, "Verdicts"); plus the baseline's wedge from the line's start.
 */
function fitLines(run: ChartRun, metric: string, baseline: BaselineSlope | undefined, axis: TimeAxis): { fit: FitRow[]; base: FitRow[] } {
  const m = run.summary?.metrics[metric];
  const series = metricSeries(run.samples, metric, 0);
  if (!m || series.tS.length < 2 || ![m.slopePerMin, m.ciLow, m.ciHigh].every(Number.isFinite)) return { fit: [], base: [] };
  // Slopes are per minute; the axis may count seconds.
  const perX = axis.unitS / 60;
  const xs = series.tS.map((t) => t / axis.unitS);
  /** Lines at the three slopes over the points `at`, one per segment (`seg` keeps them apart), and the first line. */
  const linesOver = (at: number[], slopesPerMin: number[], tag: string) => {
    const x = at.map((i) => xs[i]);
    const segment = at.map((i) => series.segment[i]);
    const [fitAt, lowAt, highAt] = slopesPerMin.map((slopePerMin) => {
      const slope = slopePerMin * perX;
      const intercepts = segmentIntercepts(x, at.map((i) => series.values[i]), segment, slope);
      return (xAt: number, seg: number) => round(intercepts.get(seg)! + slope * xAt, 3);
    });
    const rows: FitRow[] = [];
    for (const own of [...new Set(segment)]) {
      const ownX = x.filter((_, i) => segment[i] === own);
      const seg = `${run.label} ${tag}${own}`;
      for (const xAt of [ownX[0], ownX[ownX.length - 1]]) {
        rows.push({ r: run.label, seg, t: round(xAt, 4), fit: fitAt(xAt, own), lo: lowAt(xAt, own), hi: highAt(xAt, own) });
      }
    }
    return { rows, fitAt };
  };
  const whole = linesOver(xs.map((_, i) => i), [m.slopePerMin, m.ciLow, m.ciHigh], '');
  const fit = whole.rows;
  const rise = m.lateRise;
  const tail = rise ? xs.flatMap((x, i) => (x >= rise.sinceS / axis.unitS ? [i] : [])) : [];
  if (rise && tail.length >= 2) fit.push(...linesOver(tail, [rise.slopePerMin, rise.ciLow, rise.ciHigh], 'late rise ').rows);
  if (!baseline) return { fit, base: [] };
  const ends = [xs[0], xs[xs.length - 1]];
  const y0 = whole.fitAt(ends[0], series.segment[0]);
  const from = (slopePerMin: number, x: number) => round(y0 + slopePerMin * perX * (x - ends[0]), 3);
  const base = ends.map((x) => ({ r: run.label, seg: run.label, t: round(x, 4), fit: from(baseline.slopePerMin, x), lo: from(baseline.ciLow, x), hi: from(baseline.ciHigh, x) }));
  return { fit, base };
}

/** Stretches of the first run spent outside steady load (warmup, paused, restarting, cooldown). */
function phaseBands(samples: Sample[], axis: TimeAxis): Array<{ phase: string; t0: number; t1: number }> {
  const bands: Array<{ phase: string; t0: number; t1: number }> = [];
  samples.forEach((s, i) => {
    const last = bands[bands.length - 1];
    const end = toX(samples[i + 1]?.t ?? s.t, axis);
    if (last && last.phase === s.phase && last.t1 === toX(s.t, axis)) last.t1 = end;
    else if (s.phase !== 'load') bands.push({ phase: s.phase, t0: toX(s.t, axis), t1: end });
  });
  return bands;
}

const MARKED_EVENTS = new Set(['restart', 'snapshot', 'target-exit']);

function markers(runs: ChartRun[], axis: TimeAxis): Array<{ r: string; type: string; t: number; detail: string }> {
  return runs.flatMap((run) =>
    run.samples.flatMap((s) =>
      (s.events ?? [])
        .filter((e) => MARKED_EVENTS.has(e.type) && Number.isFinite(e.t))
        .map((e) => ({
          r: run.label,
          type: e.type,
          t: toX(e.t, axis),
          detail: [e.detail, e.durationMs !== undefined ? `blocked ${Math.round(e.durationMs)} ms` : ''].filter(Boolean).join(', '),
        })),
    ),
  );
}

/** How the value axis reads: bytes scaled to B, KiB, MiB or GiB, as harness/analysis/units.ts writes them everywhere. */
interface ValueAxis {
  title: string;
  divisor: number;
  format: string;
  /** Appended to a value in the tooltip; one of a fixed few, so it is safe inside the vega expression. */
  suffix: string;
}

function valueAxis(unit: ChartUnit, rows: SeriesRow[]): ValueAxis {
  if (unit === 'bytes') {
    const { divisor, label } = byteScale(rows.reduce((m, r) => Math.max(m, Math.abs(r.v)), 0));
    return { title: label, divisor, format: ',.4~r', suffix: ` ${label}` };
  }
  if (unit === 'count') return { title: 'count', divisor: 1, format: ',~r', suffix: '' };
  if (unit === 'ms') return { title: 'milliseconds', divisor: 1, format: ',.3~r', suffix: ' ms' };
  return { title: 'per second', divisor: 1, format: ',.3~r', suffix: '/s' };
}

const MARKER_COLOR = { condition: { test: "datum.type === 'restart'", value: '#d62728' }, value: '#7b4173' };

/** Builds every chart that has data in at least one run; with several runs, colour tells the runs apart. */
export function buildCharts(runs: ChartRun[], options: { baseline?: Baseline } = {}): Chart[] {
  let firstS = Infinity;
  let lastS = -Infinity;
  for (const run of runs) for (const s of run.samples) [firstS, lastS] = [Math.min(firstS, s.t), Math.max(lastS, s.t)];
  if (!(lastS >= firstS)) return [];
  const axis = timeAxis(lastS - firstS);
  const [tMin, tMax] = [toX(firstS, axis), toX(lastS, axis)];
  const bands = phaseBands(runs[0].samples, axis);
  const marks = markers(runs, axis);
  const charts: Chart[] = [];
  for (const def of [...CHARTS, ...fileCharts(runs), ...stateCharts(runs)]) {
    const rows: SeriesRow[] = [];
    for (const run of runs) {
      const bySeries = new Map<string, Point[]>();
      run.samples.forEach((s, i) => {
        for (const [series, v] of def.read(s, run.samples[i - 1])) {
          let points = bySeries.get(series);
          if (!points) bySeries.set(series, (points = []));
          points.push({ t: s.t / axis.unitS, v });
        }
      });
      for (const [series, points] of bySeries) {
        for (const p of downsampleMinMax(points, tMin, tMax, CHART_WIDTH)) rows.push({ r: run.label, s: series, t: round(p.t, 4), v: p.v });
      }
    }
    if (rows.length === 0 || (def.needs && !rows.some((r) => def.needs!.includes(r.s)))) continue;
    const values = valueAxis(def.unit, rows);
    // Six significant digits: finer than a pixel, and a wedge of a few KiB on a MiB axis keeps its slope.
    const scaled = (n: number) => Number((n / values.divisor).toPrecision(6));
    for (const row of rows) row.v = scaled(row.v);
    const fits = def.fitMetric
      ? runs.map((run) => fitLines(run, def.fitMetric!, runs.length === 1 ? options.baseline?.[def.fitMetric!] : undefined, axis))
      : [];
    const layout: Layout = {
      def,
      rows,
      runLabels: runs.map((r) => r.label),
      seriesNames: [...new Set(rows.map((r) => r.s))],
      fit: fits.flatMap((f) => f.fit).map((f) => ({ ...f, fit: scaled(f.fit), lo: scaled(f.lo), hi: scaled(f.hi) })),
      base: fits.flatMap((f) => f.base).map((f) => ({ ...f, fit: scaled(f.fit), lo: scaled(f.lo), hi: scaled(f.hi) })),
      bands,
      marks,
      domain: [tMin, tMax],
      axis,
      values,
    };
    charts.push({
      id: def.id,
      title: def.title,
      unit: def.unit,
      ...(def.fitMetric ? { fitMetric: def.fitMetric } : {}),
      section: def.section ?? 'growth',
      staticSpec: chartSpec(layout, false),
      interactiveSpec: chartSpec(layout, true),
    });
  }
  return charts;
}

interface Layout {
  def: ChartDef;
  rows: SeriesRow[];
  runLabels: string[];
  seriesNames: string[];
  fit: FitRow[];
  base: FitRow[];
  bands: Array<{ phase: string; t0: number; t1: number }>;
  marks: Array<{ r: string; type: string; t: number; detail: string }>;
  domain: [number, number];
  axis: TimeAxis;
  values: ValueAxis;
}

/** The encodings every layer of one chart shares: time on x, the metric on y, colour by run or by series. */
function chartEncodings(layout: Layout) {
  const { def, runLabels, seriesNames } = layout;
  const compare = runLabels.length > 1;
  const x = { field: 't', type: 'quantitative', title: `${layout.axis.name}s since start`, scale: { domain: layout.domain, nice: false } } as const;
  const y = {
    field: 'v',
    type: 'quantitative',
    title: layout.values.title,
    scale: { zero: def.unit === 'perSecond' },
    axis: { format: layout.values.format, ...(def.unit === 'count' ? { tickMinStep: 1 } : {}) },
  } as const;
  // Stroke symbols at full opacity: otherwise the legend takes its look from the pale interval wedge.
  const legend = {
    orient: 'bottom',
    direction: 'horizontal',
    symbolType: 'stroke',
    symbolStrokeWidth: 2.5,
    encode: { symbols: { update: { opacity: { value: 1 } } } },
  } as const;
  const color = compare
    ? { field: 'r', type: 'nominal', title: 'run', scale: { domain: runLabels }, legend }
    : { field: 's', type: 'nominal', title: 'series', scale: { domain: seriesNames }, legend: seriesNames.length > 1 ? legend : null };
  const strokeDash = compare && seriesNames.length > 1 ? { strokeDash: { field: 's', type: 'nominal', title: 'series', legend } } : {};
  const fitColor = compare ? { color: { field: 'r', type: 'nominal' } } : { color: { value: '#222' } };
  return { compare, x, y, color, strokeDash, fitColor };
}

type Encodings = ReturnType<typeof chartEncodings>;

function chartSpec(layout: Layout, interactive: boolean): TopLevelSpec {
  const enc = chartEncodings(layout);
  const layers: unknown[] = [...underLayers(layout, enc)];
  layers.push({
    data: { name: SERIES_DATASET },
    mark: { type: 'line', strokeWidth: 1.5, interpolate: 'linear' },
    encoding: { x: enc.x, y: enc.y, color: enc.color, detail: { field: enc.compare ? 's' : 'r' }, ...enc.strokeDash },
    ...(interactive ? { params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }] } : {}),
  });
  layers.push(...overLayers(layout, enc, interactive));
  if (interactive) layers.push(hoverLayer(layout, enc));
  return {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    background: 'white',
    datasets: { [SERIES_DATASET]: layout.rows as unknown as Record<string, unknown>[] },
    layer: layers,
    config: { view: { stroke: '#ddd' }, axis: { gridColor: '#eee', labelFontSize: 11, titleFontSize: 11 }, legend: { labelLimit: 260 } },
  } as TopLevelSpec;
}

/** Drawn under the series: the phase bands, the baseline's band and the fitted slope's interval. */
function underLayers(layout: Layout, { x, y, fitColor }: Encodings): unknown[] {
  const layers: unknown[] = [];
  if (layout.bands.length > 0) {
    layers.push(
      { data: { values: layout.bands }, mark: { type: 'rect', color: '#888', opacity: 0.12 }, encoding: { x: { ...x, field: 't0' }, x2: { field: 't1' } } },
      {
        data: { values: layout.bands },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 10, color: '#555' },
        encoding: { x: { ...x, field: 't0' }, y: { value: 0 }, text: { field: 'phase' } },
      },
    );
  }
  if (layout.base.length > 0) {
    layers.push({
      data: { values: layout.base },
      mark: { type: 'area', color: '#2ca02c', opacity: 0.15 },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
    });
  }
  if (layout.fit.length > 0) {
    layers.push({ data: { values: layout.fit }, mark: { type: 'area', opacity: 0.14 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, detail: { field: 'seg' }, ...fitColor } });
  }
  return layers;
}

/** Drawn over the series: the fitted line per segment, and the events' markers. */
function overLayers(layout: Layout, { x, y, fitColor }: Encodings, interactive: boolean): unknown[] {
  const layers: unknown[] = [];
  if (layout.fit.length > 0) {
    layers.push({
      data: { values: layout.fit },
      mark: { type: 'line', strokeDash: [10, 4], strokeWidth: 2.5, opacity: 0.75 },
      encoding: { x, y: { ...y, field: 'fit' }, detail: { field: 'seg' }, ...fitColor },
    });
  }
  if (layout.marks.length > 0) {
    const tooltip = interactive ? { tooltip: [{ field: 'type' }, { field: 'r', title: 'run' }, { field: 't', title: layout.axis.name, format: '.2f' }, { field: 'detail' }] } : {};
    layers.push(
      { data: { values: layout.marks }, mark: { type: 'rule', strokeDash: [2, 2], strokeWidth: 1.5 }, encoding: { x, color: MARKER_COLOR, ...tooltip } },
      {
        data: { values: layout.marks },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 16, fontSize: 10 },
        encoding: { x, y: { value: 0 }, text: { field: 'type' }, color: MARKER_COLOR },
      },
    );
  }
  return layers;
}

/** The interactive page's nearest point under the pointer, with its value in the chart's unit. */
function hoverLayer(layout: Layout, { compare, x, y, color }: Encodings): unknown {
  return {
    data: { name: SERIES_DATASET },
    transform: [{ calculate: `format(datum.v, ',.4~r') + '${layout.values.suffix}'`, as: 'value' }],
    mark: { type: 'point', filled: true, size: 50 },
    encoding: {
      x,
      y,
      color,
      opacity: { condition: { param: 'hover', empty: false, value: 1 }, value: 0 },
      tooltip: [
        ...(compare ? [{ field: 'r', title: 'run' }] : []),
        { field: 's', title: 'series' },
        { field: 't', title: layout.axis.name, format: '.2f' },
        { field: 'value', title: 'value' },
      ],
    },
    params: [{ name: 'hover', select: { type: 'point', on: 'pointerover', nearest: true, clear: 'pointerout' } }],
  };
}
