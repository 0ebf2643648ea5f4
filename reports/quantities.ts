/**
 * Every quantity the report states, defined once. The decision table, the answers, the tables and
 * the charts all compute through these functions, so one quantity cannot show two values, and
 * the definitions below are the ones the page prints in its "Definitions" panel.
 *
 * The unit of account is a WHO request. A request is a GOOD event only when it was answered with
 * a number AND that number was correct; a refusal, a hang and a wrong answer are all bad events.
 * Availability (answered / asked) is kept beside it because it is what mode A optimises, but no
 * verdict on the page rests on availability alone.
 */
import {
  absorbSlackShare,
  type Engine,
  type QuietAndStorm,
  type RunResult,
  stormQuietMsMax,
  stormWindowMsMin,
} from '../experiment/result.ts';
import { formatPercent } from './format.ts';

/** Where a number comes from: the deterministic simulator or the lab on real sockets. */
export type Source = 'SIM' | 'REAL';

export function sourceOf(engine: Engine): Source {
  return engine === 'real' ? 'REAL' : 'SIM';
}

/** Sources of a set of runs, e.g. `SIM`, `REAL` or `SIM + REAL`. */
export function sourcesText(runs: readonly RunResult[]): string {
  const sources = [...new Set(runs.map((r) => sourceOf(r.engine)))].sort().reverse();
  return sources.join(' + ') || 'none';
}

/**
 * Correctness tolerance: an answer is correct when it lies within the true count's range over the
 * request's interval [asked, answered] (mode C: the per-server range, see experiment/result.ts). Zero
 * clients of slack beyond that range; the checker's `who.wrong` counts the rest.
 */
export const correctnessToleranceText =
  'an answer is correct when it lies within the true number of connected clients over the request’s own interval (from asked to answered), with no further slack';

function sum(runs: readonly RunResult[], pick: (r: RunResult) => number): number {
  return runs.reduce((n, r) => n + pick(r), 0);
}

/** Availability: WHO requests answered with a number / WHO requests asked; 1 when none asked. */
export function availability(runs: readonly RunResult[]): number {
  const asked = sum(runs, (r) => r.who.asked);
  return asked === 0 ? 1 : sum(runs, (r) => r.who.answered) / asked;
}

/**
 * The correctness SLI, the page's good-event ratio: WHO requests answered with a CORRECT number /
 * WHO requests asked. A wrong answer is a bad event here, like a refusal.
 */
export function correctShare(runs: readonly RunResult[]): number {
  const asked = sum(runs, (r) => r.who.asked);
  return asked === 0 ? 1 : sum(runs, (r) => r.who.answered - r.who.wrong) / asked;
}

/** Wrong answers / answers with a number (0 when nothing was answered). */
export function wrongShare(runs: readonly RunResult[]): number {
  const answered = sum(runs, (r) => r.who.answered);
  return answered === 0 ? 0 : sum(runs, (r) => r.who.wrong) / answered;
}

/** Stale window of a run: its longest span of wrong answers after a fault (ms). */
export function staleWindowMs(run: RunResult): number {
  return run.staleWindowMs.max;
}

/** Mean true count over the run (clients). */
export function truthMean(run: RunResult): number {
  const truth = run.series.truth;
  return truth.length === 0 ? 0 : truth.reduce((a, b) => a + b, 0) / truth.length;
}

/**
 * Time-averaged overcount as a share of the truth: the mean overcount over time (clients; WHO
 * probes are a Poisson process, so the mean over answers is the mean over time) / the mean true
 * count. At the run's own fault rate.
 */
export function timeAveragedOvercountShare(run: RunResult): number {
  const overcountMean = run.who.overcount.mean ?? Math.max(0, run.who.error.mean);
  return overcountMean / Math.max(1, truthMean(run));
}

/**
 * Error budget used: (1 - SLI) / (1 - objective). 1 = the whole budget; above 1 = missed.
 * Always printed by `formatBudget`, as a percentage.
 */
export function budgetUsed(sli: number, objective: number): number {
  return (1 - sli) / (1 - objective);
}

export function formatBudget(used: number): string {
  return `${formatPercent(used, 0)} of budget`;
}

/** The spread of a per-seed value: min and max over the seeds, and how many seeds. */
export interface Spread {
  min: number;
  max: number;
  seeds: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { min: 0, max: 0, seeds: 0 };
  return { min: Math.min(...values), max: Math.max(...values), seeds: values.length };
}

