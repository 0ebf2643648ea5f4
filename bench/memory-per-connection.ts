/**
 * The one method behind every "memory per connection" row: the server process alone, never the
 * driver; its RSS (`VmRSS` in /proc/PID/status) read fresh and again once N connections are held,
 * each after a settle time; RSS growth / N, with N stated in the row. Each measurement runs on a
 * fresh server process, so memory freed by earlier work (a storm, a previous row) is not reused
 * and hidden. Clients are held by a child process (`hold`), so they share neither descriptors
 * nor heap with the server or this process. Held connections are counted on the server's side,
 * from its open descriptors (/proc/PID/fd), so the same method reads headcount, the floor server
 * and redis-server alike.
 *
 * Node servers (headcount, the floor) run with `gcEnv`: before each reading they collect their
 * garbage with a compacting full GC (a bench-only preload, `gc-on-signal.js`, on SIGURG), and
 * their young generation is pinned to 1 MiB semispaces. Without the GC, a reading holds whatever
 * garbage the accept burst left, and swung by ~1 KB per connection with the moment of the last
 * major GC; without compaction, the holes that garbage left in old-space pages stayed committed
 * and moved a reading by +-400 B per connection from one fresh process to the next (the live heap,
 * 980 B per connection for the floor, did not move). RSS is then read as the lowest of a few
 * readings over a second (`settledRss`), after the pages the GC freed have left it. Without the
 * second, the young generation's growth to 2 x 16 MiB, which any busy Node process goes through
 * once whatever its client count, is divided among the N clients (1-1.5 KB each at N = 10,000,
 * depending on how much a server allocates while accepting). redis-server needs neither.
 *
 * Linux only (/proc). RSS counts touched pages and the JS heap grows in 256 KiB pages, so N must
 * be large (thousands), and callers take the median of a few fresh processes.
 */
import { processRssBytes } from '../lab/cluster/process-rss.ts';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const thisFile = fileURLToPath(import.meta.url);

/** How long the server gets to finish its allocations (and a GC) before each RSS reading. */
export const settleMs = 2_000;

/** The environment a Node server is started with, so it collects garbage on SIGURG. */
export const gcEnv = {
  NODE_OPTIONS: `--expose-gc --max-semi-space-size=1 --import ${fileURLToPath(new URL('./gc-on-signal.js', import.meta.url))}`,
};

/** What each held client does once connected. */
export type HoldKind =
  /** Connects and says nothing: an idle client. */
  | 'idle'
  /** Asks for 2,000 INFO replies and never reads them: the most a client can make a server hold. */
  | 'never-read';

/** `field` of /proc/PID/status in bytes: VmRSS (all resident pages) or RssAnon (heap and malloc only). */
export function rssBytes(pid: number, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  const bytes = processRssBytes(pid, field);
  if (bytes === undefined) throw new Error(`no ${field} for pid ${pid}`);
  return bytes;
}

export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export interface MemoryMeasurement {
  /** Connections held at the second reading (descriptors above the fresh baseline). */
  held: number;
  rssFreshBytes: number;
  rssAfterBytes: number;
  perConnectionBytes: number;
  /** The same over RssAnon: without file-backed pages (code the server ran for the first time). */
  anonPerConnectionBytes: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * RSS growth per connection of process `pid` (listening on `port`) over `count` held
 * connections of `kind`. Call it once per fresh server; `collects` when it runs with `gcEnv`.
 */
export async function measureMemoryPerConnection(
  pid: number,
  port: number,
  count: number,
  kind: HoldKind = 'idle',
  collects = false,
): Promise<MemoryMeasurement> {
  const settle = async () => {
    await sleep(settleMs / 2);
    if (collects) process.kill(pid, 'SIGURG');
    await sleep(settleMs / 2);
  };
  await settle();
  const fdsFresh = openDescriptors(pid);
  const [rssFreshBytes, anonFreshBytes] = await settledRss(pid);
  const holder = startHold(port, count, kind);
  try {
    await holder.ready;
    await waitHeld(pid, fdsFresh + count);
    await settle();
    const held = openDescriptors(pid) - fdsFresh;
    const [rssAfterBytes, anonAfterBytes] = await settledRss(pid);
    return {
      held,
      rssFreshBytes,
      rssAfterBytes,
      perConnectionBytes: (rssAfterBytes - rssFreshBytes) / held,
      anonPerConnectionBytes: (anonAfterBytes - anonFreshBytes) / held,
    };
  } finally {
    await holder.stop();
  }
}

/** Readings of one settled RSS figure, `settleReadIntervalMs` apart. */
const settleReads = 5;
const settleReadIntervalMs = 200;

/**
 * [VmRSS, RssAnon] once the GC has returned what it freed: the lowest of `settleReads` readings
 * over the second after the settle time (freed heap pages leave RSS over a few hundred ms, so a
 * single reading caught some of them and moved by a few hundred bytes per connection).
 */
async function settledRss(pid: number): Promise<[number, number]> {
  let vm = Number.POSITIVE_INFINITY;
  let anon = Number.POSITIVE_INFINITY;
  for (let read = 0; read < settleReads; read += 1) {
    if (read > 0) await sleep(settleReadIntervalMs);
    vm = Math.min(vm, rssBytes(pid));
    anon = Math.min(anon, rssBytes(pid, 'RssAnon'));
  }
  return [vm, anon];
}

async function waitHeld(pid: number, descriptors: number): Promise<void> {
  const deadlineMs = Date.now() + 60_000;
  while (openDescriptors(pid) < descriptors && Date.now() < deadlineMs) await sleep(250);
}

interface Hold {
  child: ChildProcess;
  ready: Promise<void>;
  stop(): Promise<void>;
}

function startHold(port: number, count: number, kind: HoldKind): Hold {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', thisFile, 'hold', String(port), String(count), kind],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => resolve());
    void exited.then(() => reject(new Error('the holder exited early')));
  });
  ready.catch(() => {});
  return {
    child,
    ready,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Child mode: opens `count` connections, at most 256 connecting at once, prints a line, holds. */
async function hold(port: number, count: number, kind: HoldKind): Promise<void> {
  const request = Buffer.from('INFO\n'.repeat(2_000));
  const sockets: net.Socket[] = [];
  for (let start = 0; start < count; start += 256) {
    await Promise.all(
      Array.from({ length: Math.min(256, count - start) }, () => {
        const socket = net.connect({ port, host: '127.0.0.1' });
        socket.on('error', () => {});
        sockets.push(socket);
        return new Promise<void>((resolve) => {
          socket.once('connect', () => {
            if (kind === 'never-read') {
              socket.pause();
              socket.write(request);
            }
            resolve();
          });
          socket.once('close', () => resolve());
        });
      }),
    );
  }
  process.stdout.write(`${JSON.stringify({ open: sockets.filter((socket) => !socket.destroyed).length })}\n`);
  setInterval(() => {}, 60_000);
}

if (process.argv[2] === 'hold' && process.argv[1] === thisFile) {
  await hold(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] as HoldKind);
}
