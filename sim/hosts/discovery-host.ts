/**
 * The simulated discovery instances as a host (impl/adapters/discovery's counterpart): each runs
 * the real `DiscoveryCore`; a server's register, deregister and count calls cross the server's
 * discovery link, and an instance asks members for their counts over the same links. A down
 * instance answers `HC_DISCOVERY_UNREACHABLE` (refused, as a dead process does).
 */

import type { ClusterConfig } from '../../experiment/config.ts';
import { DiscoveryCore } from '../../impl/core/mode-c/discovery-core.ts';
import type {
  CountResult,
  MemberCountEffect,
  MemberCountResult,
  ServerEffect,
  ServerEffectResult,
} from '../../impl/core/mode-c/effects.ts';
import { serverIndexOfCountUrl } from '../backends.ts';
import type { SimNetwork } from '../network.ts';
import type { Scheduler } from '../scheduler.ts';
import type { SimServer } from '../server-node.ts';
import type { Deliver } from './deliver.ts';

export interface DiscoveryNode {
  index: number;
  core: DiscoveryCore | undefined;
  epoch: number;
  armedAtMs: number | undefined;
  deadlineToken: number;
  broadcastsBefore: number;
}

export class DiscoveryHost {
  readonly nodes: DiscoveryNode[] = [];
  #cluster: ClusterConfig;
  #scheduler: Scheduler;
  #network: SimNetwork;
  #servers: readonly SimServer[];
  #deliver: Deliver;

  constructor(
    cluster: ClusterConfig,
    scheduler: Scheduler,
    network: SimNetwork,
    servers: readonly SimServer[],
    deliver: Deliver,
  ) {
    this.#cluster = cluster;
    this.#scheduler = scheduler;
    this.#network = network;
    this.#servers = servers;
    this.#deliver = deliver;
    if (cluster.mode !== 'c') return;
    for (let index = 0; index < cluster.discoveryInstances; index += 1) {
      const node: DiscoveryNode = {
        index,
        core: undefined,
        epoch: 0,
        armedAtMs: undefined,
        deadlineToken: 0,
        broadcastsBefore: 0,
      };
      this.#boot(node, 0);
      this.nodes.push(node);
    }
  }

  /** Broadcasts over the run, every instance and every boot of it. */
  get broadcasts(): number {
    return this.nodes.reduce(
      (sum, node) => sum + node.broadcastsBefore + (node.core?.broadcastCount ?? 0),
      0,
    );
  }

  /** The instance dies and loses its state; false when it was already down (or does not exist). */
  crash(index: number): boolean {
    const node = this.nodes[index];
    if (node?.core === undefined) return false;
    node.broadcastsBefore += node.core.broadcastCount;
    node.core = undefined;
    node.epoch += 1;
    return true;
  }

  /** The instance starts again, empty, and warms up for one lease. */
  start(index: number, nowMs: number): void {
    const node = this.nodes[index]!;
    this.#boot(node, nowMs);
    this.#pump(node);
  }

