/**
 * Prometheus recording and alerting rules for headcount's two SLOs, generated from the metric
 * names in `metric-names.ts` (so they cannot drift) and printed by `headcount slo rules`.
 *
 * Availability SLI (fleet-wide, over all servers):
 *
 *   good events  = commands answered normally
 *   bad events   = WHO answered `ERR unavailable` (the count could not be produced)
 *                + connections refused for `server-full` or `fd-limit` (the server could not
 *                  serve at all, whatever the client would have sent)
 *   all events   = commands answered (`headcount_commands_total` counts WHO answered
 *                  `ERR unavailable` too) + those refused connections
 *
 * Not bad: protocol errors (the client broke the protocol), `per-ip` refusals (the client's own
 * abuse limit), `draining` refusals (a planned hand-off; the client reconnects elsewhere), and
 * Redis or discovery failures that a fallback answered (the client got a count).
 *
 * Latency SLI: the fraction of commands answered within the threshold, read from the
 * `le="<threshold>"` bucket of the command duration histogram.
 *
 * Alerts follow the multi-window, multi-burn-rate recipe of Google's SRE workbook ("Alerting on
 * SLOs"): page when 2% of the budget burns in 1 h (checked again over 5 m so the page resolves
 * quickly) or 5% in 6 h (with 30 m); open a ticket when 10% burns in 3 d (with 6 h). For a 30-day
 * window those are burn rates 14.4, 6 and 1; for other windows the same budget fractions apply.
 * Each `sum(...) or vector(0)` keeps the SLI defined while a labelled counter has no series yet.
 */
import assert from 'node:assert';
import { stringify } from 'yaml';
import { commandDuration, commands, connectionsRejected, whoUnavailable } from './metric-names.ts';
import type { SloOptions } from './slo-options.ts';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export interface RuleFile {
  readonly groups: readonly RuleGroup[];
}

export type Severity = 'page' | 'ticket';

export interface BurnRateWindow {
  readonly severity: Severity;
  readonly longWindow: string;
  readonly longWindowHours: number;
  readonly shortWindow: string;
  /** The share of the whole window's error budget that burns within `longWindow` at the threshold. */
  readonly budgetFraction: number;
}

/** The workbook's three conditions; the first two page, the third opens a ticket. */
export const burnRateWindows: readonly BurnRateWindow[] = Object.freeze([
  { severity: 'page', longWindow: '1h', longWindowHours: 1, shortWindow: '5m', budgetFraction: 0.02 },
  { severity: 'page', longWindow: '6h', longWindowHours: 6, shortWindow: '30m', budgetFraction: 0.05 },
  { severity: 'ticket', longWindow: '3d', longWindowHours: 72, shortWindow: '6h', budgetFraction: 0.1 },
]);

export type SloName = 'availability' | 'latency';

/** Rounds away binary noise so `1 - 0.9995` prints as 0.0005, not 0.000499999999999945. */
export function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

/** How many times faster than "exactly on budget" the errors must arrive to trip `window`. */
export function burnRate(window: BurnRateWindow, windowDays: number): number {
  return tidy((window.budgetFraction * windowDays * 24) / window.longWindowHours);
}

export function errorRatioRecord(slo: SloName, range: string): string {
  return `headcount:${slo}_errors:ratio_rate${range}`;
}

export function budgetRemainingRecord(slo: SloName): string {
  return `headcount:${slo}_error_budget_remaining:ratio`;
}

export function alertName(slo: SloName, severity: Severity): string {
  const title = slo === 'availability' ? 'Availability' : 'Latency';
  return `Headcount${title}${severity === 'page' ? 'FastBurn' : 'SlowBurn'}`;
}

const serverFailureReasons = 'server-full|fd-limit';

function sumRate(selector: string, range: string): string {
  return `(sum(rate(${selector}[${range}])) or vector(0))`;
}

function availabilityErrorRatio(range: string): string {
  const refused = sumRate(`${connectionsRejected.name}{reason=~"${serverFailureReasons}"}`, range);
  const unavailable = sumRate(whoUnavailable.name, range);
  const answered = sumRate(commands.name, range);
  return `(${unavailable} + ${refused})\n/\n(${answered} + ${refused})`;
}

function latencyErrorRatio(range: string, thresholdMs: number): string {
  const le = String(tidy(thresholdMs / 1000));
  const all = `sum(rate(${commandDuration.name}_count[${range}]))`;
  const fast = `sum(rate(${commandDuration.name}_bucket{le="${le}"}[${range}]))`;
  return `(${all} - ${fast})\n/\n${all}`;
}

const unitSeconds: Readonly<Record<string, number>> = { m: 60, h: 3600, d: 86_400 };

