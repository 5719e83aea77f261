// Group commit: a burst of mutations shares one durable write instead of queueing one write each, and the clean-ups
// a write makes safe (archiving a transcript, removing an entry body) wait for it. Used by the dedup store and src/stats.ts.

export type Cleanup = () => Promise<unknown>;

interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces writes (and any other work that reads the whole current state, such as gathering the gateway's
 * figures in src/stats.ts): `commit` persists the whole current state. A caller that changed the state calls `request()`;
 * its promise resolves when a commit that began after the call has finished, so the change is in a durable write.
 * Callers arriving while a commit runs all share the next one.
 */
export class GroupCommitWriter {
  private running: Promise<void> | undefined;
  private next: Batch | undefined;
  private commits = 0;

  constructor(private readonly commit: () => Promise<void>) {}

  /** How many commits have run: with concurrent callers, fewer than the mutations they carried. */
  get commitCount(): number {
    return this.commits;
  }

  request(): Promise<void> {
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { promise, resolve, reject };
      // Start on a later microtask so that mutations made in the same tick ride in the same commit.
      if (!this.running) this.running = Promise.resolve().then(() => this.drain());
    }
    return this.next.promise;
  }

  /** Waits for every requested commit, including one in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.next) {
      const batch = this.next;
      this.next = undefined;
      try {
        this.commits++;
        await this.commit();
        batch.resolve();
      } catch (error) {
        batch.reject(error);
      }
    }
    this.running = undefined;
  }
}

/**
 * Clean-ups that are only safe once an index without their sessions is durable: run after the commit that wrote
 * it, or handed back to the next commit when that one failed.
 */
export class PendingCleanups {
  private pending: Cleanup[] = [];

  add(...cleanups: Cleanup[]): void {
    this.pending.push(...cleanups);
  }

  /** What the commit starting now makes safe; later additions wait for the next one. */
  take(): Cleanup[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** The commit failed: its clean-ups go first into the next one. */
  restore(taken: Cleanup[]): void {
    this.pending.unshift(...taken);
  }

  /** Runs them in order; a failure is logged, not thrown, since the commit itself is already durable. */
  async run(taken: Cleanup[], log: (line: string) => void): Promise<void> {
    for (const cleanup of taken) {
      await cleanup().catch((error: Error) => log(`warning: clean-up after a store write failed: ${error.message}`));
    }
  }
}