/** Per-seed values of `pick` over runs grouped by seed (several runs of one seed pooled by `pool`). */
export function perSeed(runs: readonly RunResult[], pool: (runs: readonly RunResult[]) => number): number[] {
  const bySeed = new Map<number, RunResult[]>();
  for (const run of runs) bySeed.set(run.seed, [...(bySeed.get(run.seed) ?? []), run]);
  return [...bySeed.values()].map(pool);
}

/**
 * A difference is only called a difference when the two spreads do not overlap: otherwise the
 * page says the runs cannot tell the two apart.
 */
export function distinguishable(a: Spread, b: Spread): boolean {
  return a.max < b.min || b.max < a.min;
}

/** An objective against a spread over seeds: met, missed, or undecided when the spread straddles it. */
export type Verdict = 'met' | 'missed' | 'undecided';

export function verdictOf(spread: Spread, objective: number): Verdict {
  if (spread.min >= objective) return 'met';
  if (spread.max < objective) return 'missed';
  return 'undecided';
}

/**
 * A reconnect storm against the quiet before it: storm ÷ quiet of one of the checker's
 * `StormStats` pairs (a rate or a p99); 1 when both are 0, infinite when only the quiet is.
 */
export function stormRatio({ quiet, storm }: QuietAndStorm): number {
  if (quiet === 0) return storm === 0 ? 1 : Number.POSITIVE_INFINITY;
  return storm / quiet;
}

/** Definitions as the page prints them, one line each, in the order of this file. */
export const definitions: readonly { term: string; text: string }[] = [
  {
    term: 'SIM / REAL',
    text: 'SIM: the deterministic simulator (same code, virtual clock and network). REAL: the lab, real servers and sockets, time-scaled (durations in production units).',
  },
  { term: 'availability', text: 'WHO requests answered with a number ÷ WHO requests asked.' },
  {
    term: 'correct answers (the SLI)',
    text: `WHO requests answered with a correct number ÷ WHO requests asked; ${correctnessToleranceText}. A wrong answer is a bad event, like a refusal.`,
  },
  { term: 'wrong answers', text: 'WHO answers outside that range ÷ answers with a number.' },
  {
    term: 'stale window',
    text: 'the longest span of wrong answers after a fault (from the first wrong answer to the last), per run.',
  },
  {
    term: 'time-averaged overcount',
    text: 'mean overcount over time (clients) ÷ mean true count: how far WHO is off on average at a stated crash rate.',
  },
  {
    term: 'error budget used',
    text: '(1 − SLI) ÷ (1 − objective), as a percentage: above 100% the objective is missed.',
  },
  {
    term: 'absorb time',
    text: `after a server crash, from the crash until the crashed server’s clients are connected elsewhere: the fleet’s true count back to its level before the crash, less ${formatPercent(absorbSlackShare, 0)} of the clients dropped (sessions that ended meanwhile).`,
  },
  {
    term: 'storm ratio',
    text: `a figure during the reconnect storm ÷ the same figure in the quiet before the crash (its last ${stormQuietMsMax / 1000} s); the storm window runs from the crash for the absorb time, at least ${stormWindowMsMin / 1000} s. WHO p99 ratios are of survivors’ answers and REAL only: the simulator models no CPU.`,
  },
  {
    term: 'spread',
    text: 'min–max of the per-seed values (n seeds). A difference smaller than the spread is not called a difference; an objective inside the spread is "undecided".',
  },
];

/**
 * Tags a number in generated text with the quantity it is, so the page can mark it
 * (`<span data-quantity="key">`) and a test can check that every appearance of a quantity reads
 * the same. `untag` gives the plain text (chart titles, PNGs).
 */
export function tag(key: string, text: string): string {
  return `\u27e6${key}\u27e7${text}\u27e6/\u27e7`;
}

const tagged = /\u27e6([\w.:|=/-]+)\u27e7([\s\S]*?)\u27e6\/\u27e7/g;

export function untag(text: string): string {
  return text.replace(tagged, '$2');
}

/** For escaped HTML: turns tags into spans (the key and text were escaped with the rest). */
export function tagsToHtml(escapedHtml: string): string {
  return escapedHtml.replace(tagged, '<span class="q" data-quantity="$1">$2</span>');
}

/**
 * Survivor headroom for a zone outage: with `servers` spread evenly (round robin) over `zones`,
 * losing one zone leaves servers - ceil(servers / zones) to carry every client, so each must be
 * sized for servers / survivors times its even share (n / (n - n/z): 1.5x for three zones).
 */
export function survivorHeadroomFactor(servers: number, zones: number): number {
  const survivors = servers - Math.ceil(servers / Math.max(1, zones));
  return survivors <= 0 ? Number.POSITIVE_INFINITY : servers / survivors;
}
