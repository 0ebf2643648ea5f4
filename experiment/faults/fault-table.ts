/**
 * The fault table: every kind of fault an experiment can inject, written once for both engines
 * and for every reader. A row says what the fault's `target` names, which parameters it takes
 * (with unit, default and meaning), when it heals, in which modes it has something to hit, how
 * the checker reads it, and how the nemesis draws a generated one from the seed.
 *
 * The engines carry faults out through `FaultTarget` (fault-target.ts): one method per kind, so
 * adding a row here without a method on both engines' targets is a type error.
 *
 * Times are milliseconds of the run (production ms on the real engine).
 */
import type { Ratio } from '../../impl/core/ratio.ts';

export const faultKinds = [
  'crash',
  'stop',
  'restart',
  'partition',
  'redis-outage',
  'redis-restart',
  'discovery-crash',
  'latency-spike',
  'clock-jump',
  'redis-failover',
  'zone-outage',
] as const;

export type FaultKind = (typeof faultKinds)[number];

/** A link class a server has: to Redis, to discovery, to its clients. */
export type PartitionPeer = 'redis' | 'discovery' | 'clients';
export const partitionPeers: readonly PartitionPeer[] = ['redis', 'discovery', 'clients'];
/** From the server's side: `outbound` = server -> peer, `inbound` = peer -> server. */
export type FaultDirection = 'both' | 'outbound' | 'inbound';
export const faultDirections: readonly FaultDirection[] = ['both', 'outbound', 'inbound'];
/** How a zone goes out: every node in it dies, or the zone is cut off from everything outside it. */
export type ZoneOutage = 'crash' | 'partition';
export const zoneOutages: readonly ZoneOutage[] = ['crash', 'partition'];

/**
 * One fault on the timeline, as scenario files and the nemesis write it (parameters the row does
 * not use are ignored). `target` names a node: `server-<i>`, `redis`, `discovery-<j>`, `all`, or a
 * whole zone, `zone-<k>` (experiment/faults/zones.ts says which nodes it holds).
 */
export interface FaultEvent {
  atMs: number;
  kind: FaultKind;
  target: string;
  durationMs?: number;
  peer?: PartitionPeer;
  direction?: FaultDirection;
  extraMs?: number;
  deltaMs?: number;
  outage?: ZoneOutage;
}

/** What a fault's `target` names. */
export type FaultTargetKind = 'server' | 'redis' | 'discovery' | 'links' | 'zone';

export type FaultParam = 'durationMs' | 'peer' | 'direction' | 'extraMs' | 'deltaMs' | 'outage';

export interface FaultParamRow {
  /** `ms`, or the set of values the parameter takes. */
  unit: string;
  /** The value an omitted parameter takes; absent = it stays unset (e.g. a crash that never heals). */
  default?: number | string;
  meaning: string;
}

/** The seeded draws a generated fault may use (the nemesis's stream). */
export interface FaultRandom {
  intInclusive(max: number): number;
  exponential(mean: number): number;
  float01(): number;
  chance?(probability: Ratio): boolean;
}

/** What the nemesis knows when it draws a generated fault. */
export interface FaultDrawContext {
  mode: 'local' | 'a' | 'c';
  servers: number;
  discoveryInstances: number;
  /** Zones the nodes are spread over (1 = no zones). */
  zones: number;
}

export interface FaultRow {
  kind: FaultKind;
  summary: string;
  target: FaultTargetKind;
  /** The target a scenario file may omit: redis faults hit `redis`, a latency spike `all`. */
  defaultTarget?: string;
  params: Partial<Record<FaultParam, FaultParamRow>>;
  /** Modes that have something for this fault to hit. */
  modes: readonly ('local' | 'a' | 'c')[];
  /** When the heal comes, after the fault's instant; undefined = never (permanent). */
  healAfterMs(fault: FaultEvent): number | undefined;
  /** The checker's view of the fault. */
  checker: {
    /**
     * Its heal boots a server again (a join): the checker measures rebalancing and double
     * counting from it.
     */
    healBootsServer: boolean;
  };
  /**
   * The nemesis: fills a generated fault's kind-specific fields (target, peer, ...) from the
   * seed. Called after the generic draw of `durationMs`; the order of draws is part of the
   * seed's meaning, so never reorder them.
   */
  draw(fault: FaultEvent, context: FaultDrawContext, random: FaultRandom): void;
}

const durationParam = (meaning: string, defaultMs?: number): FaultParamRow =>
  defaultMs === undefined ? { unit: 'ms', meaning } : { unit: 'ms', default: defaultMs, meaning };

