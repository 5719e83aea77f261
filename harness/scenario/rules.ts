// The rules that tie a scenario's fields together (a run longer than its warmup, events in order and inside the
// run, cron jobs the gateway has, budgets on metrics that exist), checked on load and again after overrides.
import type { ScenarioIssue } from './scenarioError.ts';
import { BUDGET_METRICS, type Scenario } from './schema.ts';

// Below three samples after warmup no slope can be fitted.
const MIN_MEASURED_SAMPLES = 3;

/** The rules that tie fields together; checked on load and again after overrides. */
export function ruleIssues(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  if (s.duration <= s.warmup) {
    issues.push({ path: 'duration', message: `${s.duration}s is not longer than its warmup (${s.warmup}s): nothing would be measured` });
  } else if ((s.duration - s.warmup) / s.sampleInterval < MIN_MEASURED_SAMPLES) {
    issues.push({
      path: 'sampleInterval',
      message: `${s.sampleInterval}s leaves fewer than ${MIN_MEASURED_SAMPLES} samples after warmup in a ${s.duration}s run`,
    });
  }
  let paused = false;
  s.events
    .map((event, i) => ({ event, i }))
    .sort((a, b) => a.event.at - b.event.at)
    .forEach(({ event, i }) => {
      if (event.at > s.duration) {
        issues.push({ path: `events[${i}].at`, message: `${event.at}s is after the end of the run (${s.duration}s)` });
      }
      if (event.type === 'pause' && paused) issues.push({ path: `events[${i}].type`, message: 'pause while the load is already paused' });
      if (event.type === 'resume' && !paused) issues.push({ path: `events[${i}].type`, message: 'resume without an earlier pause' });
      if (event.type === 'pause') paused = true;
      if (event.type === 'resume') paused = false;
    });
  const gateway = 'gateway' in s.target ? s.target.gateway : null;
  if (gateway) {
    if (gateway.store === 'naive' && gateway.fixes.length > 0) {
      issues.push({ path: 'target.gateway.fixes', message: 'fixes apply to the dedup store only (the naive store has none)' });
    }
    s.load.forEach((spec, i) => {
      if (spec.kind === 'cron' && spec.jobs > gateway.cronJobs) {
        issues.push({ path: `load[${i}].jobs`, message: `${spec.jobs} jobs, but the gateway has only cronJobs: ${gateway.cronJobs}` });
      }
    });
  }
  const files = 'command' in s.target ? s.target.command.files : {};
  for (const metric of Object.keys(s.budgets)) {
    const known = metric.startsWith('file:')
      ? metric.slice(5) in files
      : metric.startsWith('state:')
        ? metric.slice(6) in s.state
        : BUDGET_METRICS.includes(metric);
    if (!known) {
      issues.push({
        path: `budgets.${metric}`,
        message: metric.startsWith('file:')
          ? `no watched file labelled '${metric.slice(5)}' in target.command.files`
          : metric.startsWith('state:')
            ? `no state reading named '${metric.slice(6)}' in state`
            : `unknown metric; expected one of ${BUDGET_METRICS.join(', ')}, file:<label> or state:<name>`,
      });
    }
  }
  return issues;
}
