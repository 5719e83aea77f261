// One slope across several processes, each with its own intercept. A restart drops a leaking target's memory back
// to its start level; fitted as one line, the drop cancels part of the leak. Here the slope comes from pairs of
// points within the same segment only (a stratified Theil-Sen), each segment's intercept is fitted at that slope,
// and the segments are shifted onto the first one's level, so the trend test sees one process's worth of growth.
import { median, pairwiseSlopes, senIntercept } from './theilSen.ts';

/** The median of the pairwise slopes taken within each segment (no pair spans a restart). */
export function pooledSlope(x: ArrayLike<number>, y: ArrayLike<number>, segment: ArrayLike<number>): number {
  const parts = segmentRanges(segment).map(([from, to]) =>
    pairwiseSlopes(Array.prototype.slice.call(x, from, to), Array.prototype.slice.call(y, from, to)),
  );
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return median(all);
}

/** Each segment's intercept at this slope: segment id -> intercept. */
export function segmentIntercepts(x: ArrayLike<number>, y: ArrayLike<number>, segment: ArrayLike<number>, slope: number): Map<number, number> {
  const intercepts = new Map<number, number>();
  for (const [from, to] of segmentRanges(segment)) {
    intercepts.set(segment[from], senIntercept(Array.prototype.slice.call(x, from, to), Array.prototype.slice.call(y, from, to), slope));
  }
  return intercepts;
}

/**
 * The values with each later segment shifted onto the first one's intercept. With one segment they are returned
 * as they are. `offsets` is what was subtracted from each segment.
 */
export function alignSegments(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  segment: ArrayLike<number>,
): { values: number[]; offsets: Map<number, number> } {
  const values = Array.from(y);
  const ranges = segmentRanges(segment);
  if (ranges.length <= 1) return { values, offsets: new Map(ranges.map(([from]) => [segment[from], 0])) };
  const intercepts = segmentIntercepts(x, y, segment, pooledSlope(x, y, segment));
  const first = intercepts.get(segment[0])!;
  const offsets = new Map([...intercepts].map(([id, intercept]) => [id, intercept - first]));
  for (let i = 0; i < values.length; i++) values[i] -= offsets.get(segment[i])!;
  return { values, offsets };
}

/** [from, to) index ranges of consecutive equal segment ids. */
function segmentRanges(segment: ArrayLike<number>): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let from = 0;
  for (let i = 1; i <= segment.length; i++) {
    if (i === segment.length || segment[i] !== segment[from]) {
      if (i > from) ranges.push([from, i]);
      from = i;
    }
  }
  return ranges;
}
