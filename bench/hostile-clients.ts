/**
 * What hostile clients cost everyone else (issue 11, "Measure"):
 *
 * 1. p50/p99 latency of a well-behaved open-loop load (10 connections, 1,000 WHY/s) while 1,000
 *    hostile clients misbehave, divided by the same load on the same server without them
 *    (target <= 2). The hostile clients run in a child process (`tsx bench/hostile-clients.ts
 *    abuse PORT`): 250 slowloris (a byte every 200 ms, never a newline), 250 sending random bytes
 *    and reconnecting, 250 that never read while asking for INFO, 250 connect/WHY/disconnect.
 *    The well-behaved connections are open before the hostile ones start (the child is armed,
 *    then started by SIGUSR2 once the load is connected; the warm-up covers its 1.5 s ramp), so
 *    this row is request latency, as in the quiet run. It used to connect them after the storm
 *    had begun, and its p99 (~500 ms, x150) was then the wait in the kernel's accept queue. That
 *    wait is row 2, not hidden. The p99 target is met by none of the three servers on 2 shared
 *    cores: the 1,000 hostile clients, the load and the server share them, and under the same
 *    storm the floor's p99 was 10-57 ms and redis-server's 13-62 ms against quiet p99s of 3-6 ms;
 *    ours stayed at 0.8-1.1x the floor's (table in this folder's README.md).
 * 2. Time from connect to the first reply for a new well-behaved client (one every 100 ms) during
 *    the same storm, divided by the same without it: what a client that arrives mid-attack sees.
 *    A newcomer queues in the kernel's FIFO accept queue behind up to 500 closed-loop reconnecting
 *    clients (wait = connections queued ahead / accept rate), and libuv (>= 1.45, Node 20; 1.46
 *    measured) accepts ONE connection per listening descriptor per loop turn (libuv/libuv#3696
 *    took the accept loop out of uv__server_io; 400 queued connections took 400 turns). So the
 *    server polls `--accept-handles` (default 4) duplicates of the listening socket: 4 accepts a
 *    turn cut this row from 12.4-13.6 ms to 3.4-4.7 ms (x1.6-3.3 quiet), while 8 and 16 let the
 *    reconnecting clients in so fast that their work raised established clients' p50 to 2-3x the
 *    floor's. `BENCH_ACCEPT_HANDLES=N` runs the server with N instead of its default.
 *
 * `BENCH_ABUSER_NICE=19` runs the hostile child at that nice level, so its own CPU yields to the
 * server and the load (as when attackers are other machines); run 2026-12-04 at load 1.3, p99
 * storm/quiet went from 6.56x to 3.67x for ours while the floor's storm p99 stayed ~11 ms: what is
 * left is the server's own turns and garbage collection, the same for the floor.
 *
 * Each of rows 1 and 2 also runs the same storm against the floor (`floor-server.ts`) and
 * redis-server (its never-readers ask for PING), and prints ours against theirs under it. The
 * floor shows the platform's share: a bare node:net server polls one descriptor, so one accept
 * per loop turn, while redis-server accepts up to 1,000 per event.
 * 3. Memory per idle client and per never-reading client, by the one method of every memory row
 *    (`memory-per-connection.ts`): a fresh server process each (not the one the storm ran on, whose
 *    heap had grown and freed memory that later clients would reuse unseen: that is why this bench
 *    read about 1.6 KB per idle client and `capacity` about 5.2 KB). The idle row is `capacity`'s
 *    measurement itself (same function, same counts), beside the floor and redis-server. A
 *    never-reader's reference is its design bound, what the server may buffer for it:
 *    --max-output-bytes (16,384) of undecoded replies in the session, plus the socket's own write
 *    buffer up to its high-water mark (16,384: Node's default), plus one line. Neither the floor
 *    (no bound at all) nor redis-server (its INFO reply is ~5 KB, so 2,000 unread ones are 10 MB
 *    per client) is a reference for that row.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../lab/load/run-load.ts';
import { spawnHeadcount } from '../test/support/spawn-headcount.ts';
import { idleMemory, idleMemoryRow, startHolder } from './capacity.ts';
import { gcEnv, measureMemoryPerConnection } from './memory-per-connection.ts';
import { startRedisServer } from '../lab/redis/index.ts';
import { startFloorServer } from './floor-server.ts';
import { type BenchRow, compare, isMain, printRows, row, writeRows } from './report.ts';

const thisFile = fileURLToPath(import.meta.url);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000);

function connect(port: number): net.Socket {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  return socket;
}

/**
 * Child mode: prints a line once armed; on SIGUSR2, 1,000 hostile clients until SIGTERM. The
 * never-readers ask for `verb` (INFO; PING for redis-server, whose INFO is ~5 KB a reply).
 */
