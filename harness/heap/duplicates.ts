// How much of one heap is the same content held more than once: what separates a store where every session
// keeps its own copy of the skills snapshot from one where all sessions share one object.
import type { IHeapNode, IHeapSnapshot } from '@memlab/core';
import type { DuplicateGroup, HeapDuplicates, StringDuplicates } from '../contracts/summary.ts';
import type { Memlab } from './memlab.ts';

// Engine internals (compiled code, hidden classes, roots) are alike by construction, not duplicated data.
const IGNORED_TYPES = new Set(['synthetic', 'code', 'hidden', 'object shape']);

/** 53-bit string hash (cyrb53): contents compare by hash, so two equal subtrees never need a string key. */
function hashString(text: string, seed: number): [number, number] {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return mixLanes(h1, h2);
}

function mixLanes(h1: number, h2: number): [number, number] {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

function combine(lanes: [number, number], a: number, b: number): void {
  const [h1, h2] = mixLanes(lanes[0] ^ a, lanes[1] ^ b);
  lanes[0] = Math.imul(h1, 31) + (b >>> 0);
  lanes[1] = Math.imul(h2, 17) + (a >>> 0);
}

/** How far up the dominator tree a reference still counts as inside the same copy. */
const NEAR_ANCESTORS = 3;

function ownedByNearAncestor(node: IHeapNode, owner: number): boolean {
  let ancestor = node.dominatorNode;
  for (let i = 0; i < NEAR_ANCESTORS && ancestor && ancestor.nodeIndex !== node.nodeIndex; i++) {
    if (ancestor.nodeIndex === owner) return true;
    ancestor = ancestor.dominatorNode;
  }
  return false;
}

/**
 * A content hash for every node: its type and name (a string's value, with its size because snapshots cut
 * long values), its edges' names, and for each edge either the hash of the child it owns (dominates), the
 * child's type and name when a near ancestor owns it, or, for a child shared with others, that child's id.
 * Two deep copies of one object tree hash alike; an object and a second reference to it do not, because
 * the reference is not a copy.
 */
function hashContents(snapshot: IHeapSnapshot): Float64Array {
  const count = snapshot.nodes.length;
  const hashes = new Float64Array(count);
  const state = new Uint8Array(count); // 0 unseen, 1 children pending, 2 hashed
  const stack: number[] = [];
  const forEachStrongReference = (node: IHeapNode, visit: (child: IHeapNode, edgeName: string | number) => void) => {
    node.forEachReference((edge) => {
      if (edge.type === 'weak') return;
      visit(edge.toNode, edge.name_or_index);
    });
  };
  for (let start = 0; start < count; start++) {
    if (state[start] !== 0) continue;
    stack.push(start);
    while (stack.length > 0) {
      const index = stack[stack.length - 1];
      const node = snapshot.nodes.get(index)!;
      if (state[index] === 0) {
        state[index] = 1;
        forEachStrongReference(node, (child) => {
          if (state[child.nodeIndex] === 0 && child.dominatorNode?.nodeIndex === index) stack.push(child.nodeIndex);
        });
        continue;
      }
      stack.pop();
      if (state[index] === 2) continue;
      const lanes = hashString(`${node.type}\u0000${node.name}`, node.isString ? node.self_size : 0);
      forEachStrongReference(node, (child, edgeName) => {
        const [e1, e2] = hashString(String(edgeName), 1);
        combine(lanes, e1, e2);
        const owner = child.dominatorNode?.nodeIndex;
        if (owner === index && state[child.nodeIndex] === 2) {
          combine(lanes, hashes[child.nodeIndex], Math.floor(hashes[child.nodeIndex] / 2 ** 32));
        } else if (owner !== undefined && ownedByNearAncestor(node, owner)) {
          // e.g. an Array's elements store pointing at items the Array itself owns: the Array's hash has them.
          const [c1, c2] = hashString(`${child.type}\u0000${child.name}`, 2);
          combine(lanes, c1, c2);
        } else {
          combine(lanes, child.id, 0x9e3779b9);
        }
      });
      hashes[index] = lanes[0] * 2 ** 21 + (lanes[1] & 0x1fffff);
      state[index] = 2;
    }
  }
  return hashes;
}

/**
 * Copies have equal content and equal retained size. Keying on both also keeps apart nodes whose content hash
 * only names children that an ancestor owns (the links of one chain), which would otherwise look alike.
 */
function copyKey(hash: number, retainedSize: number): number {
  const lanes: [number, number] = [hash >>> 0, Math.floor(hash / 2 ** 32)];
  combine(lanes, retainedSize >>> 0, Math.floor(retainedSize / 2 ** 32));
  return lanes[0] * 2 ** 21 + (lanes[1] & 0x1fffff);
}

/** Dominator chains are shallow in practice; the bound only guards against a malformed snapshot. */
const MAX_DOMINATOR_DEPTH = 100_000;

function hasAncestorWhere(node: IHeapNode, test: (index: number) => boolean): boolean {
  let ancestor = node.dominatorNode;
  let previous = node.nodeIndex;
  for (let depth = 0; ancestor && ancestor.nodeIndex !== previous && depth < MAX_DOMINATOR_DEPTH; depth++) {
    if (test(ancestor.nodeIndex)) return true;
    previous = ancestor.nodeIndex;
    ancestor = ancestor.dominatorNode;
  }
  return false;
}

export function findDuplicates(memlab: Memlab, snapshot: IHeapSnapshot, top = 5): HeapDuplicates {
  const hashes = hashContents(snapshot);
  const keys = new Float64Array(snapshot.nodes.length);
  const groupSize = new Map<number, number>();
  let heapBytes = 0;
  snapshot.nodes.forEach((node) => {
    heapBytes += node.self_size;
    if (IGNORED_TYPES.has(node.type)) return;
    const key = copyKey(hashes[node.nodeIndex], node.retainedSize);
    keys[node.nodeIndex] = key;
    groupSize.set(key, (groupSize.get(key) ?? 0) + 1);
  });
  const isCopy = (index: number) => (groupSize.get(keys[index]) ?? 0) > 1;

  const groups = new Map<number, { example: number; copies: number; retained: number }>();
  const strings: StringDuplicates = { count: 0, duplicatedCount: 0, bytes: 0, duplicatedBytes: 0, share: 0 };
  const stringsSeen = new Set<number>();
  snapshot.nodes.forEach((node) => {
    if (IGNORED_TYPES.has(node.type)) return;
    if (node.type === 'string') {
      const hash = hashes[node.nodeIndex];
      strings.count++;
      strings.bytes += node.self_size;
      if (stringsSeen.has(hash)) {
        strings.duplicatedCount++;
        strings.duplicatedBytes += node.self_size;
      } else {
        stringsSeen.add(hash);
      }
    }
    // Only outermost copies count: a copy inside a copied tree is already in that tree's bytes.
    if (!isCopy(node.nodeIndex) || hasAncestorWhere(node, isCopy)) return;
    const key = keys[node.nodeIndex];
    const group = groups.get(key) ?? { example: node.nodeIndex, copies: 0, retained: 0 };
    group.copies++;
    group.retained += node.retainedSize;
    groups.set(key, group);
  });
  strings.share = strings.bytes > 0 ? strings.duplicatedBytes / strings.bytes : 0;

  const ranked: (DuplicateGroup & { example: number })[] = [];
  let duplicatedBytes = 0;
  for (const group of groups.values()) {
    if (group.copies < 2) continue;
    const retainedEach = group.retained / group.copies;
    const groupDuplicated = retainedEach * (group.copies - 1);
    duplicatedBytes += groupDuplicated;
    ranked.push({ shape: '', copies: group.copies, retainedEach, duplicatedBytes: groupDuplicated, example: group.example });
  }
  ranked.sort((a, b) => b.duplicatedBytes - a.duplicatedBytes);
  return {
    heapBytes,
    duplicatedBytes: Math.round(duplicatedBytes),
    share: heapBytes > 0 ? duplicatedBytes / heapBytes : 0,
    strings,
    top: ranked.slice(0, top).map(({ example, ...group }) => {
      const node = snapshot.nodes.get(example)!;
      return {
        ...group,
        retainedEach: Math.round(group.retainedEach),
        duplicatedBytes: Math.round(group.duplicatedBytes),
        shape: memlab.core.serializer.summarizeNodeShape(node, { color: false }) || `(${node.type})`,
      };
    }),
  };
}
