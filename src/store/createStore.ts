// Chooses and configures a session store: `naive` (reproduces OpenClaw #55334) or `dedup` (the fixed design,
// each fix switchable). The gateway, the seed and the benchmark build their stores only through here.
import { DedupSessionStore } from './dedup.ts';
import { NaiveSessionStore } from './naive.ts';
import { ALL_FIXES, type Fix, type SessionStore, type StoreKind } from './sessionStore.ts';

export interface StoreOptions {
  dataDir: string;
  agentId?: string;
  /** Dedup store only: which fixes are on (all four by default). The naive store has none. */
  fixes?: ReadonlySet<Fix>;
  /** Dedup `prune`: how long a completed or failed sub-agent or cron run is kept after it ended. */
  pruneAfterMs?: number;
  /** Dedup `lazy`: how many full entries stay in memory. */
  cacheSize?: number;
  log?: (line: string) => void;
  now?: () => number;
}

export type ResolvedStoreOptions = Required<StoreOptions>;

export const DEFAULT_PRUNE_AFTER_MS = 60_000;
export const DEFAULT_CACHE_SIZE = 256;

export function resolveStoreOptions(options: StoreOptions): ResolvedStoreOptions {
  const pruneAfterMs = options.pruneAfterMs ?? DEFAULT_PRUNE_AFTER_MS;
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  if (!Number.isFinite(pruneAfterMs) || pruneAfterMs < 0) throw new RangeError(`pruneAfterMs must be a number >= 0, got ${pruneAfterMs}`);
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new RangeError(`cacheSize must be an integer >= 1, got ${cacheSize}`);
  for (const fix of options.fixes ?? []) {
    if (!ALL_FIXES.includes(fix)) throw new RangeError(`unknown fix '${fix}': expected some of ${ALL_FIXES.join(', ')}`);
  }
  return {
    dataDir: options.dataDir,
    agentId: options.agentId ?? 'main',
    fixes: new Set(options.fixes ?? ALL_FIXES),
    pruneAfterMs,
    cacheSize,
    log: options.log ?? ((line) => console.error(line)),
    now: options.now ?? Date.now,
  };
}

/** A store that is not open yet: call `open()` before anything else. */
export function createStore(kind: StoreKind, options: StoreOptions): SessionStore {
  const resolved = resolveStoreOptions(options);
  if (kind === 'naive') return new NaiveSessionStore(resolved);
  if (kind === 'dedup') return new DedupSessionStore(resolved);
  throw new RangeError(`unknown store '${String(kind)}': expected naive or dedup`);
}
