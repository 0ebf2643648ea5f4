/**
 * The zone-outage answer (scenarios/zone-outage.yaml): what WHO answers while one of three zones
 * is out and after it heals, against the TTL (mode A) and the lease (mode C), and how much
 * headroom the surviving servers need for the lost zone's clients. One decision row and one
 * answer, both computed here from the same helpers, every number tagged (quantities.ts).
 *
 * A run's outage kind is read from its timeline (`zone-outage` event, `outage=crash|partition`),
 * so results of either engine are read the same way. Windows are split at the heal: a window
 * that starts before it is "during", one that starts at or after it is "after".
 */
import type { RunResult, Window } from '../experiment/result.ts';
import { type Reproduce, reproduceRun } from './chart-spec.ts';
import { formatCount, formatPercent, formatSeconds, trimNumber } from './format.ts';
import {
  perSeed,
  type Spread,
  spreadOf,
  survivorHeadroomFactor,
  tag,
  truthMean,
  untag,
} from './quantities.ts';
import { type QuestionId, questions } from './questions.ts';
import { type ReportData, sourceLabel } from './report-data.ts';

export const zoneOutageScenario = 'zone-outage';

export type ZoneOutageKind = 'crash' | 'partition';

/** One run's zone outage, as the page states it. */
export interface ZoneOutageRun {
  run: RunResult;
  outage: ZoneOutageKind;
  zones: number;
  /** Longest wrong (mode A) or refused (mode C) window that starts during the outage, ms. */
  duringMs: number;
  /** Longest such window that starts at or after the heal, ms (0 when none). */
  afterMs: number;
  /** Largest |error| of mode A's windows during the outage, clients. */
  errorAbsMax: number;
  /** Mean clients of a server before the outage, and the most any survivor held during it. */
  perServerBefore: number;
  survivorPeak: number;
  /** Connections the whole fleet held halfway through the outage. */
  heldMidOutage: number;
}

function outageOf(run: RunResult): { atMs: number; healAtMs: number; outage: ZoneOutageKind } | undefined {
  const event = run.events.find((e) => e.kind === 'zone-outage');
  if (event === undefined) return undefined;
  const heal = run.events.find(
    (e) => e.kind === 'heal' && e.detail === 'zone-outage' && e.atMs >= event.atMs,
  );
  const outage = /outage=partition/.test(event.detail ?? '') ? 'partition' : 'crash';
  return { atMs: event.atMs, healAtMs: heal?.atMs ?? run.durationMs, outage };
}

/** Per-server load before the outage and the survivors' peak during it (needs per-server series). */
function survivorLoad(
  run: RunResult,
  atMs: number,
  healAtMs: number,
): { before: number; peak: number; mid: number } {
  const { tMs, perServer } = run.series;
  if (perServer === undefined || tMs.length === 0) return { before: 0, peak: 0, mid: 0 };
  const bucketBefore = Math.max(0, tMs.findIndex((t) => t >= atMs) - 1);
  const live = perServer.map((series) => series[bucketBefore] ?? -1).filter((count) => count >= 0);
  const before = live.length === 0 ? 0 : live.reduce((a, b) => a + b, 0) / live.length;
  let peak = 0;
  tMs.forEach((t, bucket) => {
    if (t <= atMs || t >= healAtMs) return;
    for (const series of perServer) peak = Math.max(peak, series[bucket] ?? 0);
  });
  const bucketMid = tMs.findIndex((t) => t >= (atMs + healAtMs) / 2);
  const mid = perServer.reduce((sum, series) => sum + Math.max(0, series[bucketMid] ?? 0), 0);
  return { before, peak, mid };
}

const longest = (windows: readonly Window[]) => Math.max(0, ...windows.map((w) => w.durationMs));

export function zoneOutageRuns(data: ReportData, engine: 'sim' | 'real' = 'sim'): ZoneOutageRun[] {
  return data.runs
    .filter((run) => run.scenario === zoneOutageScenario && run.engine === engine)
    .flatMap((run) => {
      const outage = outageOf(run);
      if (outage === undefined) return [];
      const windows = (run.config.mode === 'c' ? run.refusalWindows : run.staleWindows).filter(
        (w) => w.cause.startsWith('zone-outage') && w.endMs >= outage.atMs,
      );
      const during = windows.filter((w) => w.startMs < outage.healAtMs);
      const load = survivorLoad(run, outage.atMs, outage.healAtMs);
      return [
        {
          run,
          outage: outage.outage,
          zones: Number(run.config.zones ?? 1),
          duringMs: longest(during),
          afterMs: longest(windows.filter((w) => w.startMs >= outage.healAtMs)),
          errorAbsMax: Math.max(0, ...during.map((w) => w.errorAbsMax)),
          perServerBefore: load.before,
          survivorPeak: load.peak,
          heldMidOutage: load.mid,
        },
      ];
    });
}

