// The command line's overrides of a scenario (--store, --fixes, --duration, --seed, --settle-interval), checked
// again with the scenario's rules once applied.
import { gatewayDefaultFixes, parseGatewayFixes, type GatewayFix } from '../target/gatewayLimits.ts';
import { parseDuration } from './duration.ts';
import { ruleIssues } from './rules.ts';
import { ScenarioError, type ScenarioIssue } from './scenarioError.ts';
import type { GatewayTarget, Scenario } from './schema.ts';

export interface ScenarioOverrides {
  store?: string;
  /** 'prune,dedupe', 'none' or a list. */
  fixes?: string | string[];
  duration?: string | number;
  seed?: string | number;
  settleInterval?: string | number;
}

/** Applies command-line options (--store, --fixes, --duration, --seed, --settle-interval) and checks the result again. */
export function applyOverrides(scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  const next: Scenario = { ...scenario };
  const issues: ScenarioIssue[] = [];
  if (overrides.store !== undefined || overrides.fixes !== undefined) {
    if (!('gateway' in scenario.target)) {
      issues.push({ path: '--store/--fixes', message: 'apply to a gateway target only; this scenario runs a command' });
    } else {
      const gateway = scenario.target.gateway;
      const store = overrides.store ?? gateway.store;
      if (store !== 'naive' && store !== 'dedup') {
        issues.push({ path: '--store', message: `expected naive or dedup, got '${store}'` });
      } else if (store === 'naive' && overrides.fixes !== undefined && parseFixes(overrides.fixes, issues).length > 0) {
        issues.push({ path: '--fixes', message: 'applies to --store dedup only (the naive store has no fixes)' });
      } else {
        const fixes = overrides.fixes === undefined ? defaultFixes(store, gateway) : parseFixes(overrides.fixes, issues);
        next.target = { gateway: { ...gateway, store, fixes } };
      }
    }
  }
  if (overrides.duration !== undefined) {
    try {
      next.duration = parseDuration(overrides.duration);
      next.events = scenario.events.map((e) => (e.atFraction === undefined ? e : { ...e, at: e.atFraction * next.duration }));
    } catch (error) {
      issues.push({ path: '--duration', message: (error as Error).message });
    }
  }
  if (overrides.settleInterval !== undefined) {
    try {
      next.settleInterval = parseDuration(overrides.settleInterval);
    } catch (error) {
      issues.push({ path: '--settle-interval', message: (error as Error).message });
    }
  }
  if (overrides.seed !== undefined) {
    const seed = Number(overrides.seed);
    if (Number.isInteger(seed) && seed >= 0) next.seed = seed;
    else issues.push({ path: '--seed', message: `expected a whole number of 0 or more, got '${overrides.seed}'` });
  }
  issues.push(...(issues.length === 0 ? ruleIssues(next) : []));
  if (issues.length > 0) throw new ScenarioError(scenario.source, issues);
  return next;
}

// Switching to naive drops the fixes; switching to dedup without --fixes keeps the file's fixes, or all of them.
function defaultFixes(store: 'naive' | 'dedup', gateway: GatewayTarget): GatewayFix[] {
  return store === 'dedup' && gateway.store === 'dedup' ? gateway.fixes : gatewayDefaultFixes(store);
}

function parseFixes(value: string | string[], issues: ScenarioIssue[]): GatewayFix[] {
  try {
    return parseGatewayFixes(Array.isArray(value) ? value.join(',') : value);
  } catch (error) {
    issues.push({ path: '--fixes', message: (error as Error).message });
    return [];
  }
}
