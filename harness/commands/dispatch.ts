// The soakgate command line: picks the command, answers --help and --version, and is the one error boundary every
// command runs inside (docs/ARCHITECTURE.md, "Contracts"). An error the user can fix is one plain line and exit 2;
// anything else is soakgate's own bug, printed with its stack and a request to report it, exit 4, so a CI never
// reads a bug as a regression (Node's own exit code for an uncaught error is 1).
import { readFileSync } from 'node:fs';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from '../contracts/exitCodes.ts';
import { TargetStartError } from '../target/commandTarget.ts';

type Main = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { module: string; about: string }> = {
  gateway: { module: '../../src/cli.ts', about: 'run the embedded agent gateway (naive or dedup session store)' },
  run: { module: './run.ts', about: 'run one scenario against a target and record samples' },
  compare: { module: './compare.ts', about: 'run one scenario against several stores and compare slopes' },
  gate: { module: './gate.ts', about: 'CI regression gate: run scenarios, judge slopes against baselines' },
  baseline: { module: './baseline.ts', about: 'record a baseline for a scenario from N runs' },
  report: { module: './report.ts', about: 'rebuild report.html from a run folder' },
  merge: { module: './merge.ts', about: 'join sharded gate results into one verdict and report' },
};

/** The version in package.json, the one a team pins. */
export function soakgateVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const VERSION_FLAGS = '-v, --version';

function printHelp(): void {
  const width = Math.max(VERSION_FLAGS.length, ...Object.keys(COMMANDS).map((c) => c.length));
  console.log('usage: soakgate <command> [options]   (soakgate <command> --help for its options)\n');
  for (const [name, { about }] of Object.entries(COMMANDS)) console.log(`  ${name.padEnd(width)}  ${about}`);
  console.log(`\n  ${VERSION_FLAGS.padEnd(width)}  print soakgate's version`);
}

/**
 * Errors a user causes and fixes. A target command that cannot be spawned at all (no such executable) is the
 * scenario's fault too; a target that starts and dies is a crash, which runScenario turns into exit 3 itself.
 */
function isUsageError(err: unknown): err is Error {
  return err instanceof UsageError || (err instanceof TargetStartError && err.configuration);
}

/** What the boundary prints for an error, and the exit code it means. */
function reportError(command: string, err: unknown): number {
  if (isUsageError(err)) {
    console.error(`soakgate ${command}: ${err.message}`);
    return EXIT_USAGE;
  }
  console.error(err instanceof Error ? (err.stack ?? String(err)) : `thrown: ${String(err)}`);
  console.error(
    `\nsoakgate ${command}: internal error (exit ${EXIT_INTERNAL}) in soakgate ${soakgateVersion()} on Node ${process.version}. ` +
      'This is a bug in soakgate, not in your scenario or target: please report this with the stack above.',
  );
  return EXIT_INTERNAL;
}

/**
 * An error thrown outside the command's own await chain (an event handler, a timer, a promise nobody awaited) would
 * otherwise make Node exit 1, which reads as a regression. The 'exit' hooks (commandTarget.ts) still stop targets.
 */
function exitOnStrayErrors(command: string): void {
  const fail = (err: unknown) => process.exit(reportError(command, err));
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

/** Runs `soakgate <argv...>` and returns its exit code. */
export async function dispatch(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    console.log(soakgateVersion());
    return EXIT_OK;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name ? EXIT_OK : EXIT_USAGE;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`soakgate: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}; or --version.`);
    return EXIT_USAGE;
  }
  exitOnStrayErrors(name);
  try {
    const { main } = (await import(command.module)) as { main: Main };
    return await main(rest);
  } catch (err) {
    return reportError(name, err);
  }
}
