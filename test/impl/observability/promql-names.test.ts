/**
 * The PromQL scanner finds exactly the metric names an expression selects: never a function,
 * an aggregation, a label, a label value, a duration or a keyword.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { metricNamesIn, unknownMetricNames } from '../../../impl/observability/promql-names.ts';

describe('promql names: metricNamesIn', () => {
  test.each([
    ['a bare name', 'headcount_connections', ['headcount_connections']],
    [
      'a recording rule name with colons',
      'headcount:availability_errors:ratio_rate5m > 0.1',
      ['headcount:availability_errors:ratio_rate5m'],
    ],
    [
      'an aggregation with by before the argument',
      'sum by (command, le) (rate(headcount_commands_total{command="WHO",le=~"0.05"}[5m]))',
      ['headcount_commands_total'],
    ],
    ['an aggregation with by after the argument', 'max(rate(a_total[1h])) by (instance)', ['a_total']],
    [
      'a quantile over a histogram with Grafana variables',
      'histogram_quantile(0.99, sum by (le) (rate(x_bucket{instance=~"$instance"}[$__rate_interval])))',
      ['x_bucket'],
    ],
    [
      'binary operators, matching and offset',
      'a / on (instance) group_left (role) b offset 5m and bool c',
      ['a', 'b', 'c'],
    ],
    ['label values that look like names', 'x{reason=~"server-full|fd-limit", code="sum(y)"}', ['x']],
    ['numbers and scientific notation', '1 - rate(x[30d]) / 5e-4', ['x']],
    ['or vector(0)', '(sum(rate(x[5m])) or vector(0))', ['x']],
    ['a subquery', 'max_over_time(rate(x[1m])[1h:5m])', ['x']],
  ])('finds the names in %s', (_, expr, names) => {
    expect(metricNamesIn(expr)).toEqual(names);
  });

  const metricName = fc.stringMatching(/^[a-z][a-z0-9_]{0,20}(_total|_seconds_bucket)?$/).filter((name) => {
    const reserved = [
      'and',
      'or',
      'unless',
      'offset',
      'bool',
      'by',
      'without',
      'on',
      'ignoring',
      'inf',
      'nan',
    ];
    return (
      !reserved.includes(name) &&
      !/^(sum|min|max|avg|group|stddev|stdvar|count|count_values|bottomk|topk|quantile|group_left|group_right|atan2)$/.test(
        name,
      )
    );
  });
  const wrap = fc.constantFrom(
    (name: string) => name,
    (name: string) => `rate(${name}[5m])`,
    (name: string) =>
      `sum by (le, instance) (rate(${name}{le="0.05",instance=~"$instance"}[$__rate_interval]))`,
    (name: string) => `histogram_quantile(0.5, ${name})`,
    (name: string) => `(${name} offset 1h)`,
  );
  const operator = fc.constantFrom(' + ', ' / ', ' and ', ' or ', ' > bool ', ' unless on (job) ');

  propertyTest.prop([fc.array(fc.tuple(metricName, wrap, operator), { minLength: 1, maxLength: 6 })])(
    'an expression built from names finds exactly those names, in order',
    (parts) => {
      const expr = parts
        .map(([name, wrapper, op], index) => (index === 0 ? '' : op) + wrapper(name))
        .join('');
      expect(metricNamesIn(expr)).toEqual([...new Set(parts.map(([name]) => name))]);
    },
  );
});

describe('promql names: unknownMetricNames', () => {
  test('a misspelled metric is reported with the expression that names it', () => {
    const known = new Set(['headcount_connections']);
    expect(unknownMetricNames(['headcount_connections / headcount_conections_max'], known)).toEqual([
      { name: 'headcount_conections_max', expr: 'headcount_connections / headcount_conections_max' },
    ]);
  });

  test('expressions naming only known metrics report nothing', () => {
    expect(unknownMetricNames(['rate(a[5m]) / b'], new Set(['a', 'b']))).toEqual([]);
  });
});
