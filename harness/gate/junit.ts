// JUnit XML for CI test reporters: one test suite per gated scenario, one test case per checked metric.
import type { GateResult } from './gateResult.ts';

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function gateToJUnit(result: GateResult): string {
  const suites = result.scenarios.map((s) => {
    const cases = s.checks.map((c) => {
      const body = c.pass ? '' : `<failure message="${xml(c.reason)}" type="regression">${xml(c.reason)}</failure>`;
      return `    <testcase classname="soakgate.${xml(s.scenario)}.${xml(s.target)}" name="${xml(c.metric)}">${body}</testcase>`;
    });
    if (s.crashed) {
      cases.push(
        `    <testcase classname="soakgate.${xml(s.scenario)}.${xml(s.target)}" name="target">` +
          `<error message="target crashed" type="crash">The target exited during the run; see ${xml(s.runDir)}.</error></testcase>`,
      );
    }
    if (s.loadFailed !== undefined) {
      cases.push(
        `    <testcase classname="soakgate.${xml(s.scenario)}.${xml(s.target)}" name="load">` +
          `<failure message="${xml(s.loadFailed)}" type="loadFailed">${xml(s.loadFailed)}</failure></testcase>`,
      );
    }
    const failures = s.checks.filter((c) => !c.pass).length + (s.loadFailed !== undefined ? 1 : 0);
    return (
      `  <testsuite name="${xml(s.scenario)} (${xml(s.target)})" tests="${cases.length}" failures="${failures}" ` +
      `errors="${s.crashed ? 1 : 0}" time="${s.durationS.toFixed(1)}">\n${cases.join('\n')}\n  </testsuite>`
    );
  });
  const tests = result.scenarios.reduce((n, s) => n + s.checks.length + (s.crashed ? 1 : 0) + (s.loadFailed !== undefined ? 1 : 0), 0);
  const failures = result.scenarios.reduce((n, s) => n + s.checks.filter((c) => !c.pass).length + (s.loadFailed !== undefined ? 1 : 0), 0);
  const errors = result.scenarios.filter((s) => s.crashed).length;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="soakgate gate" tests="${tests}" failures="${failures}" ` +
    `errors="${errors}">\n${suites.join('\n')}\n</testsuites>\n`
  );
}