const drawServer = (fault: FaultEvent, context: FaultDrawContext, random: FaultRandom): void => {
  fault.target = `server-${random.intInclusive(context.servers - 1)}`;
};

/** The link classes a partition may cut in a mode (the mode's control plane, and the clients). */
export function partitionPeersOf(mode: 'local' | 'a' | 'c'): PartitionPeer[] {
  if (mode === 'a') return ['redis', 'clients'];
  if (mode === 'c') return ['discovery', 'clients'];
  return ['clients'];
}

const rows: readonly FaultRow[] = [
  {
    kind: 'crash',
    summary:
      'The server dies without deregistering; its clients are reset and reconnect elsewhere. It boots again after durationMs (the id strategy decides its new id), or stays down.',
    target: 'server',
    params: { durationMs: durationParam('down time; omitted = stays down') },
    modes: ['local', 'a', 'c'],
    healAfterMs: (fault) => fault.durationMs,
    checker: { healBootsServer: true },
    draw: drawServer,
  },
  {
    kind: 'stop',
    summary:
      'Graceful stop: the server drains (every client gets BYE and reconnects elsewhere) and deregisters; it starts again after durationMs, or stays down.',
    target: 'server',
    params: { durationMs: durationParam('down time; omitted = stays down') },
    modes: ['local', 'a', 'c'],
    healAfterMs: (fault) => fault.durationMs,
    checker: { healBootsServer: true },
    draw: drawServer,
  },
  {
    kind: 'restart',
    summary: 'A graceful stop and a start after durationMs (a new id unless the strategy is stable).',
    target: 'server',
    params: { durationMs: durationParam('down time', 1_000) },
    modes: ['local', 'a', 'c'],
    healAfterMs: (fault) => fault.durationMs ?? 1_000,
    checker: { healBootsServer: true },
    draw: drawServer,
  },
  {
    kind: 'partition',
    summary: 'The server cannot reach `peer` in one direction or both; heals after durationMs.',
    target: 'server',
    params: {
      durationMs: durationParam('how long the cut lasts; omitted = never heals'),
      peer: { unit: partitionPeers.join(' | '), default: 'redis', meaning: 'the link class cut' },
      direction: {
        unit: faultDirections.join(' | '),
        default: 'both',
        meaning: "from the server's side: outbound loses its messages, inbound the replies to it",
      },
    },
    modes: ['local', 'a', 'c'],
    healAfterMs: (fault) => fault.durationMs,
    checker: { healBootsServer: false },
    draw: (fault, context, random) => {
      drawServer(fault, context, random);
      const peers = partitionPeersOf(context.mode);
      fault.peer = peers[random.intInclusive(peers.length - 1)]!;
      fault.direction = faultDirections[random.intInclusive(2)]!;
    },
  },
  {
    kind: 'redis-outage',
    summary: 'Redis does not answer for durationMs; it keeps its data.',
    target: 'redis',
    defaultTarget: 'redis',
    params: { durationMs: durationParam('how long Redis is silent', 0) },
    modes: ['a'],
    healAfterMs: (fault) => fault.durationMs ?? 0,
    checker: { healBootsServer: false },
    draw: () => {},
  },
  {
    kind: 'redis-restart',
    summary: 'Redis loses all its data and is down for durationMs.',
    target: 'redis',
    defaultTarget: 'redis',
    params: { durationMs: durationParam('down time', 0) },
    modes: ['a'],
    healAfterMs: (fault) => fault.durationMs ?? 0,
    checker: { healBootsServer: false },
    draw: () => {},
  },
  {
    kind: 'discovery-crash',
    summary:
      'The discovery instance `target` is down for durationMs and loses its state; it warms up for one lease after it starts again.',
    target: 'discovery',
    params: { durationMs: durationParam('down time', 0) },
    modes: ['c'],
    healAfterMs: (fault) => fault.durationMs ?? 0,
    checker: { healBootsServer: false },
    draw: (fault, context, random) => {
      fault.target = `discovery-${random.intInclusive(context.discoveryInstances - 1)}`;
    },
  },
  {
    kind: 'latency-spike',
    summary:
      'Every link of class `peer` (all classes when omitted) gets extraMs more latency for durationMs.',
    target: 'links',
    defaultTarget: 'all',
    params: {
      durationMs: durationParam('how long the spike lasts', 1_000),
      peer: { unit: partitionPeers.join(' | '), meaning: 'the link class; omitted = every class' },
      extraMs: { unit: 'ms', default: 100, meaning: 'latency added to each message, one way' },
    },
    modes: ['local', 'a', 'c'],
    healAfterMs: (fault) => fault.durationMs ?? 1_000,
    checker: { healBootsServer: false },
    draw: (fault, _context, random) => {
      fault.extraMs = Math.round(random.exponential(100));
    },
  },
  {
    kind: 'clock-jump',
    summary:
      "The server's clock jumps by deltaMs (may be negative), for good. The timeline marks a heal |deltaMs| later, so windows soon after are blamed on it.",
    target: 'server',
    params: { deltaMs: { unit: 'ms (signed)', default: 0, meaning: 'how far the clock jumps' } },
    modes: ['local', 'a', 'c'],
    healAfterMs: (fault) => Math.abs(fault.deltaMs ?? 0),
    checker: { healBootsServer: false },
    draw: (fault, context, random) => {
      drawServer(fault, context, random);
      fault.deltaMs = Math.round((random.float01() * 2 - 1) * 5_000);
      delete fault.durationMs;
    },
  },
  {
    kind: 'redis-failover',
    summary:
      "Mode A's Redis primary dies (kill -9) under Sentinel (cluster.redis.topology: sentinel): the writes of its last replication lag are lost, Sentinel promotes the replica after down-after plus the election, and each server finds the new primary at its next reconnect. After durationMs the old primary starts again, empty, and becomes the new primary's replica; omitted = it stays dead. No effect with a single Redis.",
    target: 'redis',
    defaultTarget: 'redis',
    params: { durationMs: durationParam('until the old primary returns as a replica; omitted = never') },
    modes: ['a'],
    healAfterMs: (fault) => fault.durationMs,
    checker: { healBootsServer: false },
    draw: () => {},
  },
  {
    kind: 'zone-outage',
    summary:
      'Every node of zone `target` (servers, discovery instances, Redis: experiment/faults/zones.ts) goes out at one instant: `crash` kills them all (Redis and discovery lose their state), `partition` cuts the zone off from clients and from every node outside it. Heals after durationMs (crashed nodes boot again), or never.',
    target: 'zone',
    params: {
      durationMs: durationParam('how long the zone is out; omitted = for good'),
      outage: { unit: zoneOutages.join(' | '), default: 'crash', meaning: 'how the zone goes out' },
    },
    modes: ['local', 'a', 'c'],
    healAfterMs: (fault) => fault.durationMs,
    checker: { healBootsServer: true },
    draw: (fault, context, random) => {
      fault.target = `zone-${random.intInclusive(context.zones - 1)}`;
      fault.outage = zoneOutages[random.intInclusive(1)]!;
    },
  },
];

