#!/usr/bin/env node
// The soakgate command: registers tsx so the TypeScript sources run in this very process (no wrapper
// process, so a gateway started this way has its own pid), then hands argv to the chosen command's main().
import { register } from 'tsx/esm/api';

register();

const commands = {
  gateway: ['../src/cli.ts', 'run the embedded agent gateway (naive or dedup session store)'],
  run: ['../harness/commands/run.ts', 'run one scenario against a target and record samples'],
  compare: ['../harness/commands/compare.ts', 'run one scenario against several stores and compare slopes'],
  gate: ['../harness/commands/gate.ts', 'CI regression gate: run scenarios, judge slopes against baselines'],
  baseline: ['../harness/commands/baseline.ts', 'record a baseline for a scenario from N runs'],
  report: ['../harness/commands/report.ts', 'rebuild report.html from a run folder'],
  merge: ['../harness/commands/merge.ts', 'join sharded gate results into one verdict and report'],
};

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  console.log('usage: soakgate <command> [options]   (soakgate <command> --help for its options)\n');
  for (const [cmd, [, about]] of Object.entries(commands)) console.log(`  ${cmd.padEnd(width)}  ${about}`);
  process.exit(name ? 0 : 2);
}
const entry = commands[name];
if (!entry) {
  console.error(`soakgate: unknown command '${name}'. Commands: ${Object.keys(commands).join(', ')}.`);
  process.exit(2);
}
const { main } = await import(new URL(entry[0], import.meta.url).href);
process.exitCode = await main(rest);
