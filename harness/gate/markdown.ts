// The gate's Markdown summary: what a person sees on the CI job page ($GITHUB_STEP_SUMMARY) and in the terminal.
import { unitOf } from '../analysis/metricCatalogue.ts';
import type { GateCheck } from '../contracts/summary.ts';
import type { GateResult } from './gateResult.ts';
import { formatRate, PER_1K_OPS, PER_MIN } from '../analysis/units.ts';
import { EXIT_CRASHED, EXIT_LOAD_FAILED } from '../contracts/exitCodes.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function gateToMarkdown(result: GateResult): string {
  const head = result.pass ? 'PASS' : result.exitCode === EXIT_CRASHED ? 'FAIL (target crashed)' : result.exitCode === EXIT_LOAD_FAILED ? 'FAIL (load failed)' : 'FAIL (regression)';
  const lines = [`## soakgate gate: ${head}${result.shard ? ` (shard ${result.shard})` : ''}`, ''];
  for (const s of result.scenarios) {
    const state = s.crashed ? 'crashed' : s.loadFailed !== undefined ? 'load failed' : s.pass ? 'pass' : 'regression';
    lines.push(`### ${cell(s.scenario)} on ${cell(s.target)}: ${state}${s.reran ? ' (confirmed by a rerun)' : ''}`, '');
    if (s.loadFailed !== undefined) lines.push(`**${cell(s.loadFailed)}.** Checks that pass below say little: the load did not fully reach the target; growth they find is real.`, '');
    lines.push(...checksTable(s.checks), '', `Run folder: \`${s.runDir}\``, '');
  }
  return lines.join('\n');
}

/** The checks as Markdown table lines; `soakgate run` prints its budget checks with the same lines. */
export function checksTable(checks: GateCheck[]): string[] {
  return [
    '| metric | check | observed | limit | result | why |',
    '| --- | --- | ---: | ---: | --- | --- |',
    ...checks.map((c) => `| ${cell(c.metric)} | ${CHECK_NAMES[c.kind ?? 'baseline']} | ${rate(c, c.observed)} | ${rate(c, c.limit)} | ${c.pass ? 'ok' : '**grew**'} | ${cell(c.reason)} |`),
  ];
}

const CHECK_NAMES: Record<NonNullable<GateCheck['kind']>, string> = {
  baseline: 'baseline',
  budgetPerMin: 'budget',
  budgetPer1kOps: 'budget per 1k ops',
  missing: 'not measured',
};

function rate(check: GateCheck, value: number): string {
  return formatRate(value, unitOf(check.metric), check.kind === 'budgetPer1kOps' ? PER_1K_OPS : PER_MIN);
}
