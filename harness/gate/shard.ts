// `--shard i/n`: which scenarios this CI matrix job runs. Deterministic from the sorted list, so every job agrees
// and the shards together cover each scenario exactly once.

export interface Shard {
  index: number; // 1-based
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard takes i/n with 1 <= i <= n (for example 1/2); got '${text}'.`);
  }
  return { index, count };
}

export function pickShard<T>(items: readonly T[], shard: Shard, keyOf: (item: T) => string): T[] {
  const sorted = [...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}
