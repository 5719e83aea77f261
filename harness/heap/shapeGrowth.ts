// Object shapes that grew across the snapshots of one process, from memlab's unbound-shape analysis: shapes
// whose count never fell and rose at least once, with the aggregated retained size of each in every snapshot.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { memlabWorkDir, type Memlab } from './memlab.ts';

export interface ShapeGrowth {
  /** memlab's shape summary: `Object { a, b }` for plain objects, the class name otherwise, or `string`. */
  shape: string;
  counts: number[];
  retainedSizes: number[];
}

/**
 * memlab reads a series from one folder, ordered by `s<N>.heapsnapshot` names, so the snapshots are linked
 * into a scratch folder in the order given. Note that memlab leaves out shapes with under 1,000 objects.
 */
export async function findGrowingShapes(memlab: Memlab, workDir: string, snapshotPaths: string[]): Promise<ShapeGrowth[]> {
  const seriesDir = join(memlabWorkDir(workDir), 'series');
  rmSync(seriesDir, { recursive: true, force: true });
  mkdirSync(seriesDir, { recursive: true });
  try {
    snapshotPaths.forEach((path, i) => symlinkSync(resolve(path), join(seriesDir, `s${i + 1}.heapsnapshot`)));
    const analysis = new memlab.heapAnalysis.ShapeUnboundGrowthAnalysis();
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