/** The figures of one mode and outage kind, over seeds (the setting of the scenario's first sweep point). */
export interface ZoneOutageFigure {
  points: ZoneOutageRun[];
  windowMs: Spread;
  afterMs: Spread;
  errorAbsMax: number;
  /** The setting the window is measured against: ttlMs (A) or leaseMs (C). */
  againstMs: number;
  /** The longest window at each swept TTL (A) or lease (C), every seed. */
  bySetting: { settingMs: number; windowMsMax: number }[];
}

export function zoneOutageFigure(
  points: readonly ZoneOutageRun[],
  mode: 'a' | 'c',
  outage: ZoneOutageKind,
): ZoneOutageFigure | undefined {
  const mine = points.filter((p) => p.run.config.mode === mode && p.outage === outage);
  if (mine.length === 0) return undefined;
  // The scenario's default setting: the smallest swept TTL (A) or lease (C) is the one to plan with.
  const againstOf = (p: ZoneOutageRun) => (mode === 'a' ? p.run.config.ttlMs : p.run.config.leaseMs);
  const otherOf = (p: ZoneOutageRun) => (mode === 'a' ? p.run.config.leaseMs : p.run.config.ttlMs);
  const againstMs = Math.min(...mine.map(againstOf));
  const otherMs = Math.min(...mine.map(otherOf));
  // One sweep point: the other mode's setting does not matter here, so its smallest is taken.
  const at = mine.filter((p) => againstOf(p) === againstMs && otherOf(p) === otherMs);
  const runs = at.map((p) => p.run);
  const of = (pick: (p: ZoneOutageRun) => number) =>
    spreadOf(perSeed(runs, (seedRuns) => Math.max(...at.filter((p) => seedRuns.includes(p.run)).map(pick))));
  return {
    points: at,
    windowMs: of((p) => p.duringMs),
    afterMs: of((p) => p.afterMs),
    errorAbsMax: Math.max(...at.map((p) => p.errorAbsMax)),
    againstMs,
    bySetting: [...new Set(mine.map(againstOf))]
      .sort((x, y) => x - y)
      .map((settingMs) => ({
        settingMs,
        windowMsMax: Math.max(...mine.filter((p) => againstOf(p) === settingMs).map((p) => p.duringMs)),
      })),
  };
}

/** What the decision row and the answer say, from the same numbers. */
export interface ZoneOutageAnswer {
  recommendation: string;
  figure: string;
  share: string;
  spread: string;
  source: string;
  changes: string;
  text: string;
  reproduce?: Reproduce;
}

const seconds = (spread: Spread) =>
  spread.seeds <= 1 ? formatSeconds(spread.max) : `${formatSeconds(spread.min)}–${formatSeconds(spread.max)}`;

