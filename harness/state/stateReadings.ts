// Every sample, reads the scenario's `state` numbers (metrics `state:<name>`): SQLite queries and Prometheus text.
// A reading that cannot be had (no file yet, a locked database, a slow or failing /metrics) is missed, never an
// error: the metric is absent from that sample and the summary counts the misses (docs/ARCHITECTURE.md, "State
// readings").
import type { Sample } from '../contracts/sample.ts';
import type { Summary } from '../contracts/summary.ts';
import { sumExposition } from './promText.ts';
import { SqliteFile } from './sqliteState.ts';

/** One state reading as the scenario gives it, its SQLite file an absolute path or one in the run folder (stateFiles.ts). */
export type StateSpec =
  | { sqlite: { file: string; query: string } }
  | { prometheus: { url: string; metric: string; labels: Record<string, string> } };

export type StateReading = { value: number } | { missed: string };

/** A /metrics page slower than this is a missed reading: a sample never waits longer for it. */
export const PROMETHEUS_TIMEOUT_MS = 1_000;
/** Distinct reasons noted per reading; past them the summary's last reason still says what went wrong. */
const NOTED_REASONS = 3;

export class StateSampler {
  private readonly files = new Map<string, SqliteFile>();
  private readonly lastMiss = new Map<string, string>();
  private readonly noted = new Map<string, Set<string>>();

  /** `onMiss` hears each distinct reason a reading was missed, a few times per reading at most. */
  constructor(
    private readonly specs: Record<string, StateSpec>,
    private readonly onMiss?: (name: string, reason: string) => void,
  ) {
    for (const spec of Object.values(specs)) {
      if ('sqlite' in spec && !this.files.has(spec.sqlite.file)) this.files.set(spec.sqlite.file, new SqliteFile(spec.sqlite.file));
    }
  }

  /**
   * One reading of each, as metrics; a page on the target's `baseUrl` is missed while the target has none (down
   * or restarting). Each page is fetched once however many readings it serves, waiting at most `timeoutMs`.
   */
  async read(baseUrl: string | null, timeoutMs: number): Promise<Record<string, number>> {
    const pages = new Map<string, Promise<{ text: string } | { missed: string }>>();
    const fetchOnce = (url: string) => {
      let page = pages.get(url);
      if (!page) pages.set(url, (page = fetchPage(url, Math.min(PROMETHEUS_TIMEOUT_MS, timeoutMs))));
      return page;
    };
    const readings = await Promise.all(
      Object.entries(this.specs).map(async ([name, spec]): Promise<[string, StateReading]> => {
        if ('sqlite' in spec) return [name, await this.files.get(spec.sqlite.file)!.read(spec.sqlite.query)];
        const { url, metric, labels } = spec.prometheus;
        if (url.startsWith('/') && baseUrl === null) return [name, { missed: 'the target has no URL now (down or restarting)' }];
        const page = await fetchOnce(url.startsWith('/') ? new URL(url, baseUrl!).href : url);
        return [name, 'missed' in page ? page : sumExposition(page.text, metric, labels)];
      }),
    );
    const metrics: Record<string, number> = {};
    for (const [name, reading] of readings) {
      if ('value' in reading) metrics[`state:${name}`] = reading.value;
      else this.miss(name, reading.missed);
    }
    return metrics;
  }

  /** The last reason each reading was missed, for the summary. */
  lastMisses(): Record<string, string> {
    return Object.fromEntries(this.lastMiss);
  }

  close(): void {
    for (const file of this.files.values()) file.close();
  }

  private miss(name: string, reason: string): void {
    this.lastMiss.set(name, reason);
    let reasons = this.noted.get(name);
    if (!reasons) this.noted.set(name, (reasons = new Set()));
    if (reasons.has(reason) || reasons.size >= NOTED_REASONS) return;
    reasons.add(reason);
    this.onMiss?.(name, reason);
  }
}

async function fetchPage(url: string, timeoutMs: number): Promise<{ text: string } | { missed: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      return { missed: `GET ${url} answered ${response.status}` };
    }
    return { text: await response.text() };
  } catch (error) {
    const { name, message, cause } = error as Error & { cause?: { code?: string } };
    if (name === 'TimeoutError') return { missed: `GET ${url} took more than ${timeoutMs} ms` };
    return { missed: `GET ${url} failed: ${cause?.code ?? message}` };
  }
}

/**
 * summary.json's `state`: per reading, where it comes from, how many samples had it and how many missed it (over
 * the whole run, a resumed one included, since that is what samples.jsonl holds), and the last reason missed.
 */
export function stateSummary(samples: Sample[], specs: Record<string, StateSpec>, lastMisses: Record<string, string>): NonNullable<Summary['state']> {
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => {
      const readings = samples.filter((sample) => Number.isFinite(sample.metrics[`state:${name}`])).length;
      const lastMiss = lastMisses[name];
      return [name, { source: 'sqlite' in spec ? 'sqlite' : 'prometheus', readings, missed: samples.length - readings, ...(lastMiss ? { lastMiss } : {}) }];
    }),
  );
}
