// `soakgate merge`: joins the gate folders of sharded CI jobs (`gate --shard i/n`) into one gate.json, one JUnit
// file, one Markdown summary and one report, with the same verdict an unsharded gate would give.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { combineGateResults, type GateResult, type GateScenarioResult } from '../gate/gateResult.ts';
import { writeGateOutputs } from '../gate/writeGateOutputs.ts';
import { parseCommandLine } from './commandLine.ts';

const USAGE = `usage: soakgate merge <gate-dir> [<gate-dir> ...] [--out DIR]

Each gate-dir is the --out folder of one \`soakgate gate --shard i/n\` job (it holds gate.json). Writes the merged
gate.json, junit.xml, gate.md and report.html into --out (default: runs/gate-merged) and exits as the gate would:
0 pass, 1 regression, 2 usage error, 3 a target crashed.`;

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('merge', argv, { out: { type: 'string' } }, USAGE);
  if (typeof parsed === 'number') return parsed;
  if (parsed.positionals.length === 0) {
    console.error(`soakgate merge: name at least one gate folder.\n\n${USAGE}`);
    return 2;
  }
  const out = resolve(parsed.values.out ?? 'runs/gate-merged');
  const scenarios: GateScenarioResult[] = [];
  const seen = new Map<string, string>();
  for (const dir of parsed.positionals) {
    let shard: GateResult;
    try {
      shard = readGate(dir);
    } catch (err) {
      console.error(`soakgate merge: ${(err as Error).message}`);
      return 2;
    }
    for (const s of shard.scenarios) {
      const key = `${s.scenario} on ${s.target}`;
      if (seen.has(key)) {
        console.error(`soakgate merge: ${key} is in both ${seen.get(key)} and ${dir}: were the same shards downloaded twice?`);
        return 2;
      }
      seen.set(key, dir);
      scenarios.push({ ...s, runDir: relative(out, resolve(dir, s.runDir)) });
    }
  }
  mkdirSync(out, { recursive: true });
  const result = combineGateResults(scenarios, new Date().toISOString());
  await writeGateOutputs(result, out);
  return result.exitCode;
}

function readGate(dir: string): GateResult {
  const file = join(dir, 'gate.json');
  if (!existsSync(file)) throw new Error(`${dir} holds no gate.json: is it the --out folder of a soakgate gate run?`);
  let value: GateResult;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as GateResult;
  } catch (err) {
    throw new Error(`${file} is not readable JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value.scenarios)) throw new Error(`${file} has no scenarios list: not a soakgate gate.json.`);
  return value;
}
