// Object shapes that grew across the snapshots of one process: shapes whose count never fell and rose at least
// once, with the aggregated retained size of each in every snapshot. memlab's rule and memlab's shape names
// (`Object { a, b }`, the class name, or `string`), read through its public API, in one pass per snapshot.
import { stripVTControlCharacters } from 'node:util';
import type { HeapNodeIdSet, IHeapSnapshot } from '@memlab/core';
import type { Memlab } from './memlab.ts';

export interface ShapeGrowth {
  /** memlab's shape summary: `Object { a, b }` for plain objects, the class name otherwise, or `string`. */
  shape: string;
  counts: number[];
  retainedSizes: number[];
}

/**
 * memlab's own unbound-shape analysis keeps only shapes with at least 1,000 objects in the last snapshot. A naive
 * gateway in a one-minute CI run holds a few hundred sessions, so its one skills snapshot per session would be
 * left out; shapes from this many objects are followed.
 */
export const MIN_OBJECTS = 50;

/** memlab's growth rule: seen in two snapshots or more, its count never fell and rose at least once. */
export function grewSteadily(counts: (number | undefined)[], minLast: number): boolean {
  const seen = counts.filter((n): n is number => n !== undefined);
  if (seen.length < 2 || seen[seen.length - 1] < minLast) return false;
  return seen.every((n, i) => i === 0 || n >= seen[i - 1]) && seen[seen.length - 1] > seen[0];
}

/** One snapshot's objects by shape: how many, and what they retain together. */
interface Population {
  counts: Map<string, number>;
  sizes: Map<string, number>;
}

/**
 * Counts the objects and strings of each shape, as memlab's unbound-shape analysis groups them, and aggregates the
 * retained size of each shape over its dominators (an object inside another of its shape is not counted twice).
 */
function populationOf(memlab: Memlab, heap: IHeapSnapshot): Population {
  const { config, serializer, utils, NumericSet } = memlab.core;
  const ids = new Map<string, HeapNodeIdSet>();
  heap.nodes.forEach((node) => {
    if ((node.type !== 'object' && !utils.isStringNode(node)) || config.nodeIgnoreSetInShape.has(node.name)) return;
    const shape = stripVTControlCharacters(serializer.summarizeNodeShape(node, { color: false }));
    let set = ids.get(shape);
    if (!set) ids.set(shape, (set = new NumericSet() as HeapNodeIdSet));
    set.add(node.id);
  });
  const counts = new Map<string, number>();
  const sizes = new Map<string, number>();
  for (const [shape, set] of ids) {
    counts.set(shape, set.size);
    sizes.set(shape, memlab.heapAnalysis.PluginUtils.aggregateDominatorMetrics(set, heap, () => true, (node) => node.retainedSize));
  }
  return { counts, sizes };
}

/**
 * The snapshots of one process read one at a time, each as soon as it is written (the diagnosis phase's spacing is
 * time memlab would otherwise wait through): each one's population is kept, and the latest heap stays loaded for a
 * closer look. Loading is most of the cost, and memlab's own analysis loads each snapshot twice.
 */
export class ShapeCensus {
  private readonly populations = new Map<string, Population>();
  private latest: { path: string; heap: IHeapSnapshot } | null = null;

  constructor(private readonly memlab: Memlab) {}

  /** Reads one snapshot (once: a path already read is skipped). */
  async add(path: string): Promise<void> {
    if (this.populations.has(path)) return;
    await this.load(path);
  }

  /** The shapes that grew across these snapshots, oldest first, with the last one's heap loaded. */
  async growing(snapshotPaths: string[]): Promise<{ grew: ShapeGrowth[]; lastHeap: IHeapSnapshot }> {
    for (const path of snapshotPaths) await this.add(path);
    const lastPath = snapshotPaths[snapshotPaths.length - 1];
    const lastHeap = this.latest?.path === lastPath ? this.latest.heap : await this.load(lastPath);
    const populations = snapshotPaths.map((path) => this.populations.get(path)!);
    const last = populations[populations.length - 1];
    const grew = [...last.counts.keys()]
      .map((shape) => ({ shape, counts: populations.map((p) => p.counts.get(shape)) }))
      .filter(({ counts }) => grewSteadily(counts, MIN_OBJECTS))
      .map(({ shape, counts }) => ({ shape, counts: counts.map((n) => n ?? 0), retainedSizes: populations.map((p) => p.sizes.get(shape) ?? 0) }));
    return { grew, lastHeap };
  }

  private async load(path: string): Promise<IHeapSnapshot> {
    // One heap in memory at a time: a large target's snapshot parses to several times its size.
    this.latest = null;
    const heap = await this.memlab.heapAnalysis.getFullHeapFromFile(path);
    this.populations.set(path, populationOf(this.memlab, heap));
    this.latest = { path, heap };
    return heap;
  }
}
