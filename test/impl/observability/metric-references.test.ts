/**
 * Every metric a rule or a dashboard panel reads is one the code exports. Method: scan the
 * PromQL of the generated rules and dashboard for metric names and look each one up in
 * `metric-names.ts` (the real `/metrics` text is checked in `test/integration/prometheus-scrape`).
 */
import { describe, expect, test } from 'vitest';
import { headcountDashboard } from '../../../impl/observability/dashboard.ts';
import { dashboardExpressions } from '../../../impl/observability/grafana-model.ts';
import {
  commandDuration,
  discoveryServiceMetrics,
  exportedSeriesNames,
  serverMetrics,
} from '../../../impl/observability/metric-names.ts';
import { metricNamesIn, unknownMetricNames } from '../../../impl/observability/promql-names.ts';
import { parseSloOptions } from '../../../impl/observability/slo-options.ts';
import { recordedNames, ruleExpressions, sloRules } from '../../../impl/observability/slo-rules.ts';

const options = parseSloOptions({});
if (!options.ok) throw new Error('the default SLO options are invalid');
const rules = sloRules(options.value);
const known = new Set([...exportedSeriesNames(), ...recordedNames(rules)]);

describe('metric references: rules and dashboard against metric-names.ts', () => {
  test('every metric the SLO rules read is exported or recorded by the rules', () => {
    expect(unknownMetricNames(ruleExpressions(rules), known)).toEqual([]);
  });

  test('every metric the dashboard reads is exported or recorded by the SLO rules', () => {
    expect(unknownMetricNames(dashboardExpressions(headcountDashboard()), known)).toEqual([]);
  });

  test('every metric the service exports appears on the dashboard', () => {
    const shown = new Set(dashboardExpressions(headcountDashboard()).flatMap(metricNamesIn));
    const missing = [...serverMetrics, ...discoveryServiceMetrics].filter(
      (spec) => !shown.has(spec.name) && !shown.has(`${spec.name}_bucket`),
    );
    expect(missing.map((spec) => spec.name)).toEqual([]);
  });

  test('a histogram is selected only through its _bucket, _sum or _count series', () => {
    const all = [...ruleExpressions(rules), ...dashboardExpressions(headcountDashboard())].flatMap(
      metricNamesIn,
    );
    expect(all).not.toContain(commandDuration.name);
  });

  test('metric names are unique and follow the Prometheus naming rules', () => {
    const specs = [...serverMetrics, ...discoveryServiceMetrics];
    for (const spec of specs) {
      expect(spec.name).toMatch(/^headcount_[a-z_]+$/);
      if (spec.type === 'counter') expect(spec.name).toMatch(/_total$/);
      if (spec.type !== 'counter') expect(spec.name).not.toMatch(/_total$/);
    }
    for (const list of [serverMetrics, discoveryServiceMetrics]) {
      const names = list.map((spec) => spec.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});
