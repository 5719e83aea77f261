// When each operation of a storm is due, in scenario seconds: evenly spread, or in bursts at the start of each
// period. Pure, so the pacing is tested without a clock; the pacer divides by the time scale.

export interface Schedule {
  /** Scenario seconds at which operation `k` (counting from 0) is due; Infinity when it never is. */
  timeOf(k: number): number;
}

/**
 * `rate` operations per second on average. Without `burstEvery` they are spread evenly; with it, each period's
 * share is due at the period's start (a fractional share carries over, so the average rate holds).
 */
export function scheduleFor(rate: number, burstEvery?: number): Schedule {
  if (rate <= 0) return { timeOf: () => Infinity };
  if (burstEvery === undefined) return { timeOf: (k) => k / rate };
  const perBurst = rate * burstEvery;
  return { timeOf: (k) => Math.floor(k / perBurst + 1e-9) * burstEvery };
}
