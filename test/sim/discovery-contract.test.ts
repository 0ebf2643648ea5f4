/**
 * The contract between the simulated discovery (sim/hosts/discovery-host.ts) and the real
 * discovery service (impl/adapters/discovery): the SAME table of cases runs against the
 * simulator's `DiscoveryHost` on a virtual clock and against a real `startDiscovery` instance on a
 * free loopback port (called through the shipped `DiscoveryClient`, its members real HTTP `/count`
 * endpoints), and every count must observe the same thing on both: membership (register, renew,
 * deregister), leases (a member that stops renewing drops out after one lease), warm-up (a fresh
 * or restarted instance refuses counts for one lease), refusals when a member is missing (a member
 * whose endpoint refuses makes the count refuse, naming it; one cut off by a partition, its endpoint
 * silent, does so until its lease lapses, then drops out) and fresh counts (no answer is reused
 * across broadcasts).
 *
 * Timing on the real side: the lease is 1 s and every check sits at least 300 ms inside or past a
 * lease boundary, so a loaded machine's timers cannot flip a verdict.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { DiscoveryClient } from '../../impl/adapters/discovery/discovery-client.ts';
import { parseDiscoveryOptions } from '../../impl/adapters/discovery/discovery-options.ts';
import { type RunningDiscovery, startDiscovery } from '../../impl/adapters/discovery/discovery-server.ts';
import { createLogger } from '../../impl/adapters/logger.ts';
import type { ServerCore } from '../../impl/core/server-core.ts';
import type { CountResult, ServerEffect } from '../../impl/core/mode-c/effects.ts';
import { defaultSimConfig, resolveSimConfig } from '../../experiment/config.ts';
import { RandomStreams } from '../../experiment/rng.ts';
import { freePort } from '../../lab/redis/index.ts';
import { countUrl } from '../../sim/backends.ts';
import { DiscoveryHost } from '../../sim/hosts/discovery-host.ts';
import { SimNetwork } from '../../sim/network.ts';
import { Scheduler } from '../../sim/scheduler.ts';
import { SimServer } from '../../sim/server-node.ts';

const leaseMs = 1_000;
const fanoutTimeoutMs = 300;
/** Past the lease (warm-up over, an unrenewed member gone), with room for a loaded machine. */
const pastLeaseMs = 1_300;
/** Well inside a lease. */
const insideLeaseMs = 650;
const token = 'contract-token';

type Member = 'a' | 'b';
const members: readonly Member[] = ['a', 'b'];

type Step =
  | { afterMs?: number; op: 'register'; member: Member; count?: number }
  | { afterMs?: number; op: 'deregister'; member: Member }
  | { afterMs?: number; op: 'set-count'; member: Member; count: number }
  | { afterMs?: number; op: 'member-down' | 'member-up'; member: Member }
  /** A partition between the instance and the member: its calls and renewals are lost. */
  | { afterMs?: number; op: 'member-cut' | 'member-heal'; member: Member }
  | { afterMs?: number; op: 'restart' }
  | { afterMs?: number; op: 'count'; expect: Observed };

/** What a count observes: a total over named members, or a refusal (with the missing members). */
type Observed =
  | { total: number; members: string[] }
  | { refused: 'HC_DISCOVERY_WARMING_UP' }
  | { refused: 'HC_DISCOVERY_INCOMPLETE'; missing: string[] };

interface ContractCase {
  name: string;
  /** Start with an instance past its warm-up (one lease of an empty table first). */
  warm: boolean;
  steps: Step[];
}

const both = (op: 'register', afterMs?: number): Step[] =>
  members.map((member, index) => ({
    op,
    member,
    ...(index === 0 && afterMs !== undefined ? { afterMs } : {}),
  }));

