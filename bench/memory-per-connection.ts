/**
 * The one method behind every "memory per connection" row: the server process alone, never the
 * driver; its RSS (`VmRSS` in /proc/PID/status) read after a settle time at three points: fresh
 * (nothing held), after `firstCount` connections, and after `count` more. Each measurement runs
 * on a fresh server process, so memory freed by earlier work (a storm, a previous row) is not
 * reused and hidden. Clients are held by a child process (`hold`), so they share neither
 * descriptors nor heap with the server or this process. Held connections are counted on the
 * server's side, from its open descriptors (/proc/PID/fd), so the same method reads headcount,
 * the floor server and redis-server alike.
 *
 * Two figures come out, and rows say which they print:
 * - `perConnectionBytes`, the cost of one more connection: RSS growth over the `count` added to
 *   a server already holding `firstCount`. This is what capacity planning multiplies.
 * - `firstPerConnectionBytes`: RSS growth over the first `firstCount` of a fresh process. It also
 *   holds one-off costs spread over N: a JS heap grows its young generation (to 2 x 16 MiB) and
 *   its old generation's slack with the first load of any kind, whatever the connection count,
 *   so this figure falls as N grows and depends on how much a server allocates while accepting.
 *
 * Before each reading a Node server (headcount, the floor) collects its garbage: both are started
 * with `gcEnv` (a bench-only preload, `gc-on-signal.js`) and get SIGURG. Without it a reading
 * holds whatever garbage the accept burst left uncollected, and single readings swung by 3 KB
 * per connection either way with the moment of the last major GC. redis-server has no GC.
 *
 * Linux only (/proc). RSS counts touched pages and the JS heap grows in 256 KiB pages, so counts
 * must be large (thousands) for the page granularity to vanish in the quotient.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export interface MemoryMeasurement {
  /** Connections held at the second and third readings (descriptors above the fresh baseline). */
  firstHeld: number;
  held: number;
  rssFreshBytes: number;
  rssFirstBytes: number;
  rssAfterBytes: number;
  /** RSS growth per connection over the first `firstHeld`, from the fresh process. */
  firstPerConnectionBytes: number;
  /** RSS growth per connection over the `held - firstHeld` added after them. */
  perConnectionBytes: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds `firstCount`, then `count` more connections of `kind` on process `pid` (listening on
 * `port`), reading its RSS fresh and after each step. Call it once per fresh server; `collects`
 * when it was started with `gcEnv`.
 */
export async function measureMemoryPerConnection(
  pid: number,
  port: number,
  firstCount: number,
  count: number,
  kind: HoldKind = 'idle',
  collects = false,
): Promise<MemoryMeasurement> {
  const holders: Hold[] = [];
  const settle = async () => {
    await sleep(settleMs / 2);
    if (collects) process.kill(pid, 'SIGURG');
    await sleep(settleMs / 2);
  };
  const step = async (n: number, fdsBefore: number) => {
    const holder = startHold(port, n, kind);
    holders.push(holder);
    await holder.ready;
    await waitHeld(pid, fdsBefore + n);
    await settle();
    return { held: openDescriptors(pid) - fdsBefore, rssBytes: rssBytes(pid) };
  };
  try {
    await settle();
    const fdsFresh = openDescriptors(pid);
    const rssFreshBytes = rssBytes(pid);
    const first = await step(firstCount, fdsFresh);
    const more = await step(count, fdsFresh + first.held);
    return {
      firstHeld: first.held,
      held: first.held + more.held,
      rssFreshBytes,
      rssFirstBytes: first.rssBytes,
      rssAfterBytes: more.rssBytes,
      firstPerConnectionBytes: (first.rssBytes - rssFreshBytes) / first.held,
      perConnectionBytes: (more.rssBytes - first.rssBytes) / more.held,
    };
  } finally {
    for (const holder of holders) await holder.stop();
  }
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
