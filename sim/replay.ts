/**
 * Replayable scenarios: a run's config (seed and fault timeline included) as a YAML document
 * that `runSimulation(parse(yaml).sim)` — and the scenario runner — replay exactly. A failing
 * property prints its shrunk counterexample this way.
 */
import { parse, stringify } from 'yaml';
import type { SimConfig, SimConfigInput } from '../experiment/config.ts';

export function scenarioYaml(name: string, why: string, config: SimConfig | SimConfigInput): string {
  const header = `# ${name}: ${why}\n# Replay: runSimulation(parse(thisFile).sim) or headcount scenario\n`;
  return header + stringify({ name, engine: 'sim', sim: config });
}

export function configFromScenarioYaml(text: string): SimConfigInput {
  return (parse(text) as { sim: SimConfigInput }).sim;
}