  /**
   * A discovery instance starts empty and refuses counts for one lease (warm-up). The instances
   * of t = 0 count as started one lease earlier: a run begins with the fleet in steady state
   * (as its initial clients are), not with a cold start of the control plane; a restart during
   * the run (`discovery-crash`) warms up for real.
   */
  #boot(node: DiscoveryNode, nowMs: number): void {
    node.epoch += 1;
    const { leaseMs, fanoutTimeoutMs } = this.#cluster;
    node.core = new DiscoveryCore({
      leaseMs,
      fanoutTimeoutMs,
      startedAtMs: node.epoch === 1 ? nowMs - leaseMs : nowMs,
    });
    node.armedAtMs = undefined;
  }

  #pump(node: DiscoveryNode): void {
    const core = node.core;
    if (core === undefined) return;
    for (const effect of core.takeEffects()) this.#askMember(node, effect);
    const deadlineMs = core.nextDeadlineMs();
    if (deadlineMs === undefined || deadlineMs === node.armedAtMs) return;
    node.armedAtMs = deadlineMs;
    const token = ++node.deadlineToken;
    const epoch = node.epoch;
    this.#scheduler.at(deadlineMs, (nowMs) => {
      if (token !== node.deadlineToken || epoch !== node.epoch || node.core === undefined) return;
      node.armedAtMs = undefined;
      node.core.onDeadline(nowMs);
      this.#pump(node);
    });
  }

  /** A server's call to a discovery instance; a lost message gets no reply (the core's deadline decides). */
  execute(server: SimServer, effect: ServerEffect): void {
    const scheduler = this.#scheduler;
    const epoch = server.epoch;
    const node = this.#instanceFor(server, effect.instanceIndex);
    if (this.#network.discoveryPairCut(server.index, node.index)) return;
    const stalled = this.#network.serverCallStalled(server.index, 'discovery');
    const outMs = this.#network.delayMs(server.index, 'discovery', 'outbound', stalled);
    if (outMs < 0) return;
    // Not a named closure: tsx's keepNames would wrap each one in a costly `__name`.
    const reply = this.#reply.bind(this, server, node.index, epoch, effect.opId);
    scheduler.after(outMs, (nowMs) => {
      const core = node.core;
      if (core === undefined) {
        reply({
          ok: false,
          error: {
            code: 'HC_DISCOVERY_UNREACHABLE',
            definite: true,
            instanceIndex: effect.instanceIndex,
            message: 'down',
          },
        });
        return;
      }
      if (effect.kind === 'discovery.register') {
        const outcome = core.register(effect.serverId, effect.countUrl, nowMs);
        reply(
          outcome.ok
            ? { ok: true, value: { leaseMs: outcome.leaseMs } }
            : {
                ok: false,
                error: {
                  code: 'HC_DISCOVERY_BAD_RESPONSE',
                  definite: false,
                  instanceIndex: effect.instanceIndex,
                  message: outcome.error.code,
                },
              },
        );
      } else if (effect.kind === 'discovery.deregister') {
        core.deregister(effect.serverId, nowMs);
        reply({ ok: true, value: null });
      } else {
        const nodeEpoch = node.epoch;
        core.requestCount(nowMs, (outcome) => {
          if (node.epoch !== nodeEpoch) return;
          reply(toCountResult(outcome, effect.instanceIndex));
        });
      }
      this.#pump(node);
    });
  }

  /**
   * Which instance a call reaches. `per-instance`: the one the server addressed. `behind-lb`: the
   * server knows one address (the balancer); like HAProxy in TCP mode under a keep-alive client,
   * the balancer pins each server's connection to one instance (round robin over servers:
   * `server.index mod instances`) and moves it to the next live one only while that is down.
   */
  #instanceFor(server: SimServer, instanceIndex: number): DiscoveryNode {
    if (this.#cluster.discoveryTopology !== 'behind-lb') return this.nodes[instanceIndex]!;
    const count = this.nodes.length;
    for (let step = 0; step < count; step += 1) {
      const node = this.nodes[(server.index + step) % count]!;
      if (node.core !== undefined) return node;
    }
    return this.nodes[server.index % count]!;
  }

  #reply(
    server: SimServer,
    instanceIndex: number,
    epoch: number,
    opId: number,
    result: ServerEffectResult,
  ): void {
    // A reply sent before a zone partition began is lost if the pair is cut when it leaves.
    if (this.#network.discoveryPairCut(server.index, instanceIndex)) return;
    const backMs = this.#network.delayMs(server.index, 'discovery', 'inbound');
    if (backMs >= 0) this.#scheduler.after(backMs, () => this.#deliver(server, epoch, opId, result));
  }

  /** A discovery instance asks a member for its count over the member's admin endpoint. */
  #askMember(node: DiscoveryNode, effect: MemberCountEffect): void {
    const server = this.#servers[serverIndexOfCountUrl(effect.countUrl)]!;
    const epoch = node.epoch;
    if (this.#network.discoveryPairCut(server.index, node.index)) return;
    const inMs = this.#network.delayMs(server.index, 'discovery', 'inbound');
    if (inMs < 0) return;
    this.#scheduler.after(inMs, () => {
      let result: MemberCountResult;
      const core = server.core;
      if (core === undefined) {
        result = {
          ok: false,
          error: {
            code: 'HC_MEMBER_UNREACHABLE',
            definite: true,
            serverId: effect.serverId,
            message: 'refused',
          },
        };
      } else if (core.serverId !== effect.serverId) {
        result = {
          ok: false,
          error: {
            code: 'HC_MEMBER_WRONG_ID',
            definite: true,
            serverId: effect.serverId,
            answeredId: core.serverId,
          },
        };
      } else result = { ok: true, value: { serverId: core.serverId, count: core.tracker.count } };
      if (this.#network.discoveryPairCut(server.index, node.index)) return;
      const backMs = this.#network.delayMs(server.index, 'discovery', 'outbound');
      if (backMs < 0) return;
      this.#scheduler.after(backMs, (nowMs) => {
        if (node.epoch !== epoch || node.core === undefined) return;
        node.core.onResult(effect.opId, result, nowMs);
        this.#pump(node);
      });
    });
  }
}

function toCountResult(
  outcome: Parameters<Parameters<DiscoveryCore['requestCount']>[1]>[0],
  instanceIndex: number,
): CountResult {
  if (outcome.ok) return { ok: true, value: outcome.value };
  if (outcome.error.code === 'HC_FANOUT_WARMING_UP') {
    return {
      ok: false,
      error: {
        code: 'HC_DISCOVERY_WARMING_UP',
        definite: true,
        instanceIndex,
        warmInMs: outcome.error.warmInMs,
      },
    };
  }
  if (outcome.error.code === 'HC_FANOUT_INCOMPLETE') {
    return {
      ok: false,
      error: {
        code: 'HC_DISCOVERY_INCOMPLETE',
        definite: true,
        instanceIndex,
        missing: outcome.error.missing,
      },
    };
  }
  return {
    ok: false,
    error: { code: 'HC_DISCOVERY_BAD_RESPONSE', definite: false, instanceIndex, message: outcome.error.code },
  };
}
