// The one way every soakgate command reads its command line: node's parseArgs plus `-h/--help`, with a bad option
// answered by the command's usage and exit 2 (docs/ARCHITECTURE.md, "Contracts"), so no command writes that dance again.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_OK, EXIT_USAGE } from '../contracts/exitCodes.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & typeof HELP }>>;

/** The parsed command line, or the exit code to return at once: 0 after printing help, 2 after a usage error. */
export function parseCommandLine<O extends Options>(command: string, argv: string[], options: O, usage: string): Parsed<O> | number {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...options, ...HELP } }) as Parsed<O>;
  } catch (err) {
    console.error(`soakgate ${command}: ${(err as Error).message}\n\n${usage}`);
    return EXIT_USAGE;
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return EXIT_OK;
  }
  return parsed;
}
