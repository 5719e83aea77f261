// `soakgate merge`: joins the gate folders of sharded CI jobs (`gate --shard i/n`) into one gate.json, one JUnit
// file, one Markdown summary and one report, with the same verdict an unsharded gate would give.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXIT_USAGE, UsageError } from '../contracts/exitCodes.ts';
import { combineGateResults, type GateResult, type GateScenarioResult } from '../gate/gateResult.ts';
import { shardSetProblem } from '../gate/shard.ts';
import { writeGateOutputs } from '../gate/writeGateOutputs.ts';
import { parseCommandLine } from './commandLine.ts';

const USAGE = `usage: soakgate merge <gate-dir> [<gate-dir> ...] [--out DIR]

Each gate-dir is the --out folder of one \`soakgate gate --shard i/n\` job (it holds gate.json). Writes the merged
gate.json, junit.xml, gate.md and report.html into --out (default: runs/gate-merged) and exits as the gate would.
Every shard i of n must be there, once: a shard that got no scenario counts (its gate.json says so), a shard
that never wrote gate.json is missing and named.

exit codes: 0 pass, 1 regression, 2 usage error (also: a shard missing or twice, or no scenario ran in any
shard), 3 a target crashed, 4 internal error (a bug: please report it), 5 a run's load failed`;

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('merge', argv, { out: { type: 'string' } }, USAGE);
  if (typeof parsed === 'number') return parsed;
  if (parsed.positionals.length === 0) {
    console.error(`soakgate merge: name at least one gate folder.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const out = resolve(parsed.values.out ?? 'runs/gate-merged');
  // Unreadable gate folders throw UsageError: the command line's boundary (dispatch.ts) exits 2 with the message.
  const gates = parsed.positionals.map((dir) => ({ ...readGate(dir), dir }));
  const problem = shardSetProblem(gates);
  if (problem) {
    console.error(`soakgate merge: ${problem}`);
    return EXIT_USAGE;
  }
  const scenarios: GateScenarioResult[] = [];
  const seen = new Map<string, string>();
  for (const gate of gates) {
    for (const s of gate.scenarios) {
      const key = `${s.scenario} on ${s.target}`;
      if (seen.has(key)) {
        console.error(`soakgate merge: ${key} is in both ${seen.get(key)} and ${gate.dir}: were the same shards downloaded twice?`);
        return EXIT_USAGE;
      }
      seen.set(key, gate.dir);
      scenarios.push({ ...s, runDir: relative(out, resolve(gate.dir, s.runDir)) });
    }
  }
  if (scenarios.length === 0) {
    console.error(
      `soakgate merge: no scenario ran in any of the ${gates.length} gate folders (${gates.map((g) => g.dir).join(', ')}), so there is no verdict to give. ` +
        'Check the scenario list the gate jobs were given.',
    );
    return EXIT_USAGE;
  }
  mkdirSync(out, { recursive: true });
  const result = combineGateResults(scenarios, new Date().toISOString());
  await writeGateOutputs(result, out);
  return result.exitCode;
}

function readGate(dir: string): GateResult {
  const file = join(dir, 'gate.json');
  if (!existsSync(file)) throw new UsageError(`${dir} holds no gate.json: is it the --out folder of a soakgate gate run?`);
  let value: GateResult;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as GateResult;
  } catch (err) {
    throw new UsageError(`${file} is not readable JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value.scenarios)) throw new UsageError(`${file} has no scenarios list: not a soakgate gate.json.`);
  return value;
}
