/**
 * The reconnect-storm answer (scenarios/reconnect-storm.yaml): a server holding many clients
 * crashes and they come back under a client reconnect policy. Per policy and mode, over seeds:
 * how long the survivors took to absorb them, what the storm cost the shared component (mode A's
 * Redis writes/s, mode C's discovery broadcasts/s) and, on the real engine only, the established
 * clients' WHO p99 against the quiet before the crash. Every figure is the checker's
 * (`RunResult.storms`, experiment/checker.ts `stormStatsOf`); this file only groups and words
 * them. One decision row and one answer, computed by the same helpers and tagged alike.
 *
 * Runs are grouped by the policy they ran (`config.reconnectPolicy` with its base or window), so
 * the scenario's grid points that pair `immediate` or `spread` with a base they ignore pool as
 * seeds of one policy.
 */
import {
  type Engine,
  type RunResult,
  type StormStats,
  stormQuietMsMax,
  stormWindowMsMin,
} from '../experiment/result.ts';
import type { Answer } from './answers.ts';
import { missingNote, reproduceRun } from './chart-spec.ts';
import { type DecisionRow, spreadText } from './decisions.ts';
import { formatCount, formatPercent, formatSeconds, trimNumber } from './format.ts';
import { type Spread, spreadOf, stormRatio, tag, untag } from './quantities.ts';
import { questions } from './questions.ts';
import { type ReportData, runsOf, sourceLabel } from './report-data.ts';

export const reconnectStormScenario = 'reconnect-storm';

/**
 * The issue's target for a reconnect policy: established clients' WHO p99 during the storm
 * within 2x the quiet before it, measured on the real engine.
 */
export const stormP99RatioMax = 2;

const numberOf = (run: RunResult, key: string): number => Number(run.config[key] ?? 0);

/** The policy a run's clients reconnected under, as the page names it. */
export function policyLabel(run: RunResult): string {
  const kind = String(run.config['reconnectPolicy'] ?? 'immediate');
  if (kind === 'backoff-jitter')
    return `full jitter, first ceiling ${formatSeconds(numberOf(run, 'reconnectBaseMs'))}`;
  if (kind === 'spread') return `spread over ${formatSeconds(numberOf(run, 'reconnectSpreadMs'))}`;
  return 'at once';
}

/** The policy as a tag key: its kind and its base (full jitter) or window (spread), ms. */
export function policyKey(run: RunResult): string {
  const kind = String(run.config['reconnectPolicy'] ?? 'immediate');
  if (kind === 'backoff-jitter') return `${kind}-${numberOf(run, 'reconnectBaseMs')}`;
  if (kind === 'spread') return `${kind}-${numberOf(run, 'reconnectSpreadMs')}`;
  return kind;
}

/** One policy in one mode on one engine, over its seeds (each run's first storm). */
export interface StormPoint {
  engine: Engine;
  mode: 'a' | 'c';
  policy: string;
  key: string;
  kind: string;
  runs: RunResult[];
  /** Absorb time per run (ms; a storm not absorbed within the run counts as infinite). */
  absorbMs: Spread;
  /** Mode A: Redis writes/s; mode C: broadcasts/s; quiet and storm per run. */
  loadQuietPerSec: Spread;
  loadStormPerSec: Spread;
  /** Established clients' WHO p99, storm ÷ quiet, per run. */
  p99Ratio: Spread;
  /** Reconnecting clients' mean connect-to-first-reply (ms) per run; no seeds when not recorded. */
  connectToReplyMs: Spread;
  /** The most clients one crash dropped, and the fleet before it. */
  clientsDropped: number;
  clientsBefore: number;
}

const stormOf = (run: RunResult): StormStats => run.storms![0]!;
const loadOf = (run: RunResult) =>
  run.config.mode === 'a' ? stormOf(run).redisWritesPerSec : stormOf(run).broadcastsPerSec;

