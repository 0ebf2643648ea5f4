/**
 * Simulated links between a server and its peers (Redis, discovery, its clients): latency =
 * base + jitter (uniform or exponential) + any latency spike, loss by a `Ratio`, and partitions
 * that cut one direction or both. Redis and discovery are one hop away; a message is either
 * delivered after its latency or lost (the sender's own deadline then decides).
 *
 * Directions are from the server's side: `outbound` = server -> peer, `inbound` = peer -> server.
 *
 * Loss follows the link's `lossModel` (experiment/config.ts defines it once): `message` loses each
 * message on its own; `connection` stalls a share of the link's CONNECTIONS from their opening,
 * as the lab's Toxiproxy `timeout` toxic with that toxicity does. A client connection's stall is
 * drawn by `connectionStalls` when it opens and carried by the client; a server's Redis and
 * discovery connections are held here, drawn at each boot (`serverConnectionsOpened`). A stalled
 * discovery connection loses one call and is then replaced (the caller's timeout destroys the
 * keep-alive socket), so the next call draws again; a stalled Redis connection stays stalled
 * until the server boots again.
 */
import type { LinkConfig, NetworkConfig, PartitionPeer } from '../experiment/config.ts';
import type { SimRandom } from '../experiment/rng.ts';

export const peers: readonly PartitionPeer[] = ['redis', 'discovery', 'clients'];

export class SimNetwork {
  #config: NetworkConfig;
  #random: SimRandom;
  /** cut[peer][direction] = set of server indexes. */
  #outboundCut = new Map<PartitionPeer, Set<number>>();
  #inboundCut = new Map<PartitionPeer, Set<number>>();
  #extraMs = new Map<PartitionPeer, number>();
  /** Servers whose Redis / discovery connection is stalled (the `connection` loss model). */
  #stalledServers = new Map<PartitionPeer, Set<number>>();
  /** Cut server <-> discovery-instance pairs (a zone partition), as `server:instance`. */
  #discoveryPairsCut = new Set<string>();

  constructor(config: NetworkConfig, random: SimRandom) {
    this.#config = config;
    this.#random = random;
    for (const peer of peers) {
      this.#outboundCut.set(peer, new Set());
      this.#inboundCut.set(peer, new Set());
      this.#extraMs.set(peer, 0);
      this.#stalledServers.set(peer, new Set());
    }
  }

  get redisOpMs(): number {
    return this.#config.redisOpMs;
  }

  /**
   * Whether a connection opening now on `peer`'s link is stalled for its whole life (the
   * `connection` loss model; always false under `message`, and then it draws nothing).
   */
  connectionStalls(peer: PartitionPeer): boolean {
    const link: LinkConfig = this.#config[peer];
    if (link.lossModel !== 'connection' || link.lossProbability.numerator === 0) return false;
    return this.#random.chance(link.lossProbability);
  }

  /** Server `serverIndex` booted: its Redis and discovery connections are new (stalls drawn again). */
  serverConnectionsOpened(serverIndex: number): void {
    for (const peer of ['redis', 'discovery'] as const) {
      const stalled = this.#stalledServers.get(peer)!;
      if (this.connectionStalls(peer)) stalled.add(serverIndex);
      else stalled.delete(serverIndex);
    }
  }

  /**
   * The one-way delay of a message on `peer`'s link, or -1 when it is lost. `stalled`: the
   * message travels on a stalled connection (a client's, or `serverCallStalled`).
   */
  delayMs(
    serverIndex: number,
    peer: PartitionPeer,
    direction: 'outbound' | 'inbound',
    stalled = false,
  ): number {
    const cut = direction === 'outbound' ? this.#outboundCut : this.#inboundCut;
    if (cut.get(peer)!.has(serverIndex) || stalled) return -1;
    const link: LinkConfig = this.#config[peer];
    if (
      link.lossProbability.numerator > 0 &&
      link.lossModel === 'message' &&
      this.#random.chance(link.lossProbability)
    )
      return -1;
    const { baseMs, jitterMs, jitter } = link.latency;
    let delayMs = baseMs + this.#extraMs.get(peer)!;
    if (jitterMs > 0) {
      delayMs +=
        jitter === 'uniform' ? this.#random.float01() * jitterMs : this.#random.exponential(jitterMs);
    }
    return delayMs;
  }

  /**
   * Whether a call server `serverIndex` makes to Redis or discovery now is lost on a stalled
   * connection (the `connection` model; the lab's toxic holds the server -> peer stream, so the
   * call never arrives). Pass the answer to `delayMs` as `stalled`.
   */
  serverCallStalled(serverIndex: number, peer: 'redis' | 'discovery'): boolean {
    const stalled = this.#stalledServers.get(peer)!;
    if (stalled.size === 0 || !stalled.has(serverIndex)) return false;
    // The call times out and its keep-alive socket is destroyed: the next call opens a new one.
    if (peer === 'discovery' && !this.connectionStalls(peer)) stalled.delete(serverIndex);
    return true;
  }

  partition(
    serverIndex: number,
    peer: PartitionPeer,
    direction: 'both' | 'outbound' | 'inbound',
    cut: boolean,
  ): void {
    const apply = (set: Set<number>) => (cut ? set.add(serverIndex) : set.delete(serverIndex));
    if (direction !== 'inbound') apply(this.#outboundCut.get(peer)!);
    if (direction !== 'outbound') apply(this.#inboundCut.get(peer)!);
  }

  /** Cuts (or heals) the link between one server and one discovery instance, both directions. */
  partitionDiscoveryPair(serverIndex: number, instanceIndex: number, cut: boolean): void {
    const key = `${serverIndex}:${instanceIndex}`;
    if (cut) this.#discoveryPairsCut.add(key);
    else this.#discoveryPairsCut.delete(key);
  }

  /** Whether the link between a server and a discovery instance is cut (messages are lost). */
  discoveryPairCut(serverIndex: number, instanceIndex: number): boolean {
    return this.#discoveryPairsCut.size > 0 && this.#discoveryPairsCut.has(`${serverIndex}:${instanceIndex}`);
  }

  /** Whether clients can reach the server at all (the load balancer's health check). */
  reachableByClients(serverIndex: number): boolean {
    return (
      !this.#outboundCut.get('clients')!.has(serverIndex) &&
      !this.#inboundCut.get('clients')!.has(serverIndex)
    );
  }

  addLatency(peer: PartitionPeer | undefined, extraMs: number): void {
    for (const each of peer === undefined ? peers : [peer])
      this.#extraMs.set(each, this.#extraMs.get(each)! + extraMs);
  }
}
