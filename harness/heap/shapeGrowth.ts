// Object shapes that grew across the snapshots of one process, from memlab's unbound-shape analysis: shapes
// whose count never fell and rose at least once, with the aggregated retained size of each in every snapshot.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { IHeapSnapshot } from '@memlab/core';
import { memlabWorkDir, type Memlab } from './memlab.ts';

export interface ShapeGrowth {
  /** memlab's shape summary: `Object { a, b }` for plain objects, the class name otherwise, or `string`. */
  shape: string;
  counts: number[];
  retainedSizes: number[];
}

/** Called with the last snapshot, loaded, and the shapes that grew in count (the candidates). */
export type LastHeapInspector = (heap: IHeapSnapshot, candidateShapes: string[]) => void;

type ShapesInfoMapper = (snapshot: IHeapSnapshot, index: number, file: string) => unknown;

/**
 * memlab's analysis loads every snapshot twice (a count pass, then a retained-size pass for the shapes whose
 * count grew). Loading is most of the cost, so rather than load the last heap a seventh time, its per-snapshot
 * step is wrapped to hand that heap to `inspectLastHeap` in the second pass. If memlab's internals no longer
 * have that step, nothing is wrapped and the caller loads the heap itself.
 */
function inspectLastHeapOfSizePass(analysis: object, snapshots: number, inspectLastHeap: LastHeapInspector): void {
  const internals = analysis as { getShapesInfo?: ShapesInfoMapper; shapesOfInterest?: Set<string> | null };
  const getShapesInfo = internals.getShapesInfo;
  if (typeof getShapesInfo !== 'function' || !('shapesOfInterest' in internals)) return;
  internals.getShapesInfo = function (this: unknown, snapshot, index, file) {
    const info = getShapesInfo.call(this, snapshot, index, file);
    const candidates = internals.shapesOfInterest;
    if (candidates && index === snapshots - 1) {
      inspectLastHeap(snapshot, [...candidates].map((shape) => stripVTControlCharacters(shape)));
    }
    return info;
  };
}

/**
 * memlab reads a series from one folder, ordered by `s<N>.heapsnapshot` names, so the snapshots are linked
 * into a scratch folder in the order given. Note that memlab leaves out shapes with under 1,000 objects.
 */
export async function findGrowingShapes(
  memlab: Memlab,
  workDir: string,
  snapshotPaths: string[],
  inspectLastHeap: LastHeapInspector,
): Promise<ShapeGrowth[]> {
  const seriesDir = join(memlabWorkDir(workDir), 'series');
  rmSync(seriesDir, { recursive: true, force: true });
  mkdirSync(seriesDir, { recursive: true });
  try {
    snapshotPaths.forEach((path, i) => symlinkSync(resolve(path), join(seriesDir, `s${i + 1}.heapsnapshot`)));
    const analysis = new memlab.heapAnalysis.ShapeUnboundGrowthAnalysis();
    inspectLastHeapOfSizePass(analysis, snapshotPaths.length, inspectLastHeap);
    // No workDir option here: loadMemlab has set it, and setting it again would make folders in system temp.
    await analysis.analyzeSnapshotsInDirectory(seriesDir);
    // memlab's series start at the first snapshot that has the shape: earlier ones had none of it.
    const absentBefore = (series: number[]) => Array<number>(snapshotPaths.length - series.length).fill(0);
    return analysis.getShapesWithUnboundGrowth().map((summary) => ({
      shape: stripVTControlCharacters(summary.shape),
      counts: [...absentBefore(summary.counts), ...summary.counts],
      retainedSizes: [...absentBefore(summary.sizes), ...summary.sizes],
    }));
  } finally {
    rmSync(seriesDir, { recursive: true, force: true });
  }
}
