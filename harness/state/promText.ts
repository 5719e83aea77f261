// Reads one number out of Prometheus text exposition (the format of a `/metrics` page, OpenMetrics text too): the
// sum of the samples of one name whose labels include the given ones. prom-client writes this format but does
// not parse it. Pure: text in, number out; only the lines of the named metric are parsed.
import type { StateReading } from './stateReadings.ts';

/**
 * Sums the samples named `metric` (the sample's own name, such as `http_requests_total` or `latency_bucket`) whose
 * labels include every pair of `labels`. A metric with no matching sample, or a sum that is not a number, is a
 * missed reading saying why.
 */
export function sumExposition(text: string, metric: string, labels: Record<string, string> = {}): StateReading {
  let sum = 0;
  let matched = 0;
  let named = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith(metric)) continue;
    const next = line.charAt(metric.length);
    if (next !== '{' && next !== ' ' && next !== '\t') continue;
    const sample = parseSampleLine(line, metric.length);
    if (!sample) continue;
    named++;
    if (Object.entries(labels).every(([name, value]) => sample.labels[name] === value)) {
      sum += sample.value;
      matched++;
    }
  }
  if (matched === 0) {
    if (named > 0) return { missed: `none of the ${named} samples of ${metric} has the labels ${formatLabels(labels)}` };
    const similar = similarNames(text, metric);
    return { missed: `no sample named ${metric}${similar.length ? ` (there are ${similar.join(', ')})` : ''}` };
  }
  if (!Number.isFinite(sum)) return { missed: `${metric} sums to ${sum}` };
  return { value: sum };
}

/** Label set and value of one sample line, from just after its name; null for a line that does not parse. */
function parseSampleLine(line: string, at: number): { labels: Record<string, string>; value: number } | null {
  const labels: Record<string, string> = {};
  let i = at;
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const eq = line.indexOf('=', i);
      if (eq < 0 || line[eq + 1] !== '"') return null;
      const name = line.slice(i, eq).trim();
      let value = '';
      let j = eq + 2;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] !== '\\') value += line[j];
        else {
          j++;
          value += line[j] === 'n' ? '\n' : line[j];
        }
      }
      if (j >= line.length) return null;
      labels[name] = value;
      i = j + 1;
    }
  }
  // The value, then an optional timestamp (and in OpenMetrics an exemplar after '#').
  const value = parseValue(line.slice(i).trim().split(/\s+/)[0] ?? '');
  return value === null ? null : { labels, value };
}

function parseValue(text: string): number | null {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (text === '' || !/^[-+]?(\d|\.\d)/.test(text)) return null;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

function formatLabels(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',')}}`;
}

/** Up to three sample names that share the metric's first word, to point at a likely typo or a missing suffix. */
function similarNames(text: string, metric: string): string[] {
  const stem = metric.split('_')[0];
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(stem)) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (name && name !== metric) names.add(name);
    if (names.size === 3) break;
  }
  return [...names];
}