async function abuse(port: number, verb: string): Promise<void> {
  process.on('SIGTERM', () => process.exit(0));
  const armed = setInterval(() => {}, 1_000); // a signal listener alone does not keep the process up
  const started = new Promise((resolve) => process.once('SIGUSR2', resolve));
  process.stdout.write(`${JSON.stringify({ open: 0, refused: 0 })}\n`);
  await started;
  clearInterval(armed);
  const slowloris = Array.from({ length: 250 }, () => connect(port));
  setInterval(() => {
    for (const socket of slowloris) socket.write('W');
  }, 200);
  const garbage = () => {
    const socket = connect(port);
    socket.resume();
    socket.once('connect', () => socket.end(randomBytes(2_048)));
    socket.once('close', () => setTimeout(garbage, 10));
  };
  for (let index = 0; index < 250; index += 1) garbage();
  const request = Buffer.from(`${verb}\n`.repeat(2_000));
  for (let index = 0; index < 250; index += 1) {
    const socket = connect(port);
    socket.pause();
    socket.once('connect', () => socket.write(request));
    setInterval(() => socket.write(`${verb}\n`), 1_000);
  }
  const churn = () => {
    const socket = connect(port);
    socket.resume();
    socket.once('connect', () => socket.write('WHY\n'));
    socket.once('data', () => socket.destroy());
    socket.once('close', () => setTimeout(churn, 5));
  };
  for (let index = 0; index < 250; index += 1) churn();
}

/** The abuser's ramp (its clients connect within 1.5 s) plus margin: inside the warm-up. */
const abuseRampMs = 2_500;

/**
 * The well-behaved load's latency; `onConnected` runs once its connections are open (the noisy
 * run starts the storm there), and the warm-up then covers the storm's ramp.
 */
async function latency(
  port: number,
  redisInline: boolean,
  onConnected?: () => void,
): Promise<{ p50: number; p99: number }> {
  let connected = onConnected === undefined;
  const result = await runLoad(
    {
      targets: [{ host: '127.0.0.1', port }],
      connectionCount: 10,
      ratePerSec: 1_000,
      durationMs,
      warmupMs: onConnected === undefined ? 500 : 500 + abuseRampMs,
      ...(redisInline
        ? { protocol: 'redis-inline' as const }
        : { mix: [{ verb: 'WHY' as const, weight: 1 }] }),
    },
    {
      progressIntervalMs: 20,
      onProgress: (progress) => {
        if (connected || progress.openConnectionCount < 10) return;
        connected = true;
        onConnected?.();
      },
    },
  );
  const summary = result.requests.latency.summary;
  return { p50: summary.latencyUsP50, p99: summary.latencyUsP99 };
}

