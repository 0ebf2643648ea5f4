/**
 * Simulated links between a server and its peers (Redis, discovery, its clients): latency =
 * base + jitter (uniform or exponential) + any latency spike, loss by a `Ratio`, and partitions
 * that cut one direction or both. Redis and discovery are one hop away; a message is either
 * delivered after its latency or lost (the sender's own deadline then decides).
 *
 * Directions are from the server's side: `outbound` = server -> peer, `inbound` = peer -> server.
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
  /** Cut server <-> discovery-instance pairs (a zone partition), as `server:instance`. */
  #discoveryPairsCut = new Set<string>();

  constructor(config: NetworkConfig, random: SimRandom) {
    this.#config = config;
    this.#random = random;
    for (const peer of peers) {
      this.#outboundCut.set(peer, new Set());
      this.#inboundCut.set(peer, new Set());
      this.#extraMs.set(peer, 0);
    }
  }

  get redisOpMs(): number {
    return this.#config.redisOpMs;
  }

  /** The one-way delay of a message on `peer`'s link, or -1 when it is lost. */
  delayMs(serverIndex: number, peer: PartitionPeer, direction: 'outbound' | 'inbound'): number {
    const cut = direction === 'outbound' ? this.#outboundCut : this.#inboundCut;
    if (cut.get(peer)!.has(serverIndex)) return -1;
    const link: LinkConfig = this.#config[peer];
    if (link.lossProbability.numerator > 0 && this.#random.chance(link.lossProbability)) return -1;
    const { baseMs, jitterMs, jitter } = link.latency;
    let delayMs = baseMs + this.#extraMs.get(peer)!;
    if (jitterMs > 0) {
      delayMs +=
        jitter === 'uniform' ? this.#random.float01() * jitterMs : this.#random.exponential(jitterMs);
    }
    return delayMs;
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
