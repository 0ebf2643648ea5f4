/**
 * Maps a validated scenario (one mode, one sweep point) onto the engine's run configuration.
 * Both engines take the same plain-data shape, `SimConfigInput` (experiment/config.ts): the simulator
 * fills the defaults and runs it; the lab maps it onto real processes and toxics. Omitted fields
 * stay undefined here, so the engine's documented defaults apply.
 */

import {
  type DeepPartial,
  defaultSimConfig,
  type FaultEvent,
  type LinkConfig,
  type SimConfigInput,
} from '../../experiment/config.ts';
import { faultTable } from '../../experiment/faults/fault-table.ts';
import type { FaultEventSpec, ModeName, Network, ScenarioFile, Workload } from './schema.ts';
import { toRatio } from './units.ts';

export function toEngineConfig(scenario: ScenarioFile, mode: ModeName): SimConfigInput {
  const cluster = scenario.cluster;
  const ttlMs = cluster.ttlMs ?? defaultSimConfig().cluster.ttlMs;
  const heartbeatMs =
    cluster.heartbeatPerTtl !== undefined
      ? Math.max(1, Math.round(ttlMs * cluster.heartbeatPerTtl))
      : cluster.heartbeatMs;
  const balancer = scenario.workload?.loadBalancer;
  return {
    durationMs: scenario.durationMs,
    cluster: {
      mode,
      servers: cluster.servers,
      idStrategy: cluster.idStrategy,
      ttlMs: cluster.ttlMs,
      heartbeatMs,
      publishDelayMs: cluster.publishDelayMs,
      whoCacheMs: cluster.whoCacheMs,
      leaseMs: cluster.discovery?.leaseMs,
      fanoutTimeoutMs: cluster.discovery?.fanoutTimeoutMs,
      discoveryInstances: cluster.discovery?.instances,
      zones: cluster.zones,
      discoveryTopology: cluster.discovery?.topology,
      effectTimeoutMs: cluster.effectTimeoutMs,
      connectionsMax: cluster.connectionsMax,
      idleTimeoutMs: balancer?.idleTimeoutMs,
      connectionAgeMsMax: balancer?.connectionAgeMsMax,
      clockOffsetMsMax: cluster.clockOffsetMsMax,
      redis: cluster.redis,
    },
    workload: toWorkload(scenario.workload),
    network: toNetwork(scenario.network),
    faults: {
      schedule: (scenario.faults?.timeline ?? []).map(toFaultEvent),
      generated: {
        ratesPerHour: scenario.faults?.rates?.perHour ?? {},
        durationMsMean: scenario.faults?.rates?.durationMsMean,
      },
      healAtMs: scenario.faults?.healAtMs,
    },
  };
}

function toWorkload(workload: Workload | undefined): DeepPartial<SimConfigInput['workload']> {
  return {
    arrivalRatePerSec: workload?.arrivals?.ratePerSec,
    arrivalSchedule: workload?.arrivals?.schedule,
    arrivalsStopAtMs: workload?.arrivals?.stopAtMs,
    sessionLength: workload?.sessions,
    initialClients: workload?.initialClients,
    loadBalancer: workload?.loadBalancer?.policy,
    reconnect: workload?.reconnect,
    reconnectPolicy: workload?.reconnectPolicy,
    whoRatePerSec: workload?.who?.ratePerSec,
    whoTimeoutMs: workload?.who?.timeoutMs,
    clientsMax: workload?.clientsMax,
  };
}

function toNetwork(network: Network | undefined): DeepPartial<SimConfigInput['network']> {
  const defaults = defaultSimConfig().network;
  const link = (name: 'redis' | 'discovery' | 'clients'): LinkConfig => {
    const own = network?.[name];
    const base = defaults[name];
    const loss = own?.lossProbability ?? network?.lossProbability;
    return {
      latency: {
        baseMs: own?.baseMs ?? network?.baseMs ?? base.latency.baseMs,
        jitterMs: own?.jitterMs ?? network?.jitterMs ?? base.latency.jitterMs,
        jitter: own?.jitter ?? network?.jitter ?? base.latency.jitter,
      },
      lossProbability: loss === undefined ? base.lossProbability : toRatio(loss),
      lossModel: own?.lossModel ?? network?.lossModel ?? base.lossModel,
    };
  };
  return {
    redis: link('redis'),
    discovery: link('discovery'),
    clients: link('clients'),
    redisOpMs: network?.redisOpMs,
  };
}

function toFaultEvent(event: FaultEventSpec): FaultEvent {
  const target = event.target ?? faultTable[event.kind].defaultTarget ?? '';
  const out: FaultEvent = { atMs: event.atMs, kind: event.kind, target };
  if (event.durationMs !== undefined) out.durationMs = event.durationMs;
  if (event.peer !== undefined) out.peer = event.peer;
  if (event.direction !== undefined) out.direction = event.direction;
  if (event.extraMs !== undefined) out.extraMs = event.extraMs;
  if (event.deltaMs !== undefined) out.deltaMs = event.deltaMs;
  if (event.outage !== undefined) out.outage = event.outage;
  return out;
}
