// Writes a gate's verdict where CI looks for it: gate.json, junit.xml, gate.md (also appended to
// $GITHUB_STEP_SUMMARY), and one report.html over all its runs. Shared by `gate` and `merge`.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCompareReport } from '../../reports/writeReport.ts';
import { writeJsonAtomically } from '../run/runFolder.ts';
import type { GateResult } from './gateResult.ts';
import { gateToJUnit } from './junit.ts';
import { gateToMarkdown } from './markdown.ts';

/** `out` is the gate folder; every scenario's runDir is relative to it. */
export async function writeGateOutputs(result: GateResult, out: string): Promise<void> {
  writeJsonAtomically(join(out, 'gate.json'), result);
  writeFileSync(join(out, 'junit.xml'), gateToJUnit(result));
  const markdown = gateToMarkdown(result);
  writeFileSync(join(out, 'gate.md'), markdown);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  if (result.scenarios.length > 0) {
    try {
      await writeCompareReport(
        result.scenarios.map((s) => join(out, s.runDir)),
        join(out, 'report.html'),
        `soakgate gate: ${result.pass ? 'pass' : 'fail'}`,
      );
    } catch (err) {
      console.error(`the gate's report could not be written: ${(err as Error).message}`);
    }
  }
  console.log(`\n${markdown}`);
  console.log(`gate folder: ${out} (gate.json, junit.xml, gate.md, report.html)`);
}

