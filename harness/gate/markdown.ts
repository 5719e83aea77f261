// The gate's Markdown summary: what a person sees on the CI job page ($GITHUB_STEP_SUMMARY) and in the terminal.
import type { GateResult } from './gateResult.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function gateToMarkdown(result: GateResult): string {
  const head = result.pass ? 'PASS' : result.exitCode === 3 ? 'FAIL (target crashed)' : 'FAIL (regression)';
  const lines = [`## soakgate gate: ${head}${result.shard ? ` (shard ${result.shard})` : ''}`, ''];
  for (const s of result.scenarios) {
    const state = s.crashed ? 'crashed' : s.pass ? 'pass' : 'regression';
    lines.push(`### ${cell(s.scenario)} on ${cell(s.target)}: ${state}${s.reran ? ' (confirmed by a rerun)' : ''}`, '');
    lines.push('| metric | observed | limit | result | why |', '| --- | ---: | ---: | --- | --- |');
    for (const c of s.checks) {
      lines.push(
        `| ${cell(c.metric)} | ${formatNumber(c.observed)} | ${formatNumber(c.limit)} | ${c.pass ? 'ok' : '**grew**'} | ${cell(c.reason)} |`,
      );
    }
    lines.push('', `Run folder: \`${s.runDir}\``, '');
  }
  return lines.join('\n');
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(abs >= 10 ? 0 : 2);
}
