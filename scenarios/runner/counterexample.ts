/**
 * When an expectation fails, the worst run becomes a scenario file that replays it alone:
 * the file as it ran (quick override applied), the run's sweep point written in, its mode,
 * `seeds: [<the run's seed>]`, and only the failed expectation. A run is a pure function of
 * its config and seed, so the generated faults (`faults.rates`) come back identical; the fault
 * schedule the run applied is listed in the header for the reader.
 *
 *   headcount scenario out/scenarios/<stamp>/counterexamples/<file>.yaml
 */
import { stringify } from 'yaml';
import type { RunResult } from '../../experiment/result.ts';
import type { EvaluatedExpectation } from './expect.ts';
import type { PlannedScenario } from './plan.ts';
import type { Expectation } from './schema.ts';
import { withValueAt } from './sweep.ts';

/** The header lists at most this many fault events; the run's JSON has them all. */
const headerEventsMax = 50;

/** One file per failed expectation: `<runId with / as __>--expect-<i>.yaml`. */
export function counterexampleFileName(runId: string, expectationIndex: number): string {
  return `${runId.replace(/[^A-Za-z0-9.=,-]+/g, '__')}--expect-${expectationIndex}.yaml`;
}

export function renderCounterexample(
  planned: PlannedScenario,
  expectation: Expectation,
  evaluated: EvaluatedExpectation,
  run: RunResult,
): string {
  let raw: Record<string, unknown> = structuredClone(planned.effectiveRaw);
  for (const [path, value] of Object.entries(run.params)) {
    if (path !== 'mode') raw = withValueAt(raw, path, value);
  }
  const cluster = { ...(raw['cluster'] as Record<string, unknown>) };
  delete cluster['modes'];
  cluster['mode'] = run.config.mode;
  delete raw['sweep'];
  raw = {
    ...raw,
    question: `Replays ${run.runId}: does "${evaluated.outcome.expression}" hold? (it failed: ${evaluated.outcome.detail})`,
    name: `${planned.name}-counterexample`,
    engines: [run.engine],
    seeds: [run.seed],
    cluster,
    expect: [expectation],
  };
  const events = run.events.slice(0, headerEventsMax).map((event) => {
    const detail = event.detail === undefined ? '' : ` (${event.detail})`;
    return `#   ${event.atMs} ms  ${event.kind} ${event.target}${detail}`;
  });
  const more =
    run.events.length > headerEventsMax
      ? [`#   ... ${run.events.length - headerEventsMax} more in the run's JSON`]
      : [];
  const header = [
    `# Counterexample from ${planned.file}, run ${run.runId} (seed ${run.seed}, engine ${run.engine}).`,
    `# Replay: headcount scenario <this file>. The fault schedule the run applied:`,
    ...(events.length > 0 ? events : ['#   (none)']),
    ...more,
  ];
  return `${header.join('\n')}\n${stringify(raw)}`;
}
