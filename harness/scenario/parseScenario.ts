// A scenario value made into a Scenario: validated against the schema, paths resolved against the file's folder,
// the gateway's defaults filled in, then the rules that tie fields together checked. Pure: no file access.
import { dirname, resolve } from 'node:path';
import { RUN_DIR_PREFIX } from '../state/stateFiles.ts';
import type { StateSpec } from '../state/stateReadings.ts';
import { gatewayDefaultFixes } from '../target/gatewayLimits.ts';
import { ruleIssues } from './rules.ts';
import { formatPath, ScenarioError } from './scenarioError.ts';
import { scenarioFields, type CommandTarget, type Fields, type Scenario } from './schema.ts';

/** Validates a scenario value (pure: no file access); relative paths resolve against `baseDir`. */
export function parseScenario(value: unknown, source: string, baseDir = dirname(resolve(source))): Scenario {
  const parsed = scenarioFields.safeParse(value);
  if (!parsed.success) {
    throw new ScenarioError(source, parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
  }
  const fields = parsed.data;
  const target = resolveTarget(fields, baseDir);
  const scenario: Scenario = {
    ...fields,
    target,
    state: resolveState(fields.state, 'command' in target ? target.command.cwd : baseDir),
    events: fields.events
      .map(({ at, type }) =>
        at.fraction === undefined ? { at: at.seconds, type } : { at: at.fraction * fields.duration, type, atFraction: at.fraction },
      ),
    source,
  };
  const issues = ruleIssues(scenario);
  if (issues.length > 0) throw new ScenarioError(source, issues);
  return scenario;
}

function resolveTarget(fields: Fields, baseDir: string): Scenario['target'] {
  const { gateway, command } = fields.target;
  if (gateway) {
    return {
      gateway: {
        ...gateway,
        skillsDir: gateway.skillsDir === undefined ? undefined : resolve(baseDir, gateway.skillsDir),
        fixes: gateway.fixes ?? gatewayDefaultFixes(gateway.store),
        timeScale: gateway.timeScale ?? fields.timeScale,
      },
    };
  }
  const spec = command as CommandTarget;
  const cwd = resolve(baseDir, spec.cwd);
  return {
    command: {
      ...spec,
      ...(spec.port === undefined ? {} : { url: `http://127.0.0.1:${spec.port}` }),
      cwd,
      files: Object.fromEntries(Object.entries(spec.files).map(([label, path]) => [label, resolve(cwd, path)])),
    },
  };
}

// SQLite files sit where the target works, as its watched files do; the embedded gateway has no cwd of its own.
// A file in the run folder keeps its `{runDir}/` until the run starts.
function resolveState(state: Fields['state'], dir: string): Record<string, StateSpec> {
  const place = (file: string) => (file.startsWith(RUN_DIR_PREFIX) ? file : resolve(dir, file));
  return Object.fromEntries(
    Object.entries(state).map(([name, source]): [string, StateSpec] =>
      source.sqlite ? [name, { sqlite: { ...source.sqlite, file: place(source.sqlite.file) } }] : [name, { prometheus: source.prometheus! }],
    ),
  );
}