export function zoneOutageAnswer(data: ReportData): ZoneOutageAnswer | undefined {
  const points = zoneOutageRuns(data);
  if (points.length === 0) return undefined;
  const aCrash = zoneOutageFigure(points, 'a', 'crash');
  const aCut = zoneOutageFigure(points, 'a', 'partition');
  const cCrash = zoneOutageFigure(points, 'c', 'crash');
  const cCut = zoneOutageFigure(points, 'c', 'partition');
  const first = points[0]!;
  const servers = first.run.config.servers;
  const headroom = survivorHeadroomFactor(servers, first.zones);
  const measured = Math.max(
    ...points.map((p) => (p.perServerBefore > 0 ? p.survivorPeak / p.perServerBefore : 0)),
  );
  const truth = Math.max(1, truthMean(first.run));
  const real = zoneOutageRuns(data, 'real');
  const headroomText = `${tag('zones.headroom', `${trimNumber(headroom, 2)}×`)} (${servers} servers over ${first.zones} zones: ${servers} ÷ ${servers - Math.ceil(servers / first.zones)} survivors)`;
  const aText =
    aCrash === undefined
      ? 'mode A: no run'
      : `mode A overcounts the dead zone’s clients (up to ${tag('zones.a.error', formatCount(aCrash.errorAbsMax))}) for ${tag('zones.a.window', seconds(aCrash.windowMs))} at TTL ${formatSeconds(aCrash.againstMs)}`;
  const cText =
    cCrash === undefined
      ? 'mode C: no run'
      : `mode C refuses WHO for ${tag('zones.c.window', seconds(cCrash.windowMs))} at lease ${formatSeconds(cCrash.againstMs)} and never answers wrong`;
  const cutText = [
    aCut === undefined
      ? ''
      : `As a partition, mode A answers wrong for ${tag('zones.a.partition', seconds(aCut.windowMs))}: the cut-off clients are still connected but their servers cannot reach Redis, so their entries expire and WHO undercounts them until the heal.`,
    cCut === undefined
      ? ''
      : `Mode C refuses for ${tag('zones.c.partition', seconds(cCut.windowMs))}: each instance’s calls to the servers across the cut time out, so counts refuse from the cut, and an instance that times out is not known to be down, as one that refuses is${cCut.points.every((p) => p.heldMidOutage === 0) ? `, so a lease later every server fenced itself and the fleet held ${tag('zones.c.partitionClients', 'no clients')} until the heal (the refusal window ends at the fence only because no client stayed connected to ask: the service is out for the whole partition)` : ''}.`,
  ]
    .filter(Boolean)
    .join(' ');
  const after = [aCrash, cCrash].filter((f) => f !== undefined).map((f) => f.afterMs.max);
  const sweepText = (figure: ZoneOutageFigure | undefined, mode: string, setting: string) =>
    figure === undefined || figure.bySetting.length < 2
      ? ''
      : `Swept, ${mode}’s longest window: ${figure.bySetting.map((b) => `${formatSeconds(b.windowMsMax)} at ${setting} ${formatSeconds(b.settingMs)}`).join(', ')}.`;
  const afterText = `After the heal the longest window is ${tag('zones.after', formatSeconds(Math.max(0, ...after)))}; the survivors keep the zone’s clients until those connections end (nothing moves them back).`;
  const worst = [aCrash, cCrash].filter((f) => f !== undefined).flatMap((f) => f.points)[0]!;
  return {
    recommendation: `Size every server for ${headroomText} of its even share, so the survivors absorb a lost zone’s clients; expect a zone crash to cost one TTL of overcount (A) or one lease of refusals (C)`,
    figure: `${aText}; ${cText}`,
    share: `the zone’s clients are ${tag('zones.a.share', formatPercent((aCrash?.errorAbsMax ?? 0) / truth, 1))} of the fleet; survivors peaked at ${trimNumber(measured, 2)}× their pre-outage load`,
    spread: [
      aCrash === undefined ? '' : `A window ${seconds(aCrash.windowMs)} over ${aCrash.windowMs.seeds} seeds`,
      cCrash === undefined ? '' : `C window ${seconds(cCrash.windowMs)} over ${cCrash.windowMs.seeds} seeds`,
    ]
      .filter(Boolean)
      .join('; '),
    source: `SIM (zone-outage)${real.length > 0 ? `; REAL: ${real.length} runs, ${sourceLabel(data, real[0]!.run)}` : ''}`,
    changes:
      'A shorter TTL shortens mode A’s overcount; a shorter lease shortens mode C’s refusals; Redis in the lost zone (zone 0 here) takes mode A’s registry with it; uneven zones raise the headroom.',
    text: [
      `When one of ${first.zones} zones crashes, ${aText}; ${cText}.`,
      cutText,
      sweepText(aCrash, 'mode A', 'TTL'),
      sweepText(cCrash, 'mode C', 'lease'),
      afterText,
      `Survivors need ${headroomText} headroom; measured peak ${trimNumber(measured, 2)}× (arrivals continue during the outage).`,
    ]
      .filter(Boolean)
      .join(' '),
    reproduce: reproduceRun(data, worst.run),
  };
}

const zonesId: QuestionId = 'zones';
const zonesMissing =
  'no zone-outage run: `headcount scenario scenarios/zone-outage.yaml` (add `--engine both` for REAL beside SIM)';

/** The decision row (decisions.ts lists it). */
export function zonesDecisionRow(data: ReportData) {
  const answer = zoneOutageAnswer(data);
  if (answer === undefined)
    return {
      id: zonesId,
      question: questions.zones,
      recommendation: `Not answered: ${zonesMissing}`,
      figure: '–',
      share: '–',
      spread: '–',
      source: 'none',
      changes: '–',
    };
  const { recommendation, figure, share, spread, source, changes, reproduce } = answer;
  return {
    id: zonesId,
    question: questions.zones,
    recommendation,
    figure,
    share,
    spread,
    source,
    changes,
    ...(reproduce === undefined ? {} : { reproduce }),
  };
}

/** The answer section (answers.ts lists it). */
export function zonesAnswerOf(data: ReportData) {
  const answer = zoneOutageAnswer(data);
  if (answer === undefined)
    return {
      section: zonesId,
      question: questions.zones,
      text: `Not answered: ${zonesMissing}.`,
      figure: 'no data',
      missing: zonesMissing,
    };
  return {
    section: zonesId,
    question: questions.zones,
    text: `${answer.recommendation}. ${answer.text}`,
    figure: untag(answer.figure),
    ...(answer.reproduce === undefined ? {} : { reproduce: answer.reproduce }),
  };
}