/** The table, by kind. */
export const faultTable: Readonly<Record<FaultKind, FaultRow>> = Object.fromEntries(
  rows.map((row) => [row.kind, row]),
) as Record<FaultKind, FaultRow>;

/** A fault's parameters with the row's defaults filled in (what an engine carries out). */
export interface ResolvedFault extends FaultEvent {
  peer?: PartitionPeer;
  direction?: FaultDirection;
  outage?: ZoneOutage;
}

export function resolveFault(fault: FaultEvent): ResolvedFault {
  const row = faultTable[fault.kind];
  const out: ResolvedFault = { ...fault };
  for (const [name, param] of Object.entries(row.params) as [FaultParam, FaultParamRow][]) {
    if (out[name] === undefined && param.default !== undefined) {
      (out as unknown as Record<string, unknown>)[name] = param.default;
    }
  }
  return out;
}

/** When `fault` heals, as an instant of the run; undefined = never. */
export function healAtMsOfFault(fault: FaultEvent): number | undefined {
  const afterMs = faultTable[fault.kind].healAfterMs(fault);
  return afterMs === undefined ? undefined : fault.atMs + afterMs;
}

/** The fault's own parameters as the timeline shows them (`peer=redis durationMs=5000`). */
export function describeFault(fault: FaultEvent): string {
  const parts: string[] = [];
  if (fault.peer !== undefined) parts.push(`peer=${fault.peer}`);
  if (fault.direction !== undefined) parts.push(`direction=${fault.direction}`);
  if (fault.durationMs !== undefined) parts.push(`durationMs=${fault.durationMs}`);
  if (fault.extraMs !== undefined) parts.push(`extraMs=${fault.extraMs}`);
  if (fault.deltaMs !== undefined) parts.push(`deltaMs=${fault.deltaMs}`);
  if (fault.outage !== undefined) parts.push(`outage=${fault.outage}`);
  return parts.join(' ');
}

/** Kinds whose fault hits one named node, so a scenario file must name it. */
export const targetedFaultKinds: ReadonlySet<FaultKind> = new Set(
  rows.filter((row) => row.defaultTarget === undefined).map((row) => row.kind),
);
