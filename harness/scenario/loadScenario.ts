// Reads a scenario file (a .ts or .js module default-exporting defineScenario({...}), or .json) and checks what
// only the disk can tell: the command's folder and executable, watched files' folders, the SQLite binding.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { sqliteBindingProblem } from '../state/sqliteState.ts';
import { parseScenario } from './parseScenario.ts';
import { ScenarioError, type ScenarioIssue } from './scenarioError.ts';
import type { Scenario } from './schema.ts';

/** Reads and validates a scenario: a .ts/.js module default-exporting defineScenario({...}), or a .json file. */
export async function loadScenario(path: string): Promise<Scenario> {
  const file = resolve(path);
  if (!existsSync(file)) throw new ScenarioError(path, [{ path: '', message: 'no such scenario file' }]);
  const value = await readScenarioValue(path, file);
  const scenario = parseScenario(value, path, dirname(file));
  const issues = missingPaths(scenario);
  const sqliteState = Object.keys(scenario.state).find((name) => 'sqlite' in scenario.state[name]);
  if (sqliteState !== undefined) {
    const problem = await sqliteBindingProblem();
    if (problem) issues.push({ path: `state.${sqliteState}.sqlite`, message: problem });
  }
  if (issues.length > 0) throw new ScenarioError(path, issues);
  return scenario;
}

async function readScenarioValue(path: string, file: string): Promise<unknown> {
  const ext = extname(file);
  if (ext === '.json') {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ScenarioError(path, [{ path: '', message: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  if (!['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    throw new ScenarioError(path, [{ path: '', message: `expected a .ts, .js or .json scenario file, got '${ext || 'no extension'}'` }]);
  }
  let module: { default?: unknown };
  try {
    // tsImport, not import(): a bare import() of a .ts file outside a "type": "module" folder goes through Node's
    // require(esm) and fails ("Cannot require() ES Module ... in a cycle") under the CLI's ESM-only tsx hooks.
    module = unwrapCommonJs(await tsImport(pathToFileURL(file).href, import.meta.url));
  } catch (error) {
    throw new ScenarioError(path, [{ path: '', message: `could not import it: ${(error as Error).message}` }]);
  }
  if (module.default === undefined) {
    throw new ScenarioError(path, [{ path: '', message: 'expected a default export: export default defineScenario({...})' }]);
  }
  return module.default;
}

// A .ts file outside a "type": "module" folder is compiled to CommonJS: its `export default` arrives as the
// `default` of module.exports, itself the namespace's default.
function unwrapCommonJs(module: { default?: unknown }): { default?: unknown } {
  const exports = module.default as { __esModule?: boolean; default?: unknown } | undefined;
  return exports !== null && typeof exports === 'object' && exports.__esModule === true ? { default: exports.default } : module;
}

// Checked at load, not in the pure parse: a folder a command needs must exist before anything starts.
function missingPaths(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  if ('command' in s.target) {
    const { argv, cwd, env, files } = s.target.command;
    if (!isDirectory(cwd)) issues.push({ path: 'target.command.cwd', message: `no such folder: ${cwd}` });
    else {
      const problem = executableProblem(argv[0], cwd, env.PATH ?? process.env.PATH ?? '');
      if (problem) issues.push({ path: 'target.command.argv[0]', message: problem });
    }
    for (const [label, file] of Object.entries(files)) {
      if (!isDirectory(dirname(file))) {
        issues.push({ path: `target.command.files.${label}`, message: `the folder of ${file} does not exist` });
      }
    }
  } else if (s.target.gateway.skillsDir !== undefined && !isDirectory(s.target.gateway.skillsDir)) {
    issues.push({ path: 'target.gateway.skillsDir', message: `no such folder: ${s.target.gateway.skillsDir}` });
  }
  return issues;
}

// Looked up as spawn will look it up: a name with a slash from cwd, a bare name on the target's PATH.
function executableProblem(command: string, cwd: string, searchPath: string): string | null {
  const candidates = command.includes('/') ? [resolve(cwd, command)] : searchPath.split(delimiter).filter(Boolean).map((dir) => resolve(cwd, dir, command));
  const files = candidates.filter((file) => existsSync(file) && !isDirectory(file));
  if (files.some(isExecutable)) return null;
  if (files.length > 0) return `${files[0]} is not executable (chmod +x it, or run it through its interpreter, such as ["node", "${command}"])`;
  return command.includes('/') ? `no such executable: ${candidates[0]}` : `no executable '${command}' on PATH`;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
