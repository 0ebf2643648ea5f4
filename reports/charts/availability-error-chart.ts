/**
 * The CAP trade-off in one picture: for each fault the scenarios inject, where mode A and
 * mode C land on availability (share of WHO answered) against error (share of answers wrong).
 * Mode A moves right (wrong answers), mode C moves down (refusals).
 */
import type { RunResult } from '../../experiment/result.ts';
import { type ChartOutcome, modeColour, type Point, reproduceRun, scatterConfig } from '../chart-spec.ts';
import { groupBy, type ReportData, worstRun } from '../report-data.ts';

export const faultScenarios = ['baseline', 'server-crash', 'redis-trouble', 'discovery-trouble'] as const;

/** The fault a run injects: its string sweep parameters but the mode (e.g. `redis-outage`), else its scenario. */
export function faultLabel(run: RunResult): string {
  const named = Object.entries(run.params)
    .filter(([key]) => key !== 'mode' && !key.endsWith('.mode'))
    .map(([, value]) => value)
    .filter((value): value is string => typeof value === 'string');
  return named.length > 0 ? named.join(', ') : run.scenario;
}

export interface FaultPoint {
  fault: string;
  mode: 'a' | 'c';
  runs: RunResult[];
  availability: number;
  wrongShare: number;
}

export function faultPoints(data: ReportData): FaultPoint[] {
  const runs = data.runs.filter(
    (r) =>
      r.engine === 'sim' &&
      (faultScenarios as readonly string[]).includes(r.scenario) &&
      (r.config.mode === 'a' || r.config.mode === 'c'),
  );
  return [...groupBy(runs, (r) => `${r.config.mode}|${faultLabel(r)}`).values()].map((group) => {
    const asked = group.reduce((n, r) => n + r.who.asked, 0);
    const answered = group.reduce((n, r) => n + r.who.answered, 0);
    const wrong = group.reduce((n, r) => n + r.who.wrong, 0);
    return {
      fault: faultLabel(group[0]!),
      mode: group[0]!.config.mode as 'a' | 'c',
      runs: group,
      availability: asked === 0 ? 1 : answered / asked,
      wrongShare: answered === 0 ? 0 : wrong / answered,
    };
  });
}

/** At least 99.9% answered and under 0.5% wrong: too close to the ideal corner to tell apart here. */
function isUnharmed(p: FaultPoint): boolean {
  return p.availability >= 0.999 && p.wrongShare < 0.005;
}

export function availabilityErrorChart(data: ReportData): ChartOutcome {
  const title = 'Availability against error under each fault, modes A and C';
  const points = faultPoints(data);
  const worst = worstRun(
    points.flatMap((p) => p.runs),
    (r) => 1 - r.who.availability + r.who.wrong / Math.max(1, r.who.answered),
  );
  if (worst === undefined) {
    return {
      section: 'cap',
      title,
      note: 'no baseline, server-crash, redis-trouble or discovery-trouble run in these results: run `npm run scenario`',
    };
  }
  // Faults that changed nothing crowd the top-left corner; their labels would overprint.
  const toPoint = (p: FaultPoint): Point => ({
    x: p.wrongShare * 100,
    y: p.availability * 100,
    ...(isUnharmed(p) ? {} : { label: `${p.mode.toUpperCase()}: ${p.fault}` }),
  });
  const reproduce = reproduceRun(data, worst);
  return {
    id: 'availability-vs-error',
    section: 'cap',
    title,
    caption:
      'Top left is ideal: mode A (circles) stays available but drifts right into wrong counts under Redis trouble, mode C (triangles) never answers wrong but drops down when a server or discovery is unreachable; unlabelled points are within 0.1% of the ideal corner.',
    reproduce,
    plugins: ['whiteBackground', 'pointLabels'],
    config: scatterConfig(
      title,
      reproduce,
      {
        xTitle: 'wrong WHO answers (% of answers)',
        yTitle: 'availability (% of WHO answered)',
        grace: '6%',
        xMin: 0,
        yMax: 100,
      },
      [
        {
          label: 'mode A (Redis TTL)',
          colour: modeColour.a,
          pointStyle: 'circle',
          points: points.filter((p) => p.mode === 'a').map(toPoint),
        },
        {
          label: 'mode C (discovery)',
          colour: modeColour.c,
          pointStyle: 'triangle',
          points: points.filter((p) => p.mode === 'c').map(toPoint),
        },
      ],
    ),
  };
}
