// Where a state reading's SQLite file is: a path the scenario resolved, or one inside the run folder, which is
// named only when the run starts (docs/ARCHITECTURE.md, "State readings"). No I/O, so the scenario's parser can use it.
import { join } from 'node:path';
import type { StateSpec } from './stateReadings.ts';

/**
 * A SQLite file written `{runDir}/<path>` lies in the run folder, which is named only when the run starts: for a
 * target that keeps its state there (it finds the folder in SOAKGATE_RUN_DIR).
 */
export const RUN_DIR_PREFIX = '{runDir}/';

/** The readings with their `{runDir}/` files placed in this run's folder. */
export function inRunFolder(specs: Record<string, StateSpec>, runDir: string): Record<string, StateSpec> {
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]): [string, StateSpec] =>
      'sqlite' in spec && spec.sqlite.file.startsWith(RUN_DIR_PREFIX)
        ? [name, { sqlite: { ...spec.sqlite, file: join(runDir, spec.sqlite.file.slice(RUN_DIR_PREFIX.length)) } }]
        : [name, spec],
    ),
  );
}
