/**
 * What Redis high availability buys mode A (scenario `redis-failover`): a primary killed under
 * Sentinel, its replica promoted. Per sweep point (Sentinel's down-after), over seeds: how long
 * WHO answered wrong after the death, when every server wrote to the new primary, and how many
 * registry entries the promotion lost (asynchronous replication). One decision row and one
 * answer, computed by the same helpers and tagged alike.
 */
import type { RunResult } from '../experiment/result.ts';
import type { Answer } from './answers.ts';
import { missingNote, reproduceRun } from './chart-spec.ts';
import type { DecisionRow } from './decisions.ts';
import { spreadText } from './decisions.ts';
import { formatCount, formatPercent, formatSeconds } from './format.ts';
import { perSeed, type Spread, spreadOf, tag, truthMean } from './quantities.ts';
import { questions } from './questions.ts';
import { type ReportData, runsOf, sourceLabel } from './report-data.ts';

export const failoverScenario = 'redis-failover';

/** One Sentinel setting of the scenario, over its seeds. */
export interface FailoverPoint {
  downAfterMs: number;
  electionMs: number;
  replicationLagMs: number;
  ttlMs: number;
  runs: RunResult[];
  /** Per seed, the longest span of wrong answers after a death (ms). */
  wrongSpan: Spread;
  /** Per seed, the longest time until every server wrote to the new primary (ms). */
  allWriting: Spread;
  entriesLost: number;
  entriesAtPrimary: number;
  /** The largest |error| of the wrong answers blamed on a failover (clients). */
  wrongByMax: number;
}

const numberOf = (run: RunResult, key: string): number => Number(run.config[key] ?? 0);

function failoverRuns(data: ReportData, engine: 'sim' | 'real'): RunResult[] {
  return runsOf(data, { scenario: failoverScenario, mode: 'a', engine }).filter(
    (run) => (run.failovers?.length ?? 0) > 0,
  );
}

function wrongSpanMs(run: RunResult): number {
  return Math.max(0, ...(run.failovers ?? []).map((f) => f.wrongSpanMs));
}

function allWritingMs(run: RunResult): number {
  return Math.max(0, ...(run.failovers ?? []).map((f) => f.allWritingMs ?? Number.POSITIVE_INFINITY));
}

export function failoverPoints(runs: readonly RunResult[]): FailoverPoint[] {
  const byPoint = new Map<number, RunResult[]>();
  for (const run of runs) {
    const key = numberOf(run, 'sentinelDownAfterMs');
    byPoint.set(key, [...(byPoint.get(key) ?? []), run]);
  }
  return [...byPoint.entries()]
    .sort(([a], [b]) => a - b)
    .map(([downAfterMs, points]) => {
      const failovers = points.flatMap((run) => run.failovers ?? []);
      const blamed = points.flatMap((run) =>
        run.staleWindows.filter((window) => window.cause.startsWith('redis-failover')),
      );
      return {
        downAfterMs,
        electionMs: numberOf(points[0]!, 'sentinelElectionMs'),
        replicationLagMs: numberOf(points[0]!, 'replicationLagMs'),
        ttlMs: points[0]!.config.ttlMs,
        runs: points,
        wrongSpan: spreadOf(perSeed(points, (seedRuns) => Math.max(...seedRuns.map(wrongSpanMs)))),
        allWriting: spreadOf(perSeed(points, (seedRuns) => Math.max(...seedRuns.map(allWritingMs)))),
        entriesLost: failovers.reduce((n, f) => n + f.entriesLost, 0),
        entriesAtPrimary: failovers.reduce((n, f) => n + f.entriesAtPrimary, 0),
        wrongByMax: Math.max(0, ...blamed.map((window) => window.errorAbsMax)),
      };
    });
}

/** Whether Sentinel names the replica before the registry's entries expire. */
const beforeTtl = (p: FailoverPoint) => p.downAfterMs + p.electionMs < p.ttlMs;

function realCheck(data: ReportData, sim: FailoverPoint): string {
  const real = failoverRuns(data, 'real');
  const mine = real.filter((run) => numberOf(run, 'sentinelDownAfterMs') === sim.downAfterMs);
  if (mine.length === 0) return 'REAL: not run at this setting (`--engine real`)';
  const realSpan = Math.max(...mine.map(wrongSpanMs));
  return `${sourceLabel(data, mine[0]!)}: wrong for ${tag('failover.real.wrongSpan', formatSeconds(realSpan))} on real Sentinels`;
}

