/**
 * How many clients one server holds, what each costs, and how a fleet passes 50,000 (issue 11).
 *
 * 1. Memory per idle connection (`memory-per-connection.ts`, the method every such row uses):
 *    fresh `headcount serve`, floor server (`floor-server.ts`) and redis-server processes each
 *    hold 18,000 idle clients; RSS growth per connection, median of 5 fresh processes each,
 *    printed with its spread and the ratio of each round (targets: <= 1.1x the floor's, <= 4 KiB).
 * 2. One `headcount serve` (ulimit -n 20,000 here): 10,000 idle clients, then 10,500 more, past
 *    the descriptor cap (limit - 64): the extra ones are refused while a probe connected first is
 *    still answered.
 * 3. Three servers in mode A on one redis-server, 17,000 clients each: the fleet's WHO.
 *
 * Clients are held by child processes (`tsx bench/capacity.ts hold PORT COUNT`), each under its
 * own descriptor limit, so neither this process nor the servers share their fds with them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { startRedisServer } from '../lab/redis/index.ts';
import { connectLine } from '../test/support/line-client.ts';
import { type Spawned, spawnHeadcount } from '../test/support/spawn-headcount.ts';
import { startFloorServer } from './floor-server.ts';
import { gcEnv, type MemoryMeasurement, measureMemoryPerConnection } from './memory-per-connection.ts';
import { type BenchRow, compare, isMain, printRows, row, writeRows } from './report.ts';

const thisFile = fileURLToPath(import.meta.url);

/** Child mode: open `count` connections (at most 256 connecting at once), report, then hold them. */
async function hold(port: number, count: number): Promise<void> {
  const sockets: net.Socket[] = [];
  let refused = 0;
  for (let start = 0; start < count; start += 256) {
    const wave = Math.min(256, count - start);
    await Promise.all(
      Array.from(
        { length: wave },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect({ port, host: '127.0.0.1' });
            socket.on('error', () => {});
            socket.on('data', (chunk) => {
              if (chunk.toString().startsWith('ERR server full')) refused += 1;
            });
            socket.once('connect', () => resolve());
            socket.once('close', () => resolve());
            sockets.push(socket);
          }),
      ),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  process.stdout.write(`${JSON.stringify({ open: sockets.filter((s) => !s.destroyed).length, refused })}\n`);
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => {}, 60_000);
}

export interface Holder {
  child: ChildProcess;
  report: Promise<{ open: number; refused: number }>;
  stop(): Promise<void>;
}

