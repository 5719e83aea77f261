// Picks, for each shape that grew, one instance in the last snapshot to show: the newest (highest id, so it
// appeared since an earlier snapshot and belongs to the growth), and tells whether it merely wraps one child.
import type { IHeapNode, IHeapSnapshot } from '@memlab/core';
import type { Memlab } from './memlab.ts';

export interface Representative {
  node: IHeapNode;
  wrapsOneChild: boolean;
}

/** A wrapper keeps at least this share of its retained size in a single child it dominates. */
const WRAPPER_SHARE = 0.9;

function largestOwnedChild(node: IHeapNode): number {
  let largest = 0;
  node.forEachReference((edge) => {
    const child = edge.toNode;
    if (child.dominatorNode?.nodeIndex === node.nodeIndex) largest = Math.max(largest, child.retainedSize);
  });
  return largest;
}

export function findRepresentatives(memlab: Memlab, snapshot: IHeapSnapshot, shapes: string[]): Map<string, Representative> {
  const { serializer, utils, config } = memlab.core;
  const wanted = new Set(shapes);
  const newest = new Map<string, IHeapNode>();
  // Same node selection and shape key as memlab's unbound-shape analysis, so its shape names match.
  snapshot.nodes.forEach((node) => {
    if ((node.type !== 'object' && !utils.isStringNode(node)) || config.nodeIgnoreSetInShape.has(node.name)) return;
    const shape = serializer.summarizeNodeShape(node, { color: false });
    if (!wanted.has(shape)) return;
    const current = newest.get(shape);
    if (!current || node.id > current.id) newest.set(shape, node);
  });
  const representatives = new Map<string, Representative>();
  for (const [shape, node] of newest) {
    const wrapsOneChild = node.retainedSize > 0 && largestOwnedChild(node) >= WRAPPER_SHARE * node.retainedSize;
    representatives.set(shape, { node, wrapsOneChild });
  }
  return representatives;
}
