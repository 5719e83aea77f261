// What the command adapter (commandAdapter.ts) takes: the authority for a command target's resolved options, which
// the scenario's schema is checked against (harness/scenario/schema.ts, CommandTarget). A module of its own, with no
// imports, so that check brings nothing else into the package's public types.

/** A command target as a validated scenario gives it: durations in seconds, paths absolute. */
export interface CommandTargetOptions {
  argv: string[];
  name?: string;
  cwd: string;
  env: Record<string, string>;
  ready?: string;
  url?: string;
  health?: string;
  healthInterval: number;
  readyTimeout: number;
  stopGrace: number;
  /** Watched files by label. */
  files: Record<string, string>;
}
