/**
 * headcount's Grafana dashboard, printed by `headcount slo dashboard`. Every query is built from
 * the constants in `metric-names.ts` and the recording-rule names in `slo-rules.ts`, so a renamed
 * metric fails `metric-references.test.ts` instead of leaving an empty panel.
 *
 * Rows: the four golden signals first (traffic, errors, latency, saturation), then what is
 * special to a counting service (how stale the count is, where WHO answers come from, the error
 * budget), then the dependencies (Redis, discovery calls), the discovery service, and the process.
 */
import { type Json, layoutDashboard, type PanelSpec, type Query, type RowSpec } from './grafana-model.ts';
import * as m from './metric-names.ts';
import type { MetricSpec } from './metric-names.ts';
import { budgetRemainingRecord, errorRatioRecord } from './slo-rules.ts';

export const dashboardUid = 'headcount-overview';

/** A selector restricted to the instances picked in the dashboard's `instance` variable. */
function sel(name: string, matchers = ''): string {
  const extra = matchers === '' ? '' : `,${matchers}`;
  return `${name}{instance=~"$instance"${extra}}`;
}

function rateBy(spec: MetricSpec, by: string, matchers = ''): Query {
  const grouping = by === '' ? '' : ` by (${by})`;
  const legend = by === '' ? spec.name.replace(/^headcount_/, '') : `{{${by.split(',').join('}} {{')}}}`;
  return { expr: `sum${grouping} (rate(${sel(spec.name, matchers)}[$__rate_interval]))`, legend };
}

function quantile(q: number, spec: MetricSpec, by = ''): Query {
  const grouping = by === '' ? 'le' : `le, ${by}`;
  const bucket = sel(`${spec.name}_bucket`);
  return {
    expr: `histogram_quantile(${q}, sum by (${grouping}) (rate(${bucket}[$__rate_interval])))`,
    legend: by === '' ? `p${q * 100}` : `p${q * 100} {{${by}}}`,
  };
}

function perInstance(spec: MetricSpec): Query {
  return { expr: sel(spec.name), legend: '{{instance}}' };
}

function series(
  title: string,
  description: string,
  unit: string,
  queries: Query[],
  stacked = false,
): PanelSpec {
  return { title, description, kind: 'timeseries', unit, queries, stacked };
}

const goldenSignals: RowSpec = {
  title: 'Golden signals',
  panels: [
    series('Traffic: commands/s', 'Commands answered per second, by command.', 'reqps', [
      rateBy(m.commands, 'command'),
      { ...rateBy(m.connectionsAccepted, ''), legend: 'connections accepted/s' },
    ]),
    series(
      'Errors/s',
      'WHO answered ERR unavailable, refused connections and client protocol errors.',
      'reqps',
      [
        { ...rateBy(m.whoUnavailable, 'reason'), legend: 'WHO unavailable: {{reason}}' },
        { ...rateBy(m.connectionsRejected, 'reason'), legend: 'refused: {{reason}}' },
        { ...rateBy(m.protocolErrors, 'kind'), legend: 'protocol: {{kind}}' },
      ],
    ),
    series('Latency p50 / p99', 'Time from a complete command line to its reply, all commands.', 's', [
      quantile(0.5, m.commandDuration),
      quantile(0.99, m.commandDuration),
    ]),
    series(
      'Saturation',
      'Open connections as a share of the configured maximum, per instance.',
      'percentunit',
      [{ expr: `${sel(m.connections.name)} / ${sel(m.connectionsMax.name)}`, legend: '{{instance}}' }],
    ),
    series('Event loop lag', 'Mean event loop delay between scrapes; a busy loop delays every reply.', 's', [
      perInstance(m.eventLoopLag),
    ]),
    series('Open connections', 'Open client connections per instance, and the configured maximum.', 'short', [
      perInstance(m.connections),
      { expr: `max(${sel(m.connectionsMax.name)})`, legend: 'maximum' },
    ]),
  ],
};

