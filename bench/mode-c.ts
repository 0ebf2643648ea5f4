/**
 * Mode C's cost: WHO latency with 3, 20 and 100 servers (one client asking in a closed loop;
 * reference: WHY on the same server in the same run, a reply that needs no fan-out), and the
 * broadcasts a discovery instance runs per WHO when 50 clients ask in a closed loop (reference:
 * WHO/s; the ratio shows how much the batching saves: 1.0 would be one broadcast per WHO).
 *
 * Everything runs in this process (two discovery instances, N servers, the load driver) on real
 * sockets, so absolute figures carry the driver's and N servers' share of one event loop.
 */
import { createLogger } from '../impl/adapters/logger.ts';
import { parseDiscoveryOptions } from '../impl/adapters/discovery/discovery-options.ts';
import { type RunningDiscovery, startDiscovery } from '../impl/adapters/discovery/discovery-server.ts';
import type { RunningServer } from '../impl/adapters/server.ts';
import { runLoad } from '../lab/load/run-load.ts';
import { startTestServer } from '../test/support/in-process-server.ts';
import { connectLine } from '../test/support/line-client.ts';
import { type BenchRow, isMain, printRows, row, writeRows } from './report.ts';

const token = 'bench-token';
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 2_000);
const warmupMs = 300;
const fleetSizes = [3, 20, 100];
const closedLoopClients = 50;

interface Fleet {
  instances: RunningDiscovery[];
  servers: RunningServer[];
  stop(): Promise<void>;
}

/** Long enough that 100 servers' renewals on one shared event loop never let a lease lapse. */
const leaseMs = 6_000;

async function startFleet(serverCount: number): Promise<Fleet> {
  const instances: RunningDiscovery[] = [];
  for (let index = 0; index < 2; index += 1) {
    const options = parseDiscoveryOptions({ port: 0, leaseMs, fanoutTimeoutMs: 2_000, token });
    if (!options.ok) throw new Error(JSON.stringify(options.error));
    instances.push(await startDiscovery(options.value, { logger: createLogger('silent') }));
  }
  const urls = instances.map((instance) => instance.url);
  const servers: RunningServer[] = [];
  for (let index = 0; index < serverCount; index += 1) {
    servers.push(
      await startTestServer({ mode: 'c', discovery: urls, token, adminPort: 0, discoveryTimeoutMs: 3_000 }),
    );
  }
  // Wait until every server is a member of both instances.
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (instances.every((instance) => instance.core.members.size === serverCount)) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // A new discovery instance answers counts only after one lease (warm-up), and the first
  // broadcasts open a connection to every member: ask until a count comes, for at most a lease
  // plus ten seconds.
  const probe = await connectLine(servers[0]!.port);
  let answer = '';
  const deadlineMs = performance.now() + leaseMs + 10_000;
  while (!/^\d+$/.test(answer) && performance.now() < deadlineMs) {
    answer = await probe.ask('WHO');
    if (!/^\d+$/.test(answer)) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.stderr.write(`fleet of ${serverCount}: ready, WHO ${answer.slice(0, 40)}\n`);
  probe.close();
  if (!/^\d+$/.test(answer)) throw new Error(`fleet of ${serverCount} not ready: ${answer}`);
  return {
    instances,
    servers,
    stop: async () => {
      for (const server of servers) await server.crash();
      for (const instance of instances) await instance.stop();
    },
  };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const serverCount of fleetSizes) {
    const fleet = await startFleet(serverCount);
    try {
      const target = [{ host: '127.0.0.1', port: fleet.servers[0]!.port }];
      const common = { targets: target, connectionCount: 1, durationMs, warmupMs };
      const who = await runLoad({ ...common, mix: [{ verb: 'WHO', weight: 1 }] });
      const why = await runLoad({ ...common, mix: [{ verb: 'WHY', weight: 1 }] });
      const whoLatency = who.requests.latency.summary;
      const whyLatency = why.requests.latency.summary;
      const label = `${serverCount} servers, 1 client`;
      rows.push(
        row(`WHO p50, ${label}`, 'us', whoLatency.latencyUsP50, whyLatency.latencyUsP50, 'WHY p50', ''),
      );
      rows.push(
        row(`WHO p99, ${label}`, 'us', whoLatency.latencyUsP99, whyLatency.latencyUsP99, 'WHY p99', ''),
      );
      if (serverCount === 3) rows.push(...(await batching(fleet)));
    } finally {
      await fleet.stop();
    }
  }
  return rows;
}

/** 50 clients spread over the fleet ask WHO in a closed loop; count broadcasts meanwhile. */
async function batching(fleet: Fleet): Promise<BenchRow[]> {
  const targets = fleet.servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  const broadcastsBefore = fleet.instances.reduce((sum, instance) => sum + instance.core.broadcastCount, 0);
  const load = await runLoad({
    targets,
    connectionCount: closedLoopClients,
    durationMs,
    warmupMs: 0,
    mix: [{ verb: 'WHO', weight: 1 }],
  });
  const broadcasts =
    fleet.instances.reduce((sum, instance) => sum + instance.core.broadcastCount, 0) - broadcastsBefore;
  const seconds = load.measuredMs / 1000;
  const label = `${closedLoopClients} clients, 3 servers`;
  return [
    row(
      `broadcasts/s vs WHO/s, ${label}`,
      '/s',
      broadcasts / seconds,
      load.requests.throughputPerSec,
      'WHO/s',
      '<= 0.5',
    ),
    row(
      `WHO ok ratio, ${label}`,
      'ok/s',
      load.requests.ok / seconds,
      load.requests.throughputPerSec,
      'WHO/s',
      '>= 0.99',
    ),
  ];
}

if (isMain(import.meta.url)) {
  const rows = await run();
  printRows('mode-c', rows);
  writeRows('mode-c', rows);
  process.exit(0);
}
