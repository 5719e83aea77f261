// Any command as a target (one of the two target adapters, docs/ARCHITECTURE.md, "Targets"): the scenario's argv,
// cwd, environment and readiness, the probe joined to the target's own NODE_OPTIONS, and its watched files.
import { basename } from 'node:path';
import type { CommandTargetOptions } from './commandTargetOptions.ts';
import type { TargetAdapter } from './targetAdapter.ts';
import { watchedFileReadings } from './watchedFiles.ts';

export function commandAdapter(command: CommandTargetOptions): TargetAdapter {
  const label = `command:${command.name ?? commandName(command.argv)}`;
  return {
    label,
    process: (launch) => ({
      label,
      argv: command.argv,
      cwd: command.cwd,
      env: { ...command.env, ...launch.probeEnv(command.env.NODE_OPTIONS), ...launch.env },
      ...(command.ready === undefined ? {} : { ready: new RegExp(command.ready) }),
      ...(command.url === undefined ? {} : { url: command.url }),
      ...(command.health === undefined ? {} : { health: command.health, healthIntervalMs: command.healthInterval * 1000 }),
      readyTimeoutMs: command.readyTimeout * 1000,
      stopGraceMs: command.stopGrace * 1000,
      logFile: launch.logFile,
    }),
    readings: watchedFileReadings(command.files),
  };
}

/** `server.mjs` for [node, server.mjs, --port, 0]; the executable's name when no script file is named (node -e ...). */
function commandName(argv: string[]): string {
  const script = argv.slice(1).find((arg) => !arg.startsWith('-'));
  return basename(script && /^[\w./@-]+\.[a-z]+$/i.test(script) ? script : argv[0]);
}
