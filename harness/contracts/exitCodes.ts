// The exit codes of every soakgate command, defined once: CI jobs and scripts branch on them (docs/ARCHITECTURE.md,
// "Contracts"), so each command, the gate's verdict and the one error boundary in harness/commands/dispatch.ts use
// these names. The embedded gateway (src/cli.ts) keeps its own copy of 0, 2 and 130, since src/ never imports harness/.

export const EXIT_OK = 0;
/** A metric grew past its baseline or budget. */
export const EXIT_REGRESSION = 1;
/** A bad flag, scenario, baseline or file: something the user fixes. */
export const EXIT_USAGE = 2;
/** The target died or never got ready. */
export const EXIT_CRASHED = 3;
/** A bug in soakgate itself: printed with its stack and a request to report it. */
export const EXIT_INTERNAL = 4;
/** The load did not reach the target (harness/storms/loadCheck.ts): the run's numbers say nothing about it under load. */
export const EXIT_LOAD_FAILED = 5;
export const EXIT_INTERRUPTED = 130;

/**
 * An error the user caused and can fix (a bad option, a scenario, baseline or run folder that is wrong or missing):
 * its message says what was wrong and what to do, and the command exits 2 with that message alone, no stack.
 * Any other error reaching the boundary is soakgate's own fault (exit 4).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
