// The chain of references that keeps one heap object alive, from a GC root down to the object, in memlab's
// own wording (one node or edge per line), so a person sees which collection holds what grew.
import type { IHeapNode, IHeapSnapshot } from '@memlab/core';
import type { Memlab } from './memlab.ts';

/** Empty when the object is not reachable from a GC root (memlab marks shortest paths when it loads a heap). */
export function retainerPath(memlab: Memlab, snapshot: IHeapSnapshot, node: IHeapNode): string[] {
  const path = new memlab.core.TraceFinder().getPathToGCRoots(snapshot, node);
  if (!path) return [];
  const text = memlab.core.serializer.summarizePath(path, new memlab.core.NumericSet(), snapshot, { color: false });
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
