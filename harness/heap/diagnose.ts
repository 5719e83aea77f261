// Heap diagnosis of one process from its snapshots, oldest first: which object shapes grew (memlab's
// unbound-shape analysis), the retainer path of each from a GC root, and how much of the last heap is duplicated.
import { existsSync } from 'node:fs';
import type { IHeapSnapshot } from '@memlab/core';
import type { HeapDuplicates, HeapGrowth } from '../contracts/summary.ts';
import { findDuplicates } from './duplicates.ts';
import { rankGrowth, steadyGrowth } from './growthRank.ts';
import { loadMemlab, type Memlab } from './memlab.ts';
import { findRepresentatives } from './representatives.ts';
import { KiB } from '../analysis/units.ts';
import { retainerPath } from './retainerPath.ts';
import { ShapeCensus } from './shapeGrowth.ts';

export interface DiagnoseOptions {
  /** The run folder: memlab works in `<workDir>/memlab`. */
  workDir: string;
  /** How many growing shapes to report (default 10). */
  top?: number;
  /** How much the heap grew from the first snapshot to the last (measured right after each); unknown if absent. */
  heapGrowthBytes?: number;
}

/**
 * A shape is named as what grew only when the growth it explains matters: at least this share of the heap's growth
 * between the snapshots, and at least MIN_EXPLAINED_BYTES. A fixed target's snapshots differ by a few objects (an
 * ArrayBuffer, 61 -> 63, +377 B); naming that would send a person after nothing.
 */
export const MIN_EXPLAINED_SHARE = 0.05;
export const MIN_EXPLAINED_BYTES = 64 * KiB;

export interface HeapDiagnosis {
  snapshots: string[];
  /** Shapes whose growth matters, the culprit first; empty when nothing that grew explains the growth. */
  grew: HeapGrowth[];
  duplicates: HeapDuplicates;
  heapGrowthBytes?: number;
}

export class HeapDiagnosisError extends Error {}

/** What the last heap tells about each candidate shape, read while memlab still holds that heap. */
interface LastHeapFindings {
  shapes: Map<string, { holds: string[]; retainerPath: string[] }>;
  duplicates: HeapDuplicates;
}

function inspectLastHeap(memlab: Memlab, heap: IHeapSnapshot, candidateShapes: string[]): LastHeapFindings {
  const shapes = new Map<string, { holds: string[]; retainerPath: string[] }>();
  for (const [shape, { node, holds }] of findRepresentatives(memlab, heap, candidateShapes)) {
    shapes.set(shape, { holds, retainerPath: retainerPath(memlab, heap, node) });
  }
  return { shapes, duplicates: findDuplicates(memlab, heap) };
}

/** `census` may have read some of the snapshots already, as they were written (harness/heap/diagnosisChild.mjs). */
export async function diagnoseHeap(snapshotPaths: string[], options: DiagnoseOptions, census?: ShapeCensus): Promise<HeapDiagnosis> {
  if (snapshotPaths.length < 2) {
    throw new HeapDiagnosisError(`heap diagnosis needs at least 2 snapshots of one process, got ${snapshotPaths.length}`);
  }
  const missing = snapshotPaths.filter((path) => !existsSync(path));
  if (missing.length > 0) throw new HeapDiagnosisError(`heap snapshot not found: ${missing.join(', ')}`);

  const memlab = await loadMemlab(options.workDir);
  const { grew: shapes, lastHeap } = await (census ?? new ShapeCensus(memlab)).growing(snapshotPaths);
  const { shapes: lastHeapShapes, duplicates } = inspectLastHeap(memlab, lastHeap, shapes.map((s) => s.shape));

  const mattersFrom = Math.max(MIN_EXPLAINED_BYTES, MIN_EXPLAINED_SHARE * Math.max(0, options.heapGrowthBytes ?? 0));
  const grew: HeapGrowth[] = rankGrowth(
    shapes.map((s) => ({
      name: s.shape,
      countFirst: s.counts[0],
      countLast: s.counts[s.counts.length - 1],
      retainedFirst: s.retainedSizes[0],
      retainedLast: s.retainedSizes[s.retainedSizes.length - 1],
      holds: lastHeapShapes.get(s.shape)?.holds ?? [],
    })),
  )
    .filter((candidate) => steadyGrowth(candidate) >= mattersFrom)
    .slice(0, options.top ?? 10)
    .map(({ holds: _, ...growth }) => ({ ...growth, retainerPath: lastHeapShapes.get(growth.name)?.retainerPath ?? [] }));
  return { snapshots: snapshotPaths, grew, duplicates, ...(options.heapGrowthBytes !== undefined ? { heapGrowthBytes: options.heapGrowthBytes } : {}) };
}