/** Seconds in a Prometheus range like `30m`; only the units the windows above use. */
export function rangeSeconds(range: string): number {
  const unit = unitSeconds[range.slice(-1)];
  const count = Number(range.slice(0, -1));
  assert(unit !== undefined && Number.isInteger(count), `unexpected range ${range}`);
  return count * unit;
}

/** Every range an alert or the budget reads, shortest first. */
function recordedRanges(windowDays: number): string[] {
  const ranges = burnRateWindows.flatMap((window) => [window.shortWindow, window.longWindow]);
  return [...new Set([...ranges, `${windowDays}d`])].sort((a, b) => rangeSeconds(a) - rangeSeconds(b));
}

interface SloSpec {
  readonly slo: SloName;
  readonly objectivePercent: number;
  readonly errorRatio: (range: string) => string;
  readonly what: string;
}

function alertFor(spec: SloSpec, severity: Severity, options: SloOptions): AlertingRule {
  const budget = tidy(1 - spec.objectivePercent / 100);
  const windows = burnRateWindows.filter((window) => window.severity === severity);
  const conditions = windows.map((window) => {
    const factor = burnRate(window, options.windowDays);
    const long = errorRatioRecord(spec.slo, window.longWindow);
    const short = errorRatioRecord(spec.slo, window.shortWindow);
    return `(\n  ${long} > (${factor} * ${budget})\nand\n  ${short} > (${factor} * ${budget})\n)`;
  });
  const described = windows.map(
    (window) =>
      `${burnRate(window, options.windowDays)}x over ${window.longWindow} and ${window.shortWindow}`,
  );
  const pace = severity === 'page' ? 'fast' : 'slowly';
  return {
    alert: alertName(spec.slo, severity),
    expr: conditions.join('\nor\n'),
    labels: { severity, slo: spec.slo },
    annotations: {
      summary: `headcount is burning its ${spec.slo} error budget ${pace}`,
      description:
        `The ${spec.what} error ratio is above the budget (${tidy(budget * 100)}% of events over ` +
        `${options.windowDays} days) by ${described.join(', or ')}.`,
    },
  };
}

function groupFor(spec: SloSpec, options: SloOptions): RuleGroup {
  const budget = tidy(1 - spec.objectivePercent / 100);
  const ratios: Rule[] = recordedRanges(options.windowDays).map((range) => ({
    record: errorRatioRecord(spec.slo, range),
    expr: spec.errorRatio(range),
  }));
  const remaining: RecordingRule = {
    record: budgetRemainingRecord(spec.slo),
    expr: `1 - ${errorRatioRecord(spec.slo, `${options.windowDays}d`)} / ${budget}`,
  };
  return {
    name: `headcount-slo-${spec.slo}`,
    rules: [...ratios, remaining, alertFor(spec, 'page', options), alertFor(spec, 'ticket', options)],
  };
}

export function sloRules(options: SloOptions): RuleFile {
  const availability: SloSpec = {
    slo: 'availability',
    objectivePercent: options.availabilityObjectivePercent,
    errorRatio: availabilityErrorRatio,
    what: 'WHO-unavailable and refused-connection',
  };
  const latency: SloSpec = {
    slo: 'latency',
    objectivePercent: options.latencyObjectivePercent,
    errorRatio: (range) => latencyErrorRatio(range, options.latencyThresholdMs),
    what: `commands-slower-than-${options.latencyThresholdMs}ms`,
  };
  return { groups: [groupFor(availability, options), groupFor(latency, options)] };
}

/** The rules as a Prometheus rule file, with a header saying how it was made. */
export function renderRulesYaml(options: SloOptions): string {
  const header =
    `# Generated by \`headcount slo rules --objective ${options.availabilityObjectivePercent}` +
    ` --latency-ms ${options.latencyThresholdMs} --latency-objective ${options.latencyObjectivePercent}` +
    ` --window-days ${options.windowDays}\`; do not edit by hand.\n` +
    '# Availability SLI: bad = WHO answered ERR unavailable + connections refused for server-full or\n' +
    '# fd-limit; all = commands answered + those refused connections. Latency SLI: commands answered\n' +
    `# within ${options.latencyThresholdMs} ms. Alerts: multi-window multi-burn-rate (SRE workbook).\n`;
  return header + stringify(sloRules(options), { lineWidth: 0 });
}

/** Every expression in a rule file, for checks that scan PromQL. */
export function ruleExpressions(file: RuleFile): string[] {
  return file.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}

/** Names the rule file itself defines (recording rules), which expressions may select. */
export function recordedNames(file: RuleFile): Set<string> {
  return new Set(
    file.groups.flatMap((group) => group.rules.flatMap((rule) => ('record' in rule ? [rule.record] : []))),
  );
}
