/**
 * How many clients one server holds, what each costs, and how a fleet passes 50,000 (issue 11).
 *
 * 1. One `headcount serve` (ulimit -n 20,000 here): 10,000 idle clients, RSS delta / 10,000 from
 *    its /metrics (target <= 4 KiB each); then 10,500 more, past the descriptor cap (limit - 64):
 *    the extra ones are refused while a probe connected first is still answered.
 * 2. Three servers in mode A on one redis-server, 17,000 clients each: the fleet's WHO.
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
import { type BenchRow, isMain, printRows, row, writeRows } from './report.ts';

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
    const rssBeforeBytes = await metric(server.listening.adminPort, 'process_resident_memory_bytes');
    holders.push(startHolder(thisFile, ['hold', String(server.port), '10000']));
    await holders[0]!.report;
    await waitSettled(server.listening.adminPort, 10_001);
    const rssAfterBytes = await metric(server.listening.adminPort, 'process_resident_memory_bytes');
    const perConnectionBytes = (rssAfterBytes - rssBeforeBytes) / 10_000;
    rows.push(row('memory per idle connection, 10,000 held', 'B', perConnectionBytes, 4096, '4 KiB', '<= 1'));
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
    console.log(
      JSON.stringify({ held, refused, extraHolder: extra, probeWhy: whyOk, who, perConnectionBytes }),
    );
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
  const rows: BenchRow[] = [];
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
