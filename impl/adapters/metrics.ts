/**
 * prom-client metrics for a server, registered from the one list of names in
 * `impl/observability/metric-names.ts` so rules and dashboards cannot name a metric we do not
 * export. Each process gets its own Registry (several servers may share one process in the lab).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import client from 'prom-client';
import { CommandMeter } from './command-meter.ts';
import {
  durationBucketsSeconds,
  type MetricSpec,
  serverMetrics,
  discoveryServiceMetrics,
} from '../observability/metric-names.ts';

type AnyMetric = client.Counter | client.Gauge | client.Histogram;

/** Metrics recorded per command go through `CommandMeter`, not prom-client (the hot path). */
const perCommandMetrics = new Set(['headcount_commands_total', 'headcount_command_duration_seconds']);

export class Metrics {
  readonly registry = new client.Registry();
  readonly commands = new CommandMeter(durationBucketsSeconds);
  #byName = new Map<string, AnyMetric>();
  #lagMonitor = monitorEventLoopDelay({ resolution: 20 });

  constructor(specs: readonly MetricSpec[], options: { defaultMetrics?: boolean } = {}) {
    for (const spec of specs) {
      if (!perCommandMetrics.has(spec.name)) this.#byName.set(spec.name, this.#create(spec));
      else if (spec.type === 'counter')
        this.registry.registerMetric(this.commands.counter(spec.name, spec.help) as never);
      else this.registry.registerMetric(this.commands.histogram(spec.name, spec.help) as never);
    }
    if (options.defaultMetrics ?? true) client.collectDefaultMetrics({ register: this.registry });
    this.#lagMonitor.enable();
  }

  counter(name: string): client.Counter {
    return this.#get(name) as client.Counter;
  }

  gauge(name: string): client.Gauge {
    return this.#get(name) as client.Gauge;
  }

  histogram(name: string): client.Histogram {
    return this.#get(name) as client.Histogram;
  }

  /** The exposition text; a failing collector (e.g. EMFILE at the fd limit) drops only its own lines. */
  async text(): Promise<string> {
    try {
      return await this.registry.metrics();
    } catch {
      const parts: string[] = [];
      for (const metric of this.registry.getMetricsAsArray()) {
        try {
          parts.push(await this.registry.getSingleMetricAsString(metric.name));
        } catch {
          // Skip a collector that cannot read /proc right now; the rest still serve.
        }
      }
      return `${parts.join('\n')}\n`;
    }
  }

  close(): void {
    this.#lagMonitor.disable();
  }

  #get(name: string): AnyMetric {
    const metric = this.#byName.get(name);
    if (metric === undefined) throw new Error(`metric ${name} is not registered`);
    return metric;
  }

  #create(spec: MetricSpec): AnyMetric {
    const config = {
      name: spec.name,
      help: spec.help,
      labelNames: [...spec.labelNames],
      registers: [this.registry],
    };
    if (spec.type === 'counter') return new client.Counter(config);
    if (spec.type === 'gauge' && spec.name === 'headcount_event_loop_lag_seconds') {
      const monitor = this.#lagMonitor;
      // Sampled at scrape time: the mean delay since the previous scrape.
      return new client.Gauge({
        ...config,
        collect() {
          this.set(Number.isNaN(monitor.mean) ? 0 : monitor.mean / 1e9);
          monitor.reset();
        },
      });
    }
    if (spec.type === 'gauge') return new client.Gauge(config);
    return new client.Histogram({ ...config, buckets: [...durationBucketsSeconds] });
  }
}

export function serverMetricsRegistry(): Metrics {
  return new Metrics(serverMetrics);
}

export function discoveryMetricsRegistry(): Metrics {
  return new Metrics(discoveryServiceMetrics);
}
