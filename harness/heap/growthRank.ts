// Orders the shapes that grew so that the first one is what a person should fix: the shape that holds the
// growth itself, not a wrapper around it nor an engine-wide bucket such as `string` or `Array`.

export interface GrowthCandidate {
  name: string;
  countFirst: number;
  countLast: number;
  retainedFirst: number;
  retainedLast: number;
  /** Its newest instance spends most of its retained size on one child object (a session entry around its snapshot). */
  wrapsOneChild: boolean;
}

/** Shapes that pool unrelated objects from all over the heap; their growth is real but names no culprit. */
export function isEngineBucket(name: string): boolean {
  return name === 'string' || name === 'Array' || name.startsWith('(') || name.startsWith('system /');
}

export function rankGrowth<T extends GrowthCandidate>(candidates: T[]): T[] {
  const demoted = (c: GrowthCandidate) => (c.wrapsOneChild || isEngineBucket(c.name) ? 1 : 0);
  const growth = (c: GrowthCandidate) => c.retainedLast - c.retainedFirst;
  return [...candidates].sort(
    (a, b) => demoted(a) - demoted(b) || growth(b) - growth(a) || b.countLast - b.countFirst - (a.countLast - a.countFirst),
  );
}