const cases: ContractCase[] = [
  {
    name: 'a fresh instance refuses counts for one lease (warm-up), then answers the sum of its members',
    warm: false,
    steps: [
      { op: 'register', member: 'a', count: 3 },
      { op: 'register', member: 'b', count: 4 },
      { op: 'count', expect: { refused: 'HC_DISCOVERY_WARMING_UP' } },
      ...both('register', insideLeaseMs),
      { afterMs: insideLeaseMs, op: 'count', expect: { total: 7, members: ['a', 'b'] } },
    ],
  },
  {
    name: 'a member that stops renewing drops out after one lease; one that renews stays',
    warm: true,
    steps: [
      { op: 'register', member: 'a', count: 3 },
      { op: 'register', member: 'b', count: 4 },
      { op: 'count', expect: { total: 7, members: ['a', 'b'] } },
      { afterMs: insideLeaseMs, op: 'register', member: 'a' },
      { afterMs: insideLeaseMs, op: 'count', expect: { total: 3, members: ['a'] } },
    ],
  },
  {
    name: 'a deregistered member leaves at once, and a re-registration brings it back',
    warm: true,
    steps: [
      { op: 'register', member: 'a', count: 3 },
      { op: 'register', member: 'b', count: 4 },
      { op: 'deregister', member: 'b' },
      { op: 'count', expect: { total: 3, members: ['a'] } },
      { op: 'register', member: 'b' },
      { op: 'count', expect: { total: 7, members: ['a', 'b'] } },
    ],
  },
  {
    name: 'a member whose endpoint refuses makes the count refuse, naming it; once it answers again so does the count',
    warm: true,
    steps: [
      { op: 'register', member: 'a', count: 3 },
      { op: 'register', member: 'b', count: 4 },
      { op: 'member-down', member: 'b' },
      { op: 'count', expect: { refused: 'HC_DISCOVERY_INCOMPLETE', missing: ['b'] } },
      { op: 'member-up', member: 'b' },
      { op: 'count', expect: { total: 7, members: ['a', 'b'] } },
    ],
  },
  {
    // A zone partition: the instance in zone 0 loses the member in zone 1 both ways (its /count
    // times out, its renewals are lost). The count refuses while the lease runs, then drops it.
    name: 'a member cut off by a partition makes the count refuse, naming it, until its lease lapses; then the count answers without it',
    warm: true,
    steps: [
      { op: 'register', member: 'a', count: 3 },
      { op: 'register', member: 'b', count: 4 },
      { op: 'count', expect: { total: 7, members: ['a', 'b'] } },
      { op: 'member-cut', member: 'b' },
      { op: 'count', expect: { refused: 'HC_DISCOVERY_INCOMPLETE', missing: ['b'] } },
      { afterMs: insideLeaseMs, op: 'register', member: 'a' },
      { afterMs: insideLeaseMs, op: 'count', expect: { total: 3, members: ['a'] } },
      { op: 'member-heal', member: 'b' },
      { op: 'register', member: 'b' },
      { op: 'count', expect: { total: 7, members: ['a', 'b'] } },
    ],
  },
  {
    name: "every count asks the members again: a member's new count shows in the next answer",
    warm: true,
    steps: [
      { op: 'register', member: 'a', count: 3 },
      { op: 'count', expect: { total: 3, members: ['a'] } },
      { op: 'set-count', member: 'a', count: 9 },
      { op: 'count', expect: { total: 9, members: ['a'] } },
    ],
  },
  {
    name: 'a restarted instance comes back empty and warms up again until its members have renewed',
    warm: true,
    steps: [
      { op: 'register', member: 'a', count: 3 },
      { op: 'register', member: 'b', count: 4 },
      { op: 'count', expect: { total: 7, members: ['a', 'b'] } },
      { op: 'restart' },
      { op: 'count', expect: { refused: 'HC_DISCOVERY_WARMING_UP' } },
      ...both('register'),
      ...both('register', insideLeaseMs),
      { afterMs: insideLeaseMs, op: 'count', expect: { total: 7, members: ['a', 'b'] } },
    ],
  },
];

/** One discovery under test: runs a step, returns what a count observed. */
interface Discovery {
  run(step: Step): Promise<Observed | undefined>;
  close(): Promise<void>;
}

/** A server's discovery call without its op id and instance (the harness fills them in). */
type EffectBody = ServerEffect extends infer E
  ? E extends ServerEffect
    ? Omit<E, 'opId' | 'instanceIndex'>
    : never
  : never;

let opId = 0;
const serverIdOf = (member: Member) => `member-${member}`;
const memberOfId = (serverId: string) => serverId.slice('member-'.length);

