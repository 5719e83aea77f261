// Durations as a scenario file and the command line write them: '500ms', '90s', '10m', '1h' or a number of seconds.
const DURATION_TEXT = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const SECONDS_PER_UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** '500ms' | '90s' | '10m' | '1h' (decimals allowed) or a number of seconds ('90' or 90); returns seconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new RangeError(`expected a duration of 0 seconds or more, got ${value}`);
  }
  const match = DURATION_TEXT.exec(value.trim());
  if (!match) throw new RangeError(`expected a duration such as 500ms, 90s, 10m or 1h, got '${value}'`);
  return Number(match[1]) * SECONDS_PER_UNIT[match[2]];
}
