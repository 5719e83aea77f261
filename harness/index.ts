// The harness's public entry, imported by scenario files: `import { defineScenario } from '../harness/index.ts'`.
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
