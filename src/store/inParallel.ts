// Runs file work over many items with a bounded number in flight: enough parallel writes to overlap fsyncs without
// opening thousands of descriptors at once (the dedup store writes and reads one file per session).
const WRITE_CONCURRENCY = 16;

export async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, worker));
}
