// How soakgate writes quantities for a person: bytes, durations, rates per minute and per 1,000 operations, counts
// and shares, one convention for budgets, the gate, the report, the progress line, compare and the CLI
// (docs/ARCHITECTURE.md, "Units"). Bytes are binary, labelled so: KiB, MiB, GiB (powers of 1,024), since the
// kernel's RSS, V8's heap and every floor that matters count in them. Pure.

/** The unit of a metric's values (summary.json's `unit`). */
export type Unit = 'bytes' | 'count' | 'ms' | 'percent';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Largest first: the first step a value reaches is the one it is written in. */
const BYTE_STEPS: ReadonlyArray<readonly [number, string]> = [[GiB, 'GiB'], [MiB, 'MiB'], [KiB, 'KiB'], [1, 'B']];

/** What a rate is per: a minute of run time, or 1,000 operations (each successful request once). */
export const PER_MIN = '/min';
export const PER_1K_OPS = '/1k ops';

/** The binary step a byte value is best read in: its divisor and label (B, KiB, MiB, GiB). */
export function byteScale(bytes: number): { divisor: number; label: string } {
  const abs = Math.abs(bytes);
  const [divisor, label] = BYTE_STEPS.find(([step]) => abs >= step) ?? BYTE_STEPS[BYTE_STEPS.length - 1];
  return { divisor, label };
}

/** 38.1 MiB, 512 B: one decimal above a KiB, whole bytes below. */
export function formatBytes(bytes: number): string {
  const { divisor, label } = byteScale(bytes);
  return `${(bytes / divisor).toFixed(divisor === 1 ? 0 : 1)} ${label}`;
}

const UNIT_SUFFIX: Record<Unit, string> = { bytes: '', count: '', ms: ' ms', percent: '%' };

/** A value in its unit: 38.1 MiB, 12, 3.1 ms; two significant decimals for small counts. */
export function formatQuantity(value: number, unit: Unit): string {
  if (unit === 'bytes') return formatBytes(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${UNIT_SUFFIX[unit]}`;
}

/** A rate a person reads: 38.1 MiB/min, 12/min, 3.1 ms/min, 976.6 KiB/1k ops; `per` may be any suffix (' a day'). */
export function formatRate(value: number, unit: Unit, per = PER_MIN): string {
  return `${formatQuantity(value, unit)}${per}`;
}

/** A growth with its sign: +4.9 MiB/min, -12/min. */
export function formatSignedRate(value: number, unit: Unit, per = PER_MIN): string {
  return `${value > 0 ? '+' : ''}${formatRate(value, unit, per)}`;
}

/** A count with thousands separators and as many decimals as its size calls for: 12,345, 42.5, 0.125. */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: abs >= 100 ? 0 : abs >= 1 ? 2 : 3 });
}

/** One decimal where rounding would hide that a share is over its limit (50.4% is not 50%). */
export function formatShare(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}

/** A span of run time in words: 45 s, 2 min 5 s, 1 h 3 min. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

/** A run clock in fixed width for a redrawn line: 2m05s, 1h03m. */
export function formatClock(seconds: number): string {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

/** Both conventions read as they are written: KiB, MiB, GiB are powers of 1,024; kB, MB, GB powers of 1,000. */
const SIZE_SUFFIXES: Record<string, number> = { b: 1, kib: KiB, mib: MiB, gib: GiB, kb: 1e3, mb: 1e6, gb: 1e9 };

/** `1GiB`, `512MiB`, `1GB` (10^9), `800000000` -> bytes; null for anything else. */
export function readByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const scale = m ? SIZE_SUFFIXES[(m[2] || 'b').toLowerCase()] : undefined;
  return m && scale !== undefined ? Math.round(Number(m[1]) * scale) : null;
}