function open(note: string): DecisionRow {
  return {
    id: 'failover',
    question: questions.failover,
    recommendation: `Not answered: ${note}`,
    figure: '–',
    share: '–',
    spread: '–',
    source: 'none',
    changes: '–',
  };
}

export function failoverDecision(data: ReportData): DecisionRow {
  const points = failoverPoints(failoverRuns(data, 'sim'));
  const best = points.find(beforeTtl) ?? points[0];
  if (best === undefined) return open(`no ${failoverScenario} run`);
  const late = points.find((p) => !beforeTtl(p));
  const truth = Math.max(1, truthMean(best.runs[0]!));
  const lateText =
    late === undefined
      ? ''
      : ` With down-after + election at or past the TTL (${formatSeconds(late.downAfterMs)} + ${formatSeconds(late.electionMs)}) every entry has expired at the promotion: wrong for up to ${tag('failover.late.wrongSpan', formatSeconds(late.wrongSpan.max))}.`;
  return {
    id: 'failover',
    question: questions.failover,
    recommendation:
      `Sentinel (down-after + election under the TTL, here ${formatSeconds(best.downAfterMs)} + ${formatSeconds(best.electionMs)} < ${formatSeconds(best.ttlMs)}) buys recovery with no operator and almost no data loss; it does not buy correct answers through the failover.` +
      lateText,
    figure: `WHO wrong for up to ${tag('failover.wrongSpan', formatSeconds(best.wrongSpan.max))} after the primary dies; every server on the new primary after ${tag('failover.allWriting', formatSeconds(best.allWriting.max))}`,
    share: `${tag('failover.entriesLost', `${formatCount(best.entriesLost)} of ${formatCount(best.entriesAtPrimary)}`)} registry entries lost at promotion (the last ${formatSeconds(best.replicationLagMs)} of writes); answers off by up to ${formatCount(best.wrongByMax)} clients = ${formatPercent(best.wrongByMax / truth, 1)} of the true count`,
    spread: `wrong span ${spreadText(best.wrongSpan, formatSeconds)}`,
    source: `SIM (${failoverScenario}); ${realCheck(data, best)}`,
    changes:
      'A longer replication lag loses more of the last writes (each server rewrites its entry at its next heartbeat, so the loss heals within one); down-after + election past the TTL empties the registry at promotion; a shorter down-after shortens every window but fails a slow primary over.',
    reproduce: reproduceRun(data, best.runs[0]!),
  };
}

export function answerFailover(data: ReportData): Answer {
  const points = failoverPoints(failoverRuns(data, 'sim'));
  if (points.length === 0)
    return {
      section: 'failover',
      question: questions.failover,
      text: `Not answered: ${missingNote(failoverScenario)}.`,
      figure: 'no data',
      missing: missingNote(failoverScenario),
    };
  const row = failoverDecision(data);
  const best = points.find(beforeTtl) ?? points[0]!;
  const per = points.map(
    (p) =>
      `down-after ${formatSeconds(p.downAfterMs)}: wrong span ${spreadText(p.wrongSpan, formatSeconds)}, every server on the new primary after ${spreadText(p.allWriting, formatSeconds)}, ${formatCount(p.entriesLost)} of ${formatCount(p.entriesAtPrimary)} entries lost`,
  );
  return {
    section: 'failover',
    question: questions.failover,
    text:
      `${row.recommendation} When the primary dies, every server's Redis calls fail at once and WHO answers the last total it read, which is wrong as soon as anyone connects or leaves: WHO was wrong for up to ${tag('failover.wrongSpan', formatSeconds(best.wrongSpan.max))} (SIM), about Sentinel's down-after plus the election plus one reconnect, and every server wrote to the promoted replica after ${tag('failover.allWriting', formatSeconds(best.allWriting.max))}. ` +
      `Asynchronous replication lost ${tag('failover.entriesLost', `${formatCount(best.entriesLost)} of ${formatCount(best.entriesAtPrimary)}`)} entries at promotion (an entry whose last write was in the final ${formatSeconds(best.replicationLagMs)}); that costs little, because every server rewrites its whole count at its next heartbeat. ` +
      `Without a replica the same death is an outage until someone restarts Redis, and it comes back empty. Per setting, over seeds: ${per.join('; ')}. ${row.source}.`,
    figure: `wrong ≤ ${formatSeconds(best.wrongSpan.max)}`,
    ...(row.reproduce ? { reproduce: row.reproduce } : {}),
  };
}
