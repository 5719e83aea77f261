// The harness's public entry, imported by scenario files: `import { defineScenario } from 'soakgate'` in a team's
// repository (package.json's exports), `from '../harness/index.ts'` in this one.
export { parseDuration } from './scenario/duration.ts';
export { loadScenario } from './scenario/loadScenario.ts';
export { ScenarioError } from './scenario/scenarioError.ts';
export { defineScenario } from './scenario/schema.ts';
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
} from './scenario/schema.ts';
