// The harness's public entry, imported by scenario files: `import { defineScenario } from 'soakgate'` in a team's
// repository (package.json's exports), `from '../harness/index.ts'` in this one.
export { defineScenario, loadScenario, parseDuration, ScenarioError } from './scenario.ts';
export type {
  Budget,
  ChatStormSpec,
  CommandTarget,
  CronStormSpec,
  EventType,
  GatewayTarget,
  HttpStormSpec,
  Scenario,
  ScenarioEvent,
  ScenarioInput,
  StormKind,
  StormSpec,
  SubagentStormSpec,
} from './scenario.ts';