const counting: RowSpec = {
  title: 'Counting',
  panels: [
    series('Count staleness', 'Age of the data behind the last WHO answer, per instance.', 's', [
      perInstance(m.whoStaleness),
    ]),
    series(
      'WHO answers by source',
      'Where WHO answers got their count: fresh, cached or fallback.',
      'reqps',
      [rateBy(m.whoAnswers, 'source')],
      true,
    ),
    {
      title: 'Error budget remaining',
      description:
        'Share of the SLO window error budget left (from the `headcount slo rules` recording rules).',
      kind: 'stat',
      unit: 'percentunit',
      queries: [
        { expr: budgetRemainingRecord('availability'), legend: 'availability' },
        { expr: budgetRemainingRecord('latency'), legend: 'latency' },
      ],
    },
    series(
      'SLO error ratio',
      'Bad events over all events, over 5 m and 1 h (the fast-burn alert windows).',
      'percentunit',
      [
        { expr: errorRatioRecord('availability', '5m'), legend: 'availability 5m' },
        { expr: errorRatioRecord('availability', '1h'), legend: 'availability 1h' },
        { expr: errorRatioRecord('latency', '5m'), legend: 'latency 5m' },
        { expr: errorRatioRecord('latency', '1h'), legend: 'latency 1h' },
      ],
    ),
  ],
};

const dependencies: RowSpec = {
  title: 'Dependencies',
  panels: [
    series('Redis call p99', 'Redis call duration by operation (mode A).', 's', [
      quantile(0.99, m.redisCallDuration, 'op'),
    ]),
    series('Redis failures/s', 'Failed Redis calls by operation and error code.', 'reqps', [
      rateBy(m.redisFailures, 'op,code'),
    ]),
    series('Discovery call p99', 'Calls from servers to the discovery service (mode C).', 's', [
      quantile(0.99, m.discoveryCallDuration, 'op'),
    ]),
    series(
      'Discovery failures/s',
      'Failed discovery calls by operation and reason, and failovers.',
      'reqps',
      [
        rateBy(m.discoveryFailures, 'op,reason'),
        { ...rateBy(m.discoveryFailovers, ''), legend: 'failovers' },
      ],
    ),
  ],
};

const discoveryService: RowSpec = {
  title: 'Discovery service',
  panels: [
    series('Members', 'Servers holding a live lease, per discovery instance.', 'short', [
      perInstance(m.discoveryMembers),
    ]),
    series('Broadcast p99', 'Time to fan one membership change out to every member.', 's', [
      quantile(0.99, m.discoveryBroadcastDuration),
    ]),
    series(
      'Fan-out failures and lease expiries/s',
      'Deliveries that failed, and leases that lapsed.',
      'reqps',
      [
        rateBy(m.discoveryFanoutFailures, 'reason'),
        { ...rateBy(m.discoveryLeaseExpiries, ''), legend: 'lease expiries' },
      ],
    ),
    series(
      'Unauthenticated requests/s',
      'Requests refused for a missing or wrong token, by route.',
      'reqps',
      [rateBy(m.discoveryUnauthenticated, 'route')],
    ),
  ],
};

const processRow: RowSpec = {
  title: 'Process',
  panels: [
    series('Resident memory', 'Resident set size per instance.', 'bytes', [
      { expr: sel('process_resident_memory_bytes'), legend: '{{instance}}' },
    ]),
    series(
      'File descriptors',
      'Open file descriptors as a share of the limit (each connection holds one).',
      'percentunit',
      [{ expr: `${sel('process_open_fds')} / ${sel('process_max_fds')}`, legend: '{{instance}}' }],
    ),
  ],
};

export function headcountDashboard(): Json {
  return layoutDashboard('headcount', dashboardUid, [
    goldenSignals,
    counting,
    dependencies,
    discoveryService,
    processRow,
  ]);
}

export function renderDashboardJson(): string {
  return `${JSON.stringify(headcountDashboard(), null, 2)}\n`;
}
