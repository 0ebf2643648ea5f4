/**
 * A proxy: a listening socket in front of one upstream, its connections, and its toxics (two
 * chains, one per direction, like Toxiproxy's `ToxicCollection`). Changes to the toxics reach
 * every live connection. Disabling closes the listener and every connection; enabling listens
 * again on the same address (after a first start on port 0, the port it was given).
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { formatAddress, parseHostPort, listenErrorText } from './address.ts';
import { apiErrors, fail, type Result } from './api-error.ts';
import { Connection } from './connection.ts';
import type { FaultProxyMetrics } from './metrics.ts';
import type { ProxySpec } from './proxy-spec.ts';
import { toxicRandom } from './random-streams.ts';
import { type Direction, type ToxicEntry, toxicToJson } from './toxic-entry.ts';
import type { LinkHooks } from './toxic-link.ts';
import type { ToxicSpec, ToxicUpdate } from './toxic-spec.ts';

export interface ProxyContext {
  readonly rootSeed: number;
  readonly metrics: FaultProxyMetrics;
}

export class FaultyProxy {
  readonly name: string;
  listen: string;
  upstream: string;
  enabled = false;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly chains: Record<Direction, ToxicEntry[]> = { upstream: [], downstream: [] };

  constructor(
    spec: ProxySpec,
    private readonly context: ProxyContext,
  ) {
    this.name = spec.name;
    this.listen = spec.listen;
    this.upstream = spec.upstream;
  }

  /** What Toxiproxy prints, `Logger` artefact included. */
  toJson(): Record<string, unknown> {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      Logger: {},
      toxics: this.toxics().map(toxicToJson),
    };
  }

  /** Upstream toxics first, then downstream, each in the order added. */
  toxics(): ToxicEntry[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  findToxic(name: string): ToxicEntry | undefined {
    return this.toxics().find((entry) => entry.name === name);
  }

  async start(): Promise<Result<void>> {
    if (this.enabled) return { ok: true, value: undefined };
    const address = parseHostPort(this.listen);
    if (typeof address === 'string') return fail(apiErrors.listenFailed(`listen tcp: ${address}`));
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) =>
      this.accept(socket),
    );
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen({ host: address.host, port: address.port }, () => resolve(undefined));
    });
    if (error !== undefined) return fail(apiErrors.listenFailed(listenErrorText(this.listen, error)));
    this.server = server;
    this.listen = formatAddress(server.address() as AddressInfo);
    this.enabled = true;
    return { ok: true, value: undefined };
  }

  /** Stops listening and closes every connection at once. */
  stop(): void {
    this.server?.close();
    this.server = undefined;
    this.enabled = false;
    for (const connection of this.connections) connection.destroy();
  }

  addToxic(spec: ToxicSpec): ToxicEntry {
    const entry: ToxicEntry = { ...spec, random: toxicRandom(this.context.rootSeed, this.name, spec.name) };
    this.chains[entry.direction].push(entry);
    for (const connection of this.connections) connection.link(entry.direction)?.addToxic(entry);
    return entry;
  }

  async updateToxic(current: ToxicEntry, update: ToxicUpdate): Promise<ToxicEntry> {
    const chain = this.chains[current.direction];
    const index = chain.indexOf(current);
    const entry: ToxicEntry = { ...current, toxicity: update.toxicity, attrs: update.attrs };
    chain[index] = entry;
    const links = [...this.connections].map((c) => c.link(entry.direction));
    // Stub 0 of every link is the hidden noop, so chain index i is stub i + 1.
    await Promise.all(links.map((link) => link?.updateToxic(index + 1, entry)));
    return entry;
  }

  async removeToxic(entry: ToxicEntry): Promise<void> {
    const chain = this.chains[entry.direction];
    const index = chain.indexOf(entry);
    chain.splice(index, 1);
    const links = [...this.connections].map((c) => c.link(entry.direction));
    await Promise.all(links.map((link) => link?.removeToxic(index + 1)));
  }

  async removeAllToxics(): Promise<void> {
    for (const entry of this.toxics().reverse()) await this.removeToxic(entry);
  }

  private accept(socket: Socket): void {
    const upstream = parseHostPort(this.upstream);
    if (typeof upstream === 'string') {
      socket.destroy();
      return;
    }
    const metrics = this.context.metrics;
    metrics.connections.inc({ proxy: this.name });
    metrics.connectionsActive.inc({ proxy: this.name });
    const connection = new Connection(socket, {
      upstream,
      chain: (direction) => this.chains[direction],
      hooks: (direction) => this.hooks(direction),
      onClosed: (closed) => {
        this.connections.delete(closed);
        metrics.connectionsActive.dec({ proxy: this.name });
      },
    });
    this.connections.add(connection);
  }

  private hooks(direction: Direction): LinkHooks {
    const metrics = this.context.metrics;
    const labels = { direction, proxy: this.name, listener: this.listen, upstream: this.upstream };
    const toxicLabels = (entry: ToxicEntry) => ({
      proxy: this.name,
      toxic: entry.name,
      type: entry.type,
      direction,
    });
    return {
      onReceived: (bytes) => metrics.receivedBytes.inc(labels, bytes),
      onSent: (bytes) => metrics.sentBytes.inc(labels, bytes),
      onToxicBytes: (entry, bytes) => metrics.toxicBytes.inc(toxicLabels(entry), bytes),
      onToxicApplied: (entry) => metrics.toxicConnections.inc(toxicLabels(entry)),
      nowMs: () => performance.now(),
    };
  }
}