export function stormPoints(data: ReportData, engine: Engine): StormPoint[] {
  const runs = ['a', 'c'].flatMap((mode) =>
    runsOf(data, { scenario: reconnectStormScenario, mode: mode as 'a' | 'c', engine }).filter(
      (run) => (run.storms?.length ?? 0) > 0,
    ),
  );
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) {
    const key = `${run.config.mode}|${policyLabel(run)}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const loads = group.map(loadOf).filter((load) => load !== undefined);
    const connects = group.flatMap((run) => stormOf(run).connectToReplyMsMean ?? []);
    return {
      engine,
      mode: first.config.mode as 'a' | 'c',
      policy: policyLabel(first),
      key: policyKey(first),
      kind: String(first.config['reconnectPolicy'] ?? 'immediate'),
      runs: group,
      absorbMs: spreadOf(group.map((run) => stormOf(run).absorbMs ?? Number.POSITIVE_INFINITY)),
      loadQuietPerSec: spreadOf(loads.map((load) => load.quiet)),
      loadStormPerSec: spreadOf(loads.map((load) => load.storm)),
      p99Ratio: spreadOf(group.map((run) => stormRatio(stormOf(run).whoLatencyMsP99))),
      connectToReplyMs: spreadOf(connects),
      clientsDropped: Math.max(...group.map((run) => stormOf(run).clientsDropped)),
      clientsBefore: Math.max(...group.map((run) => stormOf(run).clientsBefore)),
    };
  });
}

/** A policy's figures on both engines, both modes. */
interface PolicyFigures {
  policy: string;
  key: string;
  kind: string;
  sim: StormPoint[];
  real: StormPoint[];
}

function byPolicy(sim: readonly StormPoint[], real: readonly StormPoint[]): PolicyFigures[] {
  const policies = [...new Set([...sim, ...real].map((p) => p.policy))];
  return policies.map((policy) => ({
    policy,
    key: [...sim, ...real].find((p) => p.policy === policy)!.key,
    kind: [...sim, ...real].find((p) => p.policy === policy)!.kind,
    sim: sim.filter((p) => p.policy === policy),
    real: real.filter((p) => p.policy === policy),
  }));
}

const absorbMax = (points: readonly StormPoint[]) => Math.max(...points.map((p) => p.absorbMs.max));
const p99Max = (points: readonly StormPoint[]) => Math.max(...points.map((p) => p.p99Ratio.max));

/**
 * The recommended policy: of those whose real-engine p99 ratio stayed within `stormP99RatioMax`
 * on every run and mode, the one absorbed soonest (SIM, else REAL); with none within it, the
 * lowest ratio; without real runs, full jitter with the largest first ceiling swept (the
 * latency is then not judged, and the row says so).
 */
function recommend(policies: readonly PolicyFigures[]): PolicyFigures | undefined {
  const measured = policies.filter((p) => p.real.length > 0);
  const absorb = (p: PolicyFigures) => absorbMax(p.sim.length > 0 ? p.sim : p.real);
  const within = measured.filter((p) => p99Max(p.real) <= stormP99RatioMax);
  if (within.length > 0) return [...within].sort((x, y) => absorb(x) - absorb(y))[0];
  if (measured.length > 0) return [...measured].sort((x, y) => p99Max(x.real) - p99Max(y.real))[0];
  const jitter = policies.filter((p) => p.kind === 'backoff-jitter');
  return [...jitter].sort((x, y) => absorb(y) - absorb(x))[0] ?? policies[0];
}

/** A duration under a second in ms (an at-once storm is absorbed in a few), else in seconds. */
const within = (ms: number) =>
  !Number.isFinite(ms) ? 'not within the run' : ms < 1000 ? `${trimNumber(ms, 0)} ms` : formatSeconds(ms);
const perSec = (value: number) => `${trimNumber(value, 1)}/s`;
const ratio = (value: number) => (Number.isFinite(value) ? `${trimNumber(value, 2)}×` : '∞×');

/** "Redis writes 121/s in the storm against 3.2/s quiet (38×)" for one point. */
function loadText(point: StormPoint, key: string): string {
  if (point.loadStormPerSec.seeds === 0) return '';
  const what = point.mode === 'a' ? 'mode A Redis writes' : 'mode C discovery broadcasts';
  const storm = point.loadStormPerSec.max;
  const quiet = point.loadQuietPerSec.max;
  return `${what} ${tag(`${key}.storm`, perSec(storm))} in the storm against ${tag(`${key}.quiet`, perSec(quiet))} quiet (${ratio(stormRatio({ quiet, storm }))})`;
}

/** One policy in words: absorb time per engine, the shared load, and REAL p99 per mode. */
function policyText(data: ReportData, figures: PolicyFigures, keyOf: (rest: string) => string): string {
  const absorbParts = [
    figures.sim.length === 0 ? '' : `${tag(keyOf('sim.absorb'), within(absorbMax(figures.sim)))} (SIM)`,
    figures.real.length === 0 ? '' : `${tag(keyOf('real.absorb'), within(absorbMax(figures.real)))} (REAL)`,
  ].filter(Boolean);
  const loads = (figures.sim.length > 0 ? figures.sim : figures.real).map((p) =>
    loadText(p, keyOf(`${p.engine}.${p.mode}.load`)),
  );
  const p99 = figures.real.map(
    (p) =>
      `${p.mode.toUpperCase()} ${tag(keyOf(`real.${p.mode}.p99`), ratio(p.p99Ratio.max))}${p.connectToReplyMs.seeds === 0 ? '' : `, connect-to-first-reply ${within(p.connectToReplyMs.max)} (mean)`}`,
  );
  return [
    `${figures.policy}: absorbed in ${absorbParts.join(', ') || '–'}`,
    loads.filter(Boolean).join('; '),
    p99.length === 0
      ? 'established WHO p99 not measured (no REAL run)'
      : `established WHO p99 ${p99.join(', ')} the quiet (${sourceLabel(data, figures.real[0]!.runs[0]!)})`,
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * Discovery broadcasts per WHO asked of the survivors in a mode C storm window: the rate times
 * the window over the WHOs in it. While the crashed server's lease lives (up to `leaseMs`),
 * every broadcast misses it and fails (`HC_FANOUT_INCOMPLETE`), and the server's mode C backend
 * asks the next discovery instance (impl/core/mode-c/mode-c-backend.ts): one broadcast per
 * instance per WHO batch, where the quiet costs one. Undefined without broadcasts or WHOs.
 */
export function broadcastsPerWhoOf(run: RunResult): number | undefined {
  const storm = stormOf(run);
  const windowMs = storm.windowEndMs - storm.atMs;
  if (storm.broadcastsPerSec === undefined || storm.whoAsked.storm === 0 || windowMs <= 0) return undefined;
  return (storm.broadcastsPerSec.storm * windowMs) / 1000 / storm.whoAsked.storm;
}

/**
 * Why mode C's broadcasts/s rise in every storm, at once included, with the figures per engine.
 * The simulator models no CPU, so a broadcast takes only the network's time and each WHO batch
 * holds one WHO; on the real engine a broadcast takes real time, WHOs asked meanwhile share the
 * next, and the retry at the next instance costs one broadcast per batch, not per WHO.
 */
function broadcastRiseText(
  data: ReportData,
  sim: readonly StormPoint[],
  real: readonly StormPoint[],
): string {
  const format = (value: number) => trimNumber(value, 2);
  const parts = [sim, real].flatMap((points) => {
    const modeC = points.filter((p) => p.mode === 'c' && p.loadStormPerSec.seeds > 0);
    const runs = modeC.flatMap((p) => p.runs);
    const perWho = runs.flatMap((run) => broadcastsPerWhoOf(run) ?? []);
    if (perWho.length === 0) return [];
    const storm = spreadOf(modeC.flatMap((p) => p.runs.map((run) => stormOf(run).broadcastsPerSec!.storm)));
    const quiet = spreadOf(modeC.flatMap((p) => p.runs.map((run) => stormOf(run).broadcastsPerSec!.quiet)));
    const perWhoSpread = spreadOf(perWho);
    const seeds = perWhoSpread.seeds === 1 ? 'one run' : `${perWhoSpread.seeds} runs`;
    return [
      `${sourceLabel(data, runs[0]!)}: ${format(perWhoSpread.min)}–${format(perWhoSpread.max)} broadcasts per survivors’ WHO in the storm window, ${perSec(storm.min)}–${perSec(storm.max)} in the storm against ${perSec(quiet.min)}–${perSec(quiet.max)} quiet (${seeds})`,
    ];
  });
  if (parts.length === 0) return '';
  return `Mode C’s broadcasts: while the crashed server’s discovery lease lives, every broadcast misses it and fails, and each server asks the same WHOs again at the next discovery instance (one broadcast per instance per batch of WHOs); ${parts.join('; ')}; the simulator’s broadcasts take no CPU, so each batch holds one WHO and the storm’s rate nearly doubles, where the real engine’s batches share a broadcast.`;
}

export interface StormAnswer {
  row: DecisionRow;
  /** Every policy in words (the answer's body). */
  policies: string[];
}

const stormId = 'storms' as const;

export function stormAnswer(data: ReportData): StormAnswer | undefined {
  const sim = stormPoints(data, 'sim');
  const real = stormPoints(data, 'real');
  const policies = byPolicy(sim, real);
  const best = recommend(policies);
  if (best === undefined) return undefined;
  const worstImmediate = policies.find((p) => p.kind === 'immediate' && p.real.length > 0);
  const points = best.sim.length > 0 ? best.sim : best.real;
  const dropped = Math.max(...points.map((p) => p.clientsDropped));
  const before = Math.max(1, ...points.map((p) => p.clientsBefore));
  const judged = best.real.length > 0;
  const verdict = !judged
    ? 'established clients’ p99 not judged: no real-engine run (the simulator models no CPU)'
    : p99Max(best.real) <= stormP99RatioMax
      ? `established clients’ WHO p99 stayed within ${stormP99RatioMax}× the quiet`
      : `no policy kept the established clients’ WHO p99 within ${stormP99RatioMax}× the quiet; this one came closest`;
  const absorbSpreads = points.map(
    (p) => `${p.engine.toUpperCase()} ${p.mode.toUpperCase()} ${spreadText(p.absorbMs, within, 'runs')}`,
  );
  const realRuns = policies.flatMap((p) => p.real.flatMap((point) => point.runs));
  const simRuns = policies.flatMap((p) => p.sim.flatMap((point) => point.runs));
  const row: DecisionRow = {
    id: stormId,
    question: questions.storms,
    recommendation: `Clients reconnect with ${tag('storm.policy', best.policy)}${best.kind === 'backoff-jitter' ? ' (exponential backoff, full jitter: attempt k waits uniform(0, min(cap, base × 2^k)))' : ''}; ${verdict}`,
    figure: policyText(data, best, (rest) => `storm.best.${rest}`),
    share: `the crashed server held ${formatCount(dropped)} clients = ${tag('storm.dropShare', formatPercent(dropped / before, 1))} of the fleet${worstImmediate === undefined ? '' : `; at once, the established p99 reached ${tag('storm.immediate.p99', ratio(p99Max(worstImmediate.real)))} the quiet (REAL)`}`,
    spread: `absorb time ${absorbSpreads.join('; ')}${judged ? `; REAL p99 ratio ${spreadText(spreadOf(best.real.flatMap((p) => p.runs.map((run) => stormRatio(stormOf(run).whoLatencyMsP99)))), ratio, 'runs')}` : ''}`,
    source: [
      simRuns.length === 0 ? '' : `SIM (reconnect-storm, ${simRuns.length} runs: absorb time, load)`,
      realRuns.length === 0
        ? 'REAL: not run (`--engine real`): no latency'
        : `${sourceLabel(data, realRuns[0]!)} (${realRuns.length} runs: p99, connect-to-first-reply)`,
    ]
      .filter(Boolean)
      .join('; '),
    changes:
      'More clients per server need a proportionally larger first ceiling (bench/README.md “Reconnect storms, measured”: at least N/400 s for N clients); mode A’s publishDelayMs coalesces reconnect writes (0 here: about one registry write per reconnect, so a spread-out storm keeps Redis busy longer); a slower or busier machine raises every p99.',
    reproduce: reproduceRun(data, (best.real[0] ?? best.sim[0]!).runs[0]!),
  };
  return {
    row,
    policies: policies
      .filter((p) => p !== best)
      .map((p) => policyText(data, p, (rest) => `storm.${p.key}.${rest}`)),
  };
}

const stormMissing = missingNote(reconnectStormScenario);

/** The decision row (decisions.ts lists it). */
export function stormDecisionRow(data: ReportData): DecisionRow {
  const answer = stormAnswer(data);
  if (answer !== undefined) return answer.row;
  return {
    id: stormId,
    question: questions.storms,
    recommendation: `Not answered: ${stormMissing}`,
    figure: '–',
    share: '–',
    spread: '–',
    source: 'none',
    changes: '–',
  };
}

/** The answer section (answers.ts lists it). */
export function stormAnswerOf(data: ReportData): Answer {
  const answer = stormAnswer(data);
  if (answer === undefined)
    return {
      section: stormId,
      question: questions.storms,
      text: `Not answered: ${stormMissing}.`,
      figure: 'no data',
      missing: stormMissing,
    };
  const { row } = answer;
  return {
    section: stormId,
    question: questions.storms,
    text: [
      `${row.recommendation}.`,
      `${row.figure}.`,
      answer.policies.length === 0 ? '' : `Against it: ${answer.policies.join('. ')}.`,
      `Absorb time: from the crash until the crashed server’s clients were connected elsewhere; the storm window runs from the crash for the absorb time (at least ${formatSeconds(stormWindowMsMin)}) and is compared with the ${formatSeconds(stormQuietMsMax)} before the crash. The simulator models no CPU, so its latency is the network’s alone: the p99 ratios are REAL.`,
      broadcastRiseText(data, stormPoints(data, 'sim'), stormPoints(data, 'real')),
      row.changes,
    ]
      .filter(Boolean)
      .join(' '),
    figure: untag(row.figure),
    ...(row.reproduce === undefined ? {} : { reproduce: row.reproduce }),
  };
}