function observedOf(result: CountResult): Observed {
  if (result.ok)
    return { total: result.value.total, members: Object.keys(result.value.counts).map(memberOfId).sort() };
  const { error } = result;
  if (error.code === 'HC_DISCOVERY_WARMING_UP') return { refused: error.code };
  if (error.code === 'HC_DISCOVERY_INCOMPLETE')
    return { refused: error.code, missing: error.missing.map((m) => memberOfId(m.serverId)).sort() };
  throw new Error(`count failed: ${JSON.stringify(error)}`);
}

/** The simulator's discovery: one `DiscoveryHost` instance, members as servers with a count. */
function simDiscovery(warm: boolean): Discovery {
  const config = resolveSimConfig({
    cluster: { mode: 'c', servers: 3, discoveryInstances: 1, leaseMs, fanoutTimeoutMs },
  });
  const scheduler = new Scheduler(defaultSimConfig().stepsMax);
  const network = new SimNetwork(config.network, new RandomStreams(1).stream('network'));
  // Server 0 asks for counts; servers 1 and 2 are members a and b.
  const servers = [0, 1, 2].map((index) => new SimServer(index, 0));
  const counts = new Map<Member, number>();
  const setCore = (member: Member, up: boolean) => {
    const server = servers[members.indexOf(member) + 1]!;
    const tracker = {
      get count() {
        return counts.get(member) ?? 0;
      },
    };
    server.core = up ? ({ serverId: serverIdOf(member), tracker } as unknown as ServerCore) : undefined;
  };
  const results = new Map<number, unknown>();
  const host = new DiscoveryHost(config.cluster, scheduler, network, servers, (_s, _e, id, result) =>
    results.set(id, result),
  );
  // The simulator's t = 0 instance starts warm (a run begins in steady state); a fresh one is a
  // restart, as the real one is.
  let nowMs = 0;
  if (!warm) {
    host.crash(0);
    host.start(0, 0);
  } else nowMs = pastLeaseMs;
  scheduler.run(nowMs);
  const call = (server: SimServer, effect: EffectBody) => {
    const id = ++opId;
    host.execute(server, { ...effect, opId: id, instanceIndex: 0 } as ServerEffect);
    // Virtual time moves on only until the answer arrives, as a real call returns.
    for (let waitedMs = 0; !results.has(id) && waitedMs <= fanoutTimeoutMs + 100; waitedMs += 1) {
      nowMs += 1;
      scheduler.run(nowMs);
    }
    return results.get(id);
  };
  return {
    run: async (step) => {
      nowMs += step.afterMs ?? 0;
      scheduler.run(nowMs);
      switch (step.op) {
        case 'register': {
          if (step.count !== undefined) counts.set(step.member, step.count);
          setCore(step.member, true);
          const index = members.indexOf(step.member) + 1;
          const serverId = serverIdOf(step.member);
          call(servers[index]!, { kind: 'discovery.register', serverId, countUrl: countUrl(index) });
          return undefined;
        }
        case 'deregister':
          call(servers[members.indexOf(step.member) + 1]!, {
            kind: 'discovery.deregister',
            serverId: serverIdOf(step.member),
          });
          return undefined;
        case 'set-count':
          counts.set(step.member, step.count);
          return undefined;
        case 'member-down':
        case 'member-up':
          setCore(step.member, step.op === 'member-up');
          return undefined;
        case 'member-cut':
        case 'member-heal':
          network.partitionDiscoveryPair(members.indexOf(step.member) + 1, 0, step.op === 'member-cut');
          return undefined;
        case 'restart':
          host.crash(0);
          host.start(0, nowMs);
          return undefined;
        case 'count':
          return observedOf(call(servers[0]!, { kind: 'discovery.count' }) as CountResult);
      }
    },
    close: async () => {},
  };
}

/**
 * A member's admin `/count` on a real HTTP server that can stop listening (a refused port) or
 * fall silent (cut off: connections are taken, nothing is answered).
 */
