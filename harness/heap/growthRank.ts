// Orders the shapes that grew so that the first one is what a person should fix: the shape that holds the
// growth itself, not a wrapper around it nor an engine-wide bucket such as `string` or `Array`.

export interface GrowthCandidate {
  name: string;
  countFirst: number;
  countLast: number;
  retainedFirst: number;
  retainedLast: number;
  /** Shapes of the other candidates that its newest instance references directly. */
  holds: string[];
}

/** A wrapper grows by about what a shape it holds grows by (a session entry around its skills snapshot). */
const WRAPPED_RATIO = { min: 0.9, max: 1.1 };

/** Async machinery and pending I/O requests: every pending call pools here, holding data another shape names. */
const ASYNC_MACHINERY = new Set(['Promise', 'Generator', 'AsyncGenerator', 'PromiseReaction', '<closure>', 'FSReqPromise', 'FSReqCallback']);

/**
 * Shapes that pool unrelated objects from all over the heap; their growth is real but names no culprit. A queue
 * of pending writes (the naive store under load) grows as Promises, but what a person needs is the data they hold.
 */
export function isEngineBucket(name: string): boolean {
  return name === 'string' || name === 'Array' || name.startsWith('(') || name.startsWith('system /') || ASYNC_MACHINERY.has(name);
}

/**
 * The bytes that more objects explain: new objects times the smaller of the first and last bytes per object.
 * A leak adds objects of about one size; a shape whose bytes grew because one instance got big (a pending
 * write holding a large string) is ranked by the part its count explains, not by that one instance.
 */
export function steadyGrowth(c: GrowthCandidate): number {
  const perObject = (retained: number, count: number) => (count > 0 ? retained / count : Infinity);
  const bytesEach = Math.min(perObject(c.retainedFirst, c.countFirst), perObject(c.retainedLast, c.countLast));
  const explained = Math.max(0, c.countLast - c.countFirst) * (Number.isFinite(bytesEach) ? bytesEach : 0);
  return Math.min(Math.max(0, c.retainedLast - c.retainedFirst), explained);
}

/** Steady growth under this share of the largest is noise beside it. */
const NEGLIGIBLE_SHARE = 0.01;

/**
 * Named shapes that grew come first, then wrappers and engine buckets that grew, then shapes whose growth is
 * negligible (count only, or under 1% of the largest); within each, by steady growth, then by bytes.
 */
export function rankGrowth<T extends GrowthCandidate>(candidates: T[]): T[] {
  const steady = new Map(candidates.map((c) => [c.name, steadyGrowth(c)]));
  const steadyOf = (name: string) => steady.get(name) ?? 0;
  const wraps = (c: GrowthCandidate) =>
    c.holds.some((held) => {
      if (held === c.name || isEngineBucket(held)) return false;
      const ratio = steadyOf(held) / steadyOf(c.name);
      return ratio >= WRAPPED_RATIO.min && ratio <= WRAPPED_RATIO.max;
    });
  const largest = Math.max(0, ...steady.values());
  const negligible = (c: GrowthCandidate) => steadyOf(c.name) <= 0 || steadyOf(c.name) < NEGLIGIBLE_SHARE * largest;
  const tier = (c: GrowthCandidate) => (negligible(c) ? 2 : wraps(c) || isEngineBucket(c.name) ? 1 : 0);
  const retainedGrowth = (c: GrowthCandidate) => c.retainedLast - c.retainedFirst;
  return [...candidates].sort(
    (a, b) => tier(a) - tier(b) || steadyOf(b.name) - steadyOf(a.name) || retainedGrowth(b) - retainedGrowth(a),
  );
}
