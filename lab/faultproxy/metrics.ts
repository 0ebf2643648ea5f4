/**
 * Prometheus metrics for the fault proxy, in a registry of its own so a lab process that also
 * runs a server never mixes the two. The byte counters keep Toxiproxy's names and labels
 * (`toxiproxy_proxy_{received,sent}_bytes_total`) so existing dashboards read them; connection
 * and per-toxic counters are ours.
 */
import { Counter, Gauge, Registry } from 'prom-client';

export class FaultProxyMetrics {
  readonly registry = new Registry();
  readonly receivedBytes = new Counter({
    name: 'toxiproxy_proxy_received_bytes_total',
    help: 'Bytes read from the source of each link (client for upstream, server for downstream).',
    labelNames: ['direction', 'proxy', 'listener', 'upstream'] as const,
    registers: [this.registry],
  });
  readonly sentBytes = new Counter({
    name: 'toxiproxy_proxy_sent_bytes_total',
    help: 'Bytes written to the destination of each link, after the toxics.',
    labelNames: ['direction', 'proxy', 'listener', 'upstream'] as const,
    registers: [this.registry],
  });
  readonly connections = new Counter({
    name: 'faultproxy_connections_total',
    help: 'Client connections accepted per proxy.',
    labelNames: ['proxy'] as const,
    registers: [this.registry],
  });
  readonly connectionsActive = new Gauge({
    name: 'faultproxy_connections_active',
    help: 'Client connections open per proxy.',
    labelNames: ['proxy'] as const,
    registers: [this.registry],
  });
  readonly toxicConnections = new Counter({
    name: 'faultproxy_toxic_connections_total',
    help: 'Links on which a toxic won its toxicity draw and ran.',
    labelNames: ['proxy', 'toxic', 'type', 'direction'] as const,
    registers: [this.registry],
  });
  readonly toxicBytes = new Counter({
    name: 'faultproxy_toxic_bytes_total',
    help: 'Bytes that entered a running toxic.',
    labelNames: ['proxy', 'toxic', 'type', 'direction'] as const,
    registers: [this.registry],
  });
}
