// Picks, for each shape that grew, one instance in the last snapshot to show: the newest (highest id, so it
// appeared since an earlier snapshot and belongs to the growth), and which other grown shapes it holds.
import type { IHeapNode, IHeapSnapshot } from '@memlab/core';
import type { Memlab } from './memlab.ts';

export interface Representative {
  node: IHeapNode;
  /** Shapes among the wanted ones that this instance references directly. */
  holds: string[];
}

export function findRepresentatives(memlab: Memlab, snapshot: IHeapSnapshot, shapes: string[]): Map<string, Representative> {
  const { serializer, utils, config } = memlab.core;
  const wanted = new Set(shapes);
  // Same node selection and shape key as memlab's unbound-shape analysis, so its shape names match.
  const shapeOf = (node: IHeapNode): string | undefined => {
    if ((node.type !== 'object' && !utils.isStringNode(node)) || config.nodeIgnoreSetInShape.has(node.name)) return undefined;
    const shape = serializer.summarizeNodeShape(node, { color: false });
    return wanted.has(shape) ? shape : undefined;
  };
  const newest = new Map<string, IHeapNode>();
  snapshot.nodes.forEach((node) => {
    const shape = shapeOf(node);
    if (shape === undefined) return;
    const current = newest.get(shape);
    if (!current || node.id > current.id) newest.set(shape, node);
  });
  const representatives = new Map<string, Representative>();
  for (const [shape, node] of newest) {
    const holds = new Set<string>();
    node.forEachReference((edge) => {
      if (edge.type === 'weak') return;
      const held = shapeOf(edge.toNode);
      if (held !== undefined) holds.add(held);
    });
    representatives.set(shape, { node, holds: [...holds] });
  }
  return representatives;
}