interface RealMember {
  count: number;
  url: string;
  silent: boolean;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function realMember(member: Member): Promise<RealMember> {
  let server: http.Server | undefined;
  let port = 0;
  const state = { count: 0, silent: false };
  const listen = async () => {
    const created = http.createServer((_request, response) => {
      if (state.silent) return;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ serverId: serverIdOf(member), count: state.count }));
    });
    await new Promise<void>((resolve) => created.listen(port, '127.0.0.1', resolve));
    port = (created.address() as AddressInfo).port;
    server = created;
  };
  const down = async () => {
    const closing = server;
    server = undefined;
    if (closing === undefined) return;
    closing.closeAllConnections();
    await new Promise((resolve) => closing.close(resolve));
  };
  await listen();
  return {
    get count() {
      return state.count;
    },
    set count(value: number) {
      state.count = value;
    },
    get silent() {
      return state.silent;
    },
    set silent(value: boolean) {
      state.silent = value;
    },
    url: `http://127.0.0.1:${port}/count`,
    down,
    up: listen,
    close: down,
  };
}

/** The real discovery service on a free loopback port, its members real HTTP endpoints. */
async function realDiscovery(warm: boolean): Promise<Discovery> {
  const port = await freePort();
  const options = parseDiscoveryOptions({ port, adminPort: 0, leaseMs, fanoutTimeoutMs, token });
  if (!options.ok) throw new Error(JSON.stringify(options.error));
  const start = () => startDiscovery(options.value, { logger: createLogger('silent') });
  let instance: RunningDiscovery = await start();
  const client = new DiscoveryClient({
    instanceUrls: [`http://127.0.0.1:${port}`],
    token,
    timeoutMs: 2_000,
  });
  const memberOf = new Map<Member, RealMember>();
  for (const member of members) memberOf.set(member, await realMember(member));
  if (warm) await sleep(pastLeaseMs);
  const call = (effect: EffectBody) =>
    client.execute({ ...effect, opId: ++opId, instanceIndex: 0 } as ServerEffect);
  return {
    run: async (step) => {
      if ((step.afterMs ?? 0) > 0) await sleep(step.afterMs!);
      switch (step.op) {
        case 'register': {
          const member = memberOf.get(step.member)!;
          if (step.count !== undefined) member.count = step.count;
          const result = await call({
            kind: 'discovery.register',
            serverId: serverIdOf(step.member),
            countUrl: member.url,
          });
          if (!result.ok) throw new Error(`register: ${JSON.stringify(result.error)}`);
          return undefined;
        }
        case 'deregister':
          await call({ kind: 'discovery.deregister', serverId: serverIdOf(step.member) });
          return undefined;
        case 'set-count':
          memberOf.get(step.member)!.count = step.count;
          return undefined;
        case 'member-down':
          await memberOf.get(step.member)!.down();
          return undefined;
        case 'member-up':
          await memberOf.get(step.member)!.up();
          return undefined;
        // Its renewals are lost too: the case does not send any while it is cut.
        case 'member-cut':
        case 'member-heal':
          memberOf.get(step.member)!.silent = step.op === 'member-cut';
          return undefined;
        case 'restart':
          await instance.stop();
          instance = await start();
          return undefined;
        case 'count':
          return observedOf((await call({ kind: 'discovery.count' })) as CountResult);
      }
    },
    close: async () => {
      client.close();
      await instance.stop();
      for (const member of memberOf.values()) await member.close();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function observe(discovery: Discovery, steps: Step[]): Promise<Observed[]> {
  const seen: Observed[] = [];
  for (const step of steps) {
    const value = await discovery.run(step);
    if (step.op === 'count') seen.push(value!);
  }
  return seen;
}

const expected = (steps: Step[]): Observed[] =>
  steps.flatMap((step) => (step.op === 'count' ? [step.expect] : []));

const opened: Discovery[] = [];
afterEach(async () => {
  for (const discovery of opened.splice(0)) await discovery.close();
});

describe('the simulated discovery and the real discovery service keep the same contract', () => {
  for (const contractCase of cases) {
    test(contractCase.name, async () => {
      const sim = simDiscovery(contractCase.warm);
      opened.push(sim);
      const simSeen = await observe(sim, contractCase.steps);
      expect(simSeen).toEqual(expected(contractCase.steps));
      const real = await realDiscovery(contractCase.warm);
      opened.push(real);
      const realSeen = await observe(real, contractCase.steps);
      expect(realSeen).toEqual(simSeen);
    }, 20_000);
  }
});
