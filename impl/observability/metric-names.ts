/**
 * The one list of metric names headcount exports. The prom-client metrics module registers its
 * metrics from these constants, and the SLO rules and the Grafana dashboard build their PromQL
 * from them too, so a renamed metric breaks a test instead of silently emptying a panel or
 * disarming an alert (`test/impl/observability/metric-references.test.ts` and the real scrape in
 * `test/integration/prometheus-scrape.test.ts` check both directions).
 *
 * Each entry says its Prometheus type, its label names and a help text; `help` is what the
 * metrics module passes to prom-client, so the text shown in `/metrics` is written once, here.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly help: string;
}

function metric<const Name extends string>(
  name: Name,
  type: MetricType,
  labelNames: readonly string[],
  help: string,
): MetricSpec & { readonly name: Name } {
  return Object.freeze({ name, type, labelNames: Object.freeze([...labelNames]), help });
}

/**
 * Histogram buckets for every duration histogram, in seconds. They span 0.5 ms (a WHO answered
 * from cache on a quiet host) to 2.5 s (beyond any client's patience); each latency SLO threshold
 * must be one of these boundaries, because Prometheus can only count "under X" at a bucket edge.
 */
export const durationBucketsSeconds: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
]);

/** Why a connection was refused at accept time (`reason` label of the rejected counter). */
export const rejectionReasons = Object.freeze(['server-full', 'per-ip', 'fd-limit', 'draining'] as const);

/** What the client did wrong (`kind` label of the protocol error counter). */
export const protocolErrorKinds = Object.freeze([
  'line-too-long',
  'invalid-bytes',
  'unknown-command',
] as const);

/** Where a WHO answer's count came from (`source` label of the WHO answers counter). */
export const whoSources = Object.freeze(['redis', 'cache', 'last-known', 'local', 'discovery'] as const);

// ---- TCP server ------------------------------------------------------------------------------

export const connections = metric('headcount_connections', 'gauge', [], 'Open client connections.');
export const connectionsMax = metric(
  'headcount_connections_max',
  'gauge',
  [],
  'The configured maximum of open client connections.',
);
export const connectionsAccepted = metric(
  'headcount_connections_accepted_total',
  'counter',
  [],
  'Client connections accepted.',
);
export const connectionsRejected = metric(
  'headcount_connections_rejected_total',
  'counter',
  ['reason'],
  'Client connections refused at accept time, by reason (server-full, per-ip, fd-limit, draining).',
);
export const commands = metric(
  'headcount_commands_total',
  'counter',
  ['command'],
  'Commands answered, by command, including WHO answered with ERR unavailable.',
);
export const commandDuration = metric(
  'headcount_command_duration_seconds',
  'histogram',
  ['command'],
  'Time from a complete command line to its reply being written, by command.',
);
export const protocolErrors = metric(
  'headcount_protocol_errors_total',
  'counter',
  ['kind'],
  'Client protocol errors, by kind (line-too-long, invalid-bytes, unknown-command).',
);
export const whoAnswers = metric(
  'headcount_who_answers_total',
  'counter',
  ['source'],
  'WHO answers with a count, by where the count came from.',
);
export const whoUnavailable = metric(
  'headcount_who_unavailable_total',
  'counter',
  ['reason'],
  'WHO answered ERR unavailable, by reason.',
);
export const whoStaleness = metric(
  'headcount_who_staleness_seconds',
  'gauge',
  [],
  'Age of the data behind the last WHO answer.',
);
export const eventLoopLag = metric('headcount_event_loop_lag_seconds', 'gauge', [], 'Event loop lag.');

// ---- Calls a server makes --------------------------------------------------------------------

export const redisCallDuration = metric(
  'headcount_redis_call_duration_seconds',
  'histogram',
  ['op'],
  'Redis call duration, by operation.',
);
export const redisFailures = metric(
  'headcount_redis_failures_total',
  'counter',
  ['op', 'code'],
  'Failed Redis calls, by operation and error code.',
);
export const discoveryCallDuration = metric(
  'headcount_discovery_call_duration_seconds',
  'histogram',
  ['op'],
  'Calls to the discovery service, by operation.',
);
export const discoveryFailures = metric(
  'headcount_discovery_failures_total',
  'counter',
  ['op', 'reason'],
  'Failed calls to the discovery service, by operation and reason.',
);
export const discoveryFailovers = metric(
  'headcount_discovery_failovers_total',
  'counter',
  [],
  'Times a server switched to another discovery instance.',
);

// ---- Discovery service -----------------------------------------------------------------------

export const discoveryMembers = metric(
  'headcount_discovery_members',
  'gauge',
  [],
  'Servers with a live lease.',
);
export const discoveryBroadcastDuration = metric(
  'headcount_discovery_broadcast_duration_seconds',
  'histogram',
  [],
  'Time from the start of a count broadcast until every live member answered or the fan-out deadline passed.',
);
export const discoveryFanoutFailures = metric(
  'headcount_discovery_fanout_failures_total',
  'counter',
  ['reason'],
  'Fan-out deliveries that failed, by reason.',
);
export const discoveryLeaseExpiries = metric(
  'headcount_discovery_lease_expiries_total',
  'counter',
  [],
  'Member leases that expired without renewal.',
);
export const discoveryUnauthenticated = metric(
  'headcount_discovery_unauthenticated_total',
  'counter',
  ['route'],
  'Requests refused for a missing or wrong token, by route.',
);

/** Everything a headcount server exports (besides prom-client's default process metrics). */
export const serverMetrics: readonly MetricSpec[] = Object.freeze([
  connections,
  connectionsMax,
  connectionsAccepted,
  connectionsRejected,
  commands,
  commandDuration,
  protocolErrors,
  whoAnswers,
  whoUnavailable,
  whoStaleness,
  eventLoopLag,
  redisCallDuration,
  redisFailures,
  discoveryCallDuration,
  discoveryFailures,
  discoveryFailovers,
]);

/** Everything the discovery service exports (besides prom-client's default process metrics). */
export const discoveryServiceMetrics: readonly MetricSpec[] = Object.freeze([
  discoveryMembers,
  discoveryBroadcastDuration,
  discoveryFanoutFailures,
  discoveryLeaseExpiries,
  discoveryUnauthenticated,
  eventLoopLag,
]);

/**
 * The prom-client default metrics (`collectDefaultMetrics()`) that rules and dashboards may name.
 * Only the ones we use are listed; the real-scrape test checks each one appears in `/metrics`.
 */
export const processMetricNames: readonly string[] = Object.freeze([
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'process_open_fds',
  'process_max_fds',
  'nodejs_heap_size_used_bytes',
]);

/** The series names a metric produces in the exposition format (a histogram makes three). */
export function seriesNames(spec: MetricSpec): readonly string[] {
  if (spec.type !== 'histogram') return [spec.name];
  return [`${spec.name}_bucket`, `${spec.name}_sum`, `${spec.name}_count`];
}

/** Every series name a PromQL expression may select from headcount's processes. */
export function exportedSeriesNames(): ReadonlySet<string> {
  const names = new Set<string>(processMetricNames);
  for (const spec of [...serverMetrics, ...discoveryServiceMetrics]) {
    for (const name of seriesNames(spec)) names.add(name);
  }
  return names;
}