/** Connect-to-first-reply of `count` new clients, one every 100 ms; returns p50 and max in us. */
async function newcomers(port: number, count: number): Promise<{ p50: number; max: number }> {
  const waitsUs: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const startedNs = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      const socket = connect(port);
      socket.once('connect', () => socket.write('WHY\n'));
      socket.once('data', () => {
        waitsUs.push(Number(process.hrtime.bigint() - startedNs) / 1_000);
        socket.destroy();
      });
      socket.once('close', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  waitsUs.sort((a, b) => a - b);
  return { p50: waitsUs[Math.floor(waitsUs.length / 2)] ?? 0, max: waitsUs.at(-1) ?? 0 };
}

/** Never-readers held: ~33 KB each at the bound. */
const neverReadCount = 10_000;

const serveArgs = ['serve', '--port', '0', '--admin-port', 'auto', '--log-level', 'warn']
  .concat(['--max-connections', '25000', '--write-stall-ms', '120000', '--idle-timeout-ms', '0'])
  .concat(
    process.env.BENCH_ACCEPT_HANDLES === undefined
      ? []
      : ['--accept-handles', process.env.BENCH_ACCEPT_HANDLES],
  );

async function neverReadMemory(): Promise<number> {
  const server = await spawnHeadcount(serveArgs, { env: gcEnv });
  try {
    const measured = await measureMemoryPerConnection(
      server.process.pid ?? -1,
      server.port,
      neverReadCount,
      'never-read',
      true,
    );
    process.stdout.write(`never-read memory: ${JSON.stringify(measured)}\n`);
    return measured.perConnectionBytes;
  } finally {
    server.kill('SIGKILL');
    await server.exited;
  }
}

interface StormFigures {
  quiet: { p50: number; p99: number };
  noisy: { p50: number; p99: number };
  quietNewcomers: { p50: number; max: number };
  noisyNewcomers: { p50: number; max: number };
}

/** One server, quiet then under the storm: the well-behaved load and the newcomers. */
async function storm(port: number, redisInline: boolean): Promise<StormFigures> {
  const quiet = await latency(port, redisInline);
  const quietNewcomers = await newcomers(port, 20);
  const abuser = startHolder(thisFile, ['abuse', String(port), redisInline ? 'PING' : 'INFO']);
  try {
    await abuser.report;
    if (process.env.BENCH_ABUSER_NICE !== undefined)
      spawnSync('renice', ['-n', process.env.BENCH_ABUSER_NICE, '-p', String(abuser.child.pid)], { stdio: 'ignore' });
    const noisy = await latency(port, redisInline, () => abuser.child.kill('SIGUSR2'));
    const noisyNewcomers = await newcomers(port, 20);
    return { quiet, noisy, quietNewcomers, noisyNewcomers };
  } finally {
    await abuser.stop();
  }
}

/** Each row: ours under the storm vs ours quiet, then ours vs the floor and redis-server under the same storm. */
export async function stormRows(): Promise<BenchRow[]> {
  const server = await spawnHeadcount(serveArgs);
  let ours: StormFigures;
  try {
    ours = await storm(server.port, false);
  } finally {
    server.kill('SIGKILL');
    await server.exited;
  }
  const floorServer = await startFloorServer();
  let floor: StormFigures;
  try {
    floor = await storm(floorServer.port, false);
  } finally {
    await floorServer.kill();
  }
  const redisServer = await startRedisServer();
  let redis: StormFigures;
  try {
    redis = await storm(redisServer.port, true);
  } finally {
    await redisServer.kill();
  }
  process.stdout.write(`storm figures (us): ${JSON.stringify({ ours, floor, redis })}\n`);
  const withOthers = (base: BenchRow, pick: (figures: StormFigures) => number) =>
    compare(compare(base, 'floor, storm', pick(floor)), 'redis, storm', pick(redis));
  return [
    withOthers(
      row(
        'p50 latency, 1,000 hostile clients vs none',
        'us',
        ours.noisy.p50,
        ours.quiet.p50,
        'quiet',
        '<= 2',
      ),
      (figures) => figures.noisy.p50,
    ),
    withOthers(
      row(
        'p99 latency, 1,000 hostile clients vs none',
        'us',
        ours.noisy.p99,
        ours.quiet.p99,
        'quiet',
        '<= 2',
      ),
      (figures) => figures.noisy.p99,
    ),
    withOthers(
      row(
        'new client, connect to 1st reply, p50 of 20',
        'us',
        ours.noisyNewcomers.p50,
        ours.quietNewcomers.p50,
        'quiet',
        '<= 3',
      ),
      (figures) => figures.noisyNewcomers.p50,
    ),
    withOthers(
      row(
        'new client, connect to 1st reply, max of 20',
        'us',
        ours.noisyNewcomers.max,
        ours.quietNewcomers.max,
        'quiet',
        '',
      ),
      (figures) => figures.noisyNewcomers.max,
    ),
  ];
}

export async function run(): Promise<BenchRow[]> {
  const rows = await stormRows();
  const idle = await idleMemory();
  rows.push(idleMemoryRow(idle));
  rows.push(
    row(
      `memory per never-reading client, ${neverReadCount / 1000}k held`,
      'B',
      await neverReadMemory(),
      16_384 + 16_384 + 1_024,
      'output bound',
      '<= 1',
    ),
  );
  return rows;
}

if (process.argv[2] === 'abuse') {
  await abuse(Number(process.argv[3]), process.argv[4] ?? 'INFO');
} else if (isMain(import.meta.url)) {
  const rows = await run();
  printRows('hostile-clients', rows);
  writeRows('hostile-clients', rows);
}
