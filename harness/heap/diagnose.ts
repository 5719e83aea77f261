// Heap diagnosis of one process from its snapshots, oldest first: which object shapes grew (memlab's
// unbound-shape analysis), the retainer path of each from a GC root, and how much of the last heap is duplicated.
import { existsSync } from 'node:fs';
import type { HeapGrowth } from '../summary.ts';
import { findDuplicates, type HeapDuplicates } from './duplicates.ts';
import { rankGrowth } from './growthRank.ts';
import { loadMemlab } from './memlab.ts';
import { findRepresentatives } from './representatives.ts';
import { retainerPath } from './retainerPath.ts';
import { findGrowingShapes } from './shapeGrowth.ts';

export interface DiagnoseOptions {
  /** The run folder: memlab works in `<workDir>/memlab`. */
  workDir: string;
  /** How many growing shapes to report (default 10). */
  top?: number;
}

export interface HeapDiagnosis {
  snapshots: string[];
  grew: HeapGrowth[];
  duplicates: HeapDuplicates;
}

export class HeapDiagnosisError extends Error {}

export async function diagnoseHeap(snapshotPaths: string[], options: DiagnoseOptions): Promise<HeapDiagnosis> {
  if (snapshotPaths.length < 2) {
    throw new HeapDiagnosisError(`heap diagnosis needs at least 2 snapshots of one process, got ${snapshotPaths.length}`);
  }
  const missing = snapshotPaths.filter((path) => !existsSync(path));
  if (missing.length > 0) throw new HeapDiagnosisError(`heap snapshot not found: ${missing.join(', ')}`);

  const memlab = await loadMemlab(options.workDir);
  const shapes = await findGrowingShapes(memlab, options.workDir, snapshotPaths);
  const last = await memlab.heapAnalysis.getFullHeapFromFile(snapshotPaths[snapshotPaths.length - 1]);
  const representatives = findRepresentatives(
    memlab,
    last,
    shapes.map((s) => s.shape),
  );
  const ranked = rankGrowth(
    shapes.map((s) => ({
      name: s.shape,
      countFirst: s.counts[0],
      countLast: s.counts[s.counts.length - 1],
      retainedFirst: s.retainedSizes[0],
      retainedLast: s.retainedSizes[s.retainedSizes.length - 1],
      wrapsOneChild: representatives.get(s.shape)?.wrapsOneChild ?? false,
    })),
  ).slice(0, options.top ?? 10);

  const grew: HeapGrowth[] = ranked.map(({ wrapsOneChild: _, ...growth }) => {
    const representative = representatives.get(growth.name);
    return { ...growth, retainerPath: representative ? retainerPath(memlab, last, representative.node) : [] };
  });
  return { snapshots: snapshotPaths, grew, duplicates: findDuplicates(memlab, last) };
}
