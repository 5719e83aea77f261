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

/** Called with the last snapshot, loaded, and the shapes whose count grew (the candidates). */
export type LastHeapInspector = (heap: IHeapSnapshot, candidateShapes: string[]) => void;

/**
 * memlab keeps only shapes with at least 1,000 objects in the last snapshot. A naive gateway in a one-minute
 * CI run holds a few hundred sessions, so its one skills snapshot per session would be left out; shapes from
 * this many objects are followed too.
 */
export const MIN_OBJECTS = 50;

/** One snapshot's objects by shape, as memlab's analysis counts them (`size` only in its second pass). */
type Populations = Record<string, { n: number; size?: number }>;

/** The steps of memlab's ShapeUnboundGrowthAnalysis that are wrapped here (see findGrowingShapes). */
interface AnalysisSteps {
  getShapesInfo(snapshot: IHeapSnapshot, index: number, file: string): Populations;
  retrieveShapesOfInterest(list: unknown[]): void;
  shapesOfInterest: Set<string> | null;
}

function hasSteps(analysis: object): analysis is AnalysisSteps {
  const steps = analysis as Partial<AnalysisSteps>;
  return (
    typeof steps.getShapesInfo === 'function' &&
    typeof steps.retrieveShapesOfInterest === 'function' &&
    'shapesOfInterest' in steps
  );
}

/** memlab's growth rule: seen in two snapshots or more, its count never fell and rose at least once. */
export function grewSteadily(counts: (number | undefined)[], minLast: number): boolean {
  const seen = counts.filter((n): n is number => n !== undefined);
  if (seen.length < 2 || seen[seen.length - 1] < minLast) return false;
  return seen.every((n, i) => i === 0 || n >= seen[i - 1]) && seen[seen.length - 1] > seen[0];
}

function seriesOf(passes: Populations[], shape: string): { counts: (number | undefined)[]; sizes: number[] } {
  return {
    counts: passes.map((population) => population[shape]?.n),
    sizes: passes.map((population) => population[shape]?.size ?? 0),
  };
}

/**
 * memlab's analysis loads every snapshot twice: a count pass, then a retained-size pass for the shapes whose
 * count grew. Two of its steps are wrapped: the choice of shapes for the second pass also takes shapes of
 * MIN_OBJECTS or more, and the second pass's last heap is handed to `inspectLastHeap` rather than loaded a
 * seventh time (loading is most of the cost). Without those steps (another memlab version), memlab's own
 * result is used and `inspectLastHeap` is not called.
 */
function wrapSteps(steps: AnalysisSteps, snapshots: number, inspectLastHeap: LastHeapInspector): Populations[] {
  const countPass: Populations[] = [];
  const sizePass: Populations[] = [];
  const { getShapesInfo, retrieveShapesOfInterest } = steps;
  steps.getShapesInfo = function (this: AnalysisSteps, snapshot, index, file) {
    const populations = getShapesInfo.call(this, snapshot, index, file);
    const candidates = this.shapesOfInterest;
    if (!candidates) {
      countPass.push(populations);
      return populations;
    }
    sizePass.push(populations);
    if (index === snapshots - 1) inspectLastHeap(snapshot, [...candidates].map((s) => stripVTControlCharacters(s)));
    return populations;
  };
  steps.retrieveShapesOfInterest = function (this: AnalysisSteps, list) {
    retrieveShapesOfInterest.call(this, list);
    const shapes = new Set(countPass.flatMap((population) => Object.keys(population)));
    for (const shape of shapes) {
      if (grewSteadily(seriesOf(countPass, shape).counts, MIN_OBJECTS)) this.shapesOfInterest?.add(shape);
    }
  };
  return sizePass;
}

/**
 * memlab reads a series from one folder, ordered by `s<N>.heapsnapshot` names, so the snapshots are linked
 * into a scratch folder in the order given.
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
    const sizePass = hasSteps(analysis) ? wrapSteps(analysis, snapshotPaths.length, inspectLastHeap) : undefined;
    // No workDir option here: loadMemlab has set it, and setting it again would make folders in system temp.
    await analysis.analyzeSnapshotsInDirectory(seriesDir);
    if (!sizePass) {
      // memlab's series start at the first snapshot that has the shape: earlier ones had none of it.
      const absentBefore = (series: number[]) => Array<number>(snapshotPaths.length - series.length).fill(0);
      return analysis.getShapesWithUnboundGrowth().map((summary) => ({
        shape: stripVTControlCharacters(summary.shape),
        counts: [...absentBefore(summary.counts), ...summary.counts],
        retainedSizes: [...absentBefore(summary.sizes), ...summary.sizes],
      }));
    }
    const shapes = new Set(sizePass.flatMap((population) => Object.keys(population)));
    const grew: ShapeGrowth[] = [];
    for (const shape of shapes) {
      const { counts, sizes } = seriesOf(sizePass, shape);
      if (!grewSteadily(counts, MIN_OBJECTS)) continue;
      grew.push({ shape: stripVTControlCharacters(shape), counts: counts.map((n) => n ?? 0), retainedSizes: sizes });
    }
    return grew;
  } finally {
    rmSync(seriesDir, { recursive: true, force: true });
  }
}
