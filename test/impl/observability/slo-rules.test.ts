/**
 * The generated SLO rules are valid Prometheus rules, and their alerts behave as the SRE
 * workbook intends. Method: generate the rule file and a `promtool test rules` file from
 * TypeScript, with synthetic counter series minute by minute, and let promtool evaluate them.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { durationBucketsSeconds } from '../../../impl/observability/metric-names.ts';
import {
  latencyThresholdsMs,
  parseSloOptions,
  type SloOptions,
} from '../../../impl/observability/slo-options.ts';
import {
  type AlertingRule,
  alertName,
  burnRate,
  burnRateWindows,
  renderRulesYaml,
  sloRules,
} from '../../../impl/observability/slo-rules.ts';
import { runPromtool } from './promtool.ts';

function options(raw: Partial<SloOptions> = {}): SloOptions {
  const parsed = parseSloOptions(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

/** A counter that grows by `perMinute` for `minutes`, segment after segment, from 0 at t=0. */
function counter(segments: readonly { perMinute: number; minutes: number }[]): string {
  const parts = ['0'];
  let value = 0;
  for (const { perMinute, minutes } of segments) {
    parts.push(`${value + perMinute}+${perMinute}x${minutes - 1}`);
    value += perMinute * minutes;
  }
  return parts.join(' ');
}

const allAlerts = [
  alertName('availability', 'page'),
  alertName('availability', 'ticket'),
  alertName('latency', 'page'),
  alertName('latency', 'ticket'),
];

function expectedAlert(rulesOptions: SloOptions, name: string) {
  const rule = sloRules(rulesOptions)
    .groups.flatMap((group) => group.rules)
    .find((candidate): candidate is AlertingRule => 'alert' in candidate && candidate.alert === name);
  if (rule === undefined) throw new Error(`no alert ${name}`);
  return { exp_labels: rule.labels, exp_annotations: rule.annotations };
}

interface AlertCheck {
  evalTime: string;
  firing: readonly string[];
  /** Alerts that must not fire at that time; defaults to every other alert. */
  silent?: readonly string[];
}

function promtoolTest(
  rulesOptions: SloOptions,
  series: Readonly<Record<string, string>>,
  checks: readonly AlertCheck[],
): string {
  const alertRuleTest = checks.flatMap((check) => {
    const silent = check.silent ?? allAlerts.filter((name) => !check.firing.includes(name));
    return [
      ...check.firing.map((name) => ({
        eval_time: check.evalTime,
        alertname: name,
        exp_alerts: [expectedAlert(rulesOptions, name)],
      })),
      ...silent.map((name) => ({ eval_time: check.evalTime, alertname: name, exp_alerts: [] })),
    ];
  });
  return stringify({
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: Object.entries(series).map(([name, values]) => ({ series: name, values })),
        alert_rule_test: alertRuleTest,
      },
    ],
  });
}

function expectPromtoolTestPasses(rulesOptions: SloOptions, testYaml: string): void {
  const run = runPromtool(['test', 'rules', 'test.yaml'], {
    'rules.yaml': renderRulesYaml(rulesOptions),
    'test.yaml': testYaml,
  });
  expect(run.output).toContain('SUCCESS');
  expect(run.status, run.output).toBe(0);
}

const who = 'headcount_commands_total{command="WHO"}';
const unavailable = 'headcount_who_unavailable_total{reason="redis-down"}';
const whoCount = 'headcount_command_duration_seconds_count{command="WHO"}';
const whoUnder50ms = 'headcount_command_duration_seconds_bucket{command="WHO",le="0.05"}';

describe('slo rules: promtool check rules', () => {
  test.each([
    ['the defaults', {}],
    [
      'a 99.9% objective, 100 ms latency and a 28-day window',
      { availabilityObjectivePercent: 99.9, latencyThresholdMs: 100, windowDays: 28 },
    ],
  ])('the rules generated for %s pass promtool check rules', (_, raw) => {
    const run = runPromtool(['check', 'rules', 'rules.yaml'], {
      'rules.yaml': renderRulesYaml(options(raw)),
    });
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('SUCCESS: 18 rules found');
  });
});

