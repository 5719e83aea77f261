// `--shard i/n`: which scenarios this CI matrix job runs. Deterministic from the sorted list, so every job agrees
// and the shards together cover each scenario exactly once.
import { UsageError } from '../contracts/exitCodes.ts';

export interface Shard {
  index: number; // 1-based
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard takes i/n with 1 <= i <= n (for example 1/2); got '${text}'.`);
  }
  return { index, count };
}

export function pickShard<T>(items: readonly T[], shard: Shard, keyOf: (item: T) => string): T[] {
  const sorted = [...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** One gate folder's gate.json as `merge` reads it: where it is, which shard it says it is, and its scenario list. */
export interface ShardPart {
  dir: string;
  shard?: string;
  scenarioFiles?: string[];
}

/**
 * Why these gate folders are not one complete set of shards, or null when they are (or none is a shard: whole gates
 * merge as they are). Shards of one gate share their count and scenario list and are all there, each once; a shard
 * that got no scenario is a complete part, since its gate.json says so. The message names what is missing.
 */
export function shardSetProblem(parts: ShardPart[]): string | null {
  const sharded = parts.filter((p) => p.shard !== undefined);
  if (sharded.length === 0) return null;
  if (sharded.length < parts.length) {
    const whole = parts.find((p) => p.shard === undefined)!;
    return `${whole.dir} is a whole gate and ${sharded[0].dir} is shard ${sharded[0].shard}: merge joins the shards of one gate.`;
  }
  const parsed = sharded.map((p) => ({ ...p, at: /^(\d+)\/(\d+)$/.exec(p.shard!) }));
  const bad = parsed.find((p) => !p.at);
  if (bad) return `${bad.dir}/gate.json says shard '${bad.shard}', not i/n.`;
  const count = Number(parsed[0].at![2]);
  const otherSplit = parsed.find((p) => Number(p.at![2]) !== count);
  if (otherSplit) return `${parsed[0].dir} is shard ${parsed[0].shard} and ${otherSplit.dir} is shard ${otherSplit.shard}: shards of different splits.`;
  const list = JSON.stringify(parsed[0].scenarioFiles ?? null);
  const otherList = parsed.find((p) => JSON.stringify(p.scenarioFiles ?? null) !== list);
  if (otherList) return `${parsed[0].dir} and ${otherList.dir} were given different scenario lists: the shards of one gate share one list.`;
  const byIndex = new Map<number, string>();
  for (const p of parsed) {
    const index = Number(p.at![1]);
    const earlier = byIndex.get(index);
    if (earlier !== undefined) return `shard ${index}/${count} is in both ${earlier} and ${p.dir}: were the same shards downloaded twice?`;
    byIndex.set(index, p.dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length === 0) return null;
  const files = parsed[0].scenarioFiles;
  const wouldRun = (index: number) => {
    const share = files ? pickShard(files, { index, count }, (f) => f) : [];
    return files ? ` (${share.length > 0 ? `to run ${share.join(', ')}` : 'with no scenario, but its gate.json is what says so'})` : '';
  };
  return `incomplete shard set: missing shard ${missing.map((i) => `${i}${wouldRun(i)}`).join(', ')} of ${count}. ` +
    'Pass the gate folder of every `soakgate gate --shard i/n` job; a job that failed before writing gate.json must be rerun.';
}