export function startHolder(file: string, args: string[]): Holder {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const report = new Promise<{ open: number; refused: number }>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]!) as { open: number; refused: number });
    });
    child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  report.catch(() => {});
  return {
    child,
    report,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function metric(adminPort: unknown, prefix: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export async function waitSettled(
  adminPort: unknown,
  expected?: number,
  timeoutMs = 60_000,
): Promise<number> {
  const deadlineMs = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const now = await metric(adminPort, 'headcount_connections ');
    if (expected !== undefined ? now === expected : now === last) return now;
    if (Date.now() > deadlineMs) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Idle clients held: as many as stay under headcount's fd cap (19,936), for the page granularity. */
const idleCount = 18_000;

interface Measured {
  pid: number;
  port: number;
  /** Started with `gcEnv` (a Node server). */
  collects: boolean;
  stop(): Promise<void>;
}

async function measureFresh(start: () => Promise<Measured>): Promise<MemoryMeasurement> {
  const server = await start();
  try {
    return await measureMemoryPerConnection(server.pid, server.port, idleCount, 'idle', server.collects);
  } finally {
    await server.stop();
  }
}

export const serveIdleArgs = [
  'serve',
  '--port',
  '0',
  '--log-level',
  'warn',
  '--max-connections',
  '100000',
  '--idle-timeout-ms',
  '0',
];

/** Rounds of the idle-memory measurement; each figure is the median of its rounds. */
const memoryRounds = 5;

type Side = 'ours' | 'floor' | 'redis';

const starters: Record<Side, () => Promise<Measured>> = {
  ours: async () => {
    const server = await spawnHeadcount(serveIdleArgs, { env: gcEnv });
    return {
      pid: server.process.pid ?? -1,
      port: server.port,
      collects: true,
      stop: async () => {
        server.kill('SIGKILL');
        await server.exited;
      },
    };
  },
  floor: async () => {
    const server = await startFloorServer(gcEnv);
    return { pid: server.pid, port: server.port, collects: true, stop: server.kill };
  },
  redis: async () => {
    const server = await startRedisServer({ args: ['--maxclients', '100000'] });
    return { pid: server.pid, port: server.port, collects: false, stop: server.kill };
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Fresh headcount, floor and redis-server processes, one at a time, same method, `memoryRounds`
 * rounds; each figure is the median of its rounds (single readings move by a few hundred bytes
 * per connection with where the heap's last page boundary fell).
 */
export async function idleMemory(): Promise<Record<Side, MemoryMeasurement>> {
  const runs: Record<Side, MemoryMeasurement[]> = { ours: [], floor: [], redis: [] };
  for (let round = 0; round < memoryRounds; round += 1) {
    for (const side of ['ours', 'floor', 'redis'] as const)
      runs[side].push(await measureFresh(starters[side]));
  }
  const pick = (side: Side): MemoryMeasurement => ({
    ...runs[side][0]!,
    perConnectionBytes: median(runs[side].map((run) => run.perConnectionBytes)),
  });
  const bytes = Object.entries(runs).map(([side, list]) => [
    side,
    list.map((run) => [Math.round(run.perConnectionBytes), Math.round(run.anonPerConnectionBytes)]),
  ]);
  process.stdout.write(
    `idle memory, bytes per connection by round [VmRSS, RssAnon]: ${JSON.stringify(Object.fromEntries(bytes))}\n`,
  );
  for (const [side, list] of Object.entries(runs)) {
    const figures = list.map((run) => run.perConnectionBytes);
    const mid = median(figures);
    const spread = (Math.max(...figures) - Math.min(...figures)) / mid;
    process.stdout.write(
      `idle memory, ${side}: median ${Math.round(mid)} B per connection of ${list.length} fresh processes, spread (max - min) ${(spread * 100).toFixed(0)}% of it\n`,
    );
  }
  const ratios = runs.ours.map((run, round) => run.perConnectionBytes / runs.floor[round]!.perConnectionBytes);
  process.stdout.write(
    `idle memory, ours / floor by round: ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})\n`,
  );
  return { ours: pick('ours'), floor: pick('floor'), redis: pick('redis') };
}

/** The idle-memory row: ours vs the floor, with redis-server and the 4 KiB budget beside it. */
export function idleMemoryRow(measured: Record<Side, MemoryMeasurement>): BenchRow {
  const { ours, floor, redis } = measured;
  const base = row(
    `memory per idle connection, ${idleCount / 1000}k held`,
    'B',
    ours.perConnectionBytes,
    floor.perConnectionBytes,
    'floor',
    '<= 1.1',
  );
  return compare(compare(base, 'redis', redis.perConnectionBytes), '4 KiB', 4096, '<= 1');
}

async function single(rows: BenchRow[]): Promise<void> {
  const server = await spawnHeadcount(
    ['serve', '--port', '0', '--admin-port', 'auto', '--log-level', 'warn'].concat([
      '--max-connections',
      '100000',
      '--idle-timeout-ms',
      '0',
    ]),
  );
  const holders: Holder[] = [];
  try {
    const probe = await connectLine(server.port);
    await waitSettled(server.listening.adminPort, 1);
    holders.push(startHolder(thisFile, ['hold', String(server.port), '10000']));
    await holders[0]!.report;
    await waitSettled(server.listening.adminPort, 10_001);
    holders.push(startHolder(thisFile, ['hold', String(server.port), '10500']));
    const extra = await holders[1]!.report;
    const held = await waitSettled(server.listening.adminPort);
    const fdCapClients = 20_000 - 64;
    rows.push(row('idle connections one server holds', 'conns', held, fdCapClients, 'fd cap', '>= 0.99'));
    // Past the cap a client is either told `ERR server full` or, when even the 64 spare
    // descriptors are busy with refusals, closed by libuv's EMFILE accept trick: never admitted.
    const refused = await metric(
      server.listening.adminPort,
      'headcount_connections_rejected_total{reason="fd-limit"}',
    );
    const attempts = 1 + 10_000 + 10_500;
    rows.push(
      row(
        'clients not admitted past the cap',
        'conns',
        attempts - held,
        attempts - fdCapClients,
        'attempts past cap',
        '>= 1',
      ),
    );
    const whyOk = (await probe.ask('WHY')) === '42';
    const who = Number(await probe.ask('WHO'));
    rows.push(row('probe still served past the cap (WHO)', 'conns', who, held, 'held', '>= 1'));
    console.log(JSON.stringify({ held, refused, extraHolder: extra, probeWhy: whyOk, who }));
    probe.close();
  } finally {
    for (const holder of holders) await holder.stop();
    server.kill('SIGKILL');
    await server.exited;
  }
}

async function fleet(rows: BenchRow[]): Promise<void> {
  const redis = await startRedisServer();
  const servers: Spawned[] = [];
  const holders: Holder[] = [];
  const perServer = 17_000;
  try {
    for (let index = 0; index < 3; index += 1) {
      servers.push(
        await spawnHeadcount(
          ['serve', '--port', '0', '--admin-port', 'auto', '--log-level', 'warn']
            .concat([
              '--max-connections',
              '100000',
              '--idle-timeout-ms',
              '0',
              '--mode',
              'a',
              '--redis',
              redis.url,
            ])
            .concat(['--publish-delay-ms', '200']),
        ),
      );
    }
    for (const server of servers)
      holders.push(startHolder(thisFile, ['hold', String(server.port), String(perServer)]));
    await Promise.all(holders.map((holder) => holder.report));
    const counts = await Promise.all(
      servers.map((server) => waitSettled(server.listening.adminPort, perServer)),
    );
    const total = counts.reduce((sum, count) => sum + count, 0);
    const probe = await connectLine(servers[0]!.port);
    let who = 0;
    const deadlineMs = Date.now() + 10_000;
    while (who !== total + 1 && Date.now() < deadlineMs) {
      who = Number(await probe.ask('WHO'));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    probe.close();
    rows.push(row('fleet connections, 3 processes (mode A)', 'conns', total, 50_000, '50,000', '>= 1'));
    rows.push(row('fleet WHO from one server', 'conns', who, total + 1, 'held + probe', '>= 1'));
  } finally {
    for (const holder of holders) await holder.stop();
    for (const server of servers) server.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.exited));
    await redis.kill();
  }
}

export async function run(): Promise<BenchRow[]> {
  const memory = await idleMemory();
  const rows: BenchRow[] = [idleMemoryRow(memory)];
  await single(rows);
  await fleet(rows);
  return rows;
}

if (process.argv[2] === 'hold') {
  await hold(Number(process.argv[3]), Number(process.argv[4]));
} else if (isMain(import.meta.url)) {
  const rows = await run();
  printRows('capacity', rows);
  writeRows('capacity', rows);
}