describe('slo rules: burn rates', () => {
  test('a 30-day window gives the workbook factors 14.4 and 6 (page) and 1 (ticket)', () => {
    expect(burnRateWindows.map((window) => [window.severity, burnRate(window, 30)])).toEqual([
      ['page', 14.4],
      ['page', 6],
      ['ticket', 1],
    ]);
  });

  propertyTest.prop([fc.integer({ min: 7, max: 365 })])(
    'at the threshold, each alert window burns the same share of the budget whatever the SLO window',
    (windowDays) => {
      for (const window of burnRateWindows) {
        const budgetShare = (burnRate(window, windowDays) * window.longWindowHours) / (windowDays * 24);
        expect(budgetShare).toBeCloseTo(window.budgetFraction, 9);
      }
    },
  );

  test('the latency alert reads the histogram bucket whose boundary is the threshold', () => {
    const yaml = renderRulesYaml(options({ latencyThresholdMs: 250 }));
    expect(yaml).toContain('headcount_command_duration_seconds_bucket{le="0.25"}');
  });

  propertyTest.prop([fc.integer({ min: 1, max: 5000 }).filter((ms) => !latencyThresholdsMs.includes(ms))])(
    'a latency threshold between bucket boundaries is refused, naming the boundaries',
    (latencyThresholdMs) => {
      const parsed = parseSloOptions({ latencyThresholdMs });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error[0]?.message).toContain(latencyThresholdsMs.join(', '));
    },
  );

  test('every histogram boundary is an accepted latency threshold', () => {
    expect(latencyThresholdsMs).toHaveLength(durationBucketsSeconds.length);
    for (const latencyThresholdMs of latencyThresholdsMs)
      expect(parseSloOptions({ latencyThresholdMs }).ok).toBe(true);
  });

  test('objectives outside [90, 100) and windows outside [7, 365] days are all reported at once', () => {
    const parsed = parseSloOptions({
      availabilityObjectivePercent: 100,
      latencyObjectivePercent: 80,
      windowDays: 3,
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.map((problem) => problem.field)).toEqual([
        'availabilityObjectivePercent',
        'latencyObjectivePercent',
        'windowDays',
      ]);
    }
  });
});

describe('slo rules: promtool test rules', () => {
  const defaults = options();
  const perMinute = 6000;

  test('a healthy fleet spending half its budgets fires nothing over six and a half hours', () => {
    // 0.025% of WHOs fail (budget 0.05%) and 0.5% of commands are slow (budget 1%).
    const minutes = 390;
    const testYaml = promtoolTest(
      defaults,
      {
        [who]: counter([{ perMinute: 20_000, minutes }]),
        [unavailable]: counter([{ perMinute: 5, minutes }]),
        [whoCount]: counter([{ perMinute: 20_000, minutes }]),
        [whoUnder50ms]: counter([{ perMinute: 19_900, minutes }]),
      },
      ['5m', '1h', '6h30m'].map((evalTime) => ({ evalTime, firing: [] })),
    );
    expectPromtoolTestPasses(defaults, testYaml);
  });

  test('an outage where every WHO answers ERR unavailable pages within two minutes', () => {
    const testYaml = promtoolTest(
      defaults,
      {
        [who]: counter([{ perMinute, minutes: 90 }]),
        [unavailable]: counter([
          { perMinute: 0, minutes: 60 },
          { perMinute, minutes: 30 },
        ]),
      },
      [
        { evalTime: '60m', firing: [] },
        {
          evalTime: '62m',
          firing: [alertName('availability', 'page')],
          silent: [alertName('latency', 'page')],
        },
        { evalTime: '90m', firing: [alertName('availability', 'page'), alertName('availability', 'ticket')] },
      ],
    );
    expectPromtoolTestPasses(defaults, testYaml);
  });

  test('a slow burn at 5x the budget opens a ticket and never pages', () => {
    // 0.25% of WHOs fail: five times the 0.05% budget, under the 6x page threshold.
    const minutes = 390;
    const testYaml = promtoolTest(
      defaults,
      {
        [who]: counter([{ perMinute: 10_000, minutes }]),
        [unavailable]: counter([{ perMinute: 25, minutes }]),
      },
      [
        { evalTime: '30m', firing: [alertName('availability', 'ticket')] },
        { evalTime: '3h', firing: [alertName('availability', 'ticket')] },
        { evalTime: '6h30m', firing: [alertName('availability', 'ticket')] },
      ],
    );
    expectPromtoolTestPasses(defaults, testYaml);
  });

  test('commands all slower than the threshold page on the latency SLO within ten minutes, not on availability', () => {
    // The latency budget is 1%, so the 1 h ratio passes 14.4% after about nine slow minutes.
    const testYaml = promtoolTest(
      defaults,
      {
        [who]: counter([{ perMinute, minutes: 90 }]),
        [whoCount]: counter([{ perMinute, minutes: 90 }]),
        [whoUnder50ms]: counter([
          { perMinute, minutes: 60 },
          { perMinute: 0, minutes: 30 },
        ]),
      },
      [
        { evalTime: '60m', firing: [] },
        {
          evalTime: '70m',
          firing: [alertName('latency', 'page')],
          silent: [alertName('availability', 'page')],
        },
      ],
    );
    expectPromtoolTestPasses(defaults, testYaml);
  });

  test('connections refused because the server is full count against availability', () => {
    const testYaml = promtoolTest(
      defaults,
      {
        [who]: counter([{ perMinute, minutes: 90 }]),
        'headcount_connections_rejected_total{reason="server-full"}': counter([
          { perMinute: 0, minutes: 60 },
          { perMinute, minutes: 30 },
        ]),
        'headcount_connections_rejected_total{reason="per-ip"}': counter([{ perMinute, minutes: 90 }]),
      },
      [
        { evalTime: '55m', firing: [] },
        { evalTime: '62m', firing: [alertName('availability', 'page')], silent: [] },
      ],
    );
    expectPromtoolTestPasses(defaults, testYaml);
  });
});
