// The periodic prune tick: asks the store to drop completed ephemeral sessions past their retention. The naive
// store ignores it (the bug), the dedup store acts on it; ticks never overlap and stop() waits for the last one.

export interface PruneTicker {
  stop(): Promise<void>;
}

/** Ticks often enough that a session outlives its retention by at most about half of it (bounded to 50ms..5s). */
export function pruneTickMs(pruneAfterMs: number): number {
  return Math.min(5000, Math.max(50, pruneAfterMs / 2));
}

export function startPruneTicker(
  prune: (now: number) => Promise<number>,
  intervalMs: number,
  now: () => number,
  onError: (error: unknown) => void,
): PruneTicker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  const tick = () => {
    current = prune(now())
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
