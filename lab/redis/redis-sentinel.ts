/**
 * A Sentinel-managed Redis for tests and the lab: a primary, one replica and three Sentinels
 * (`redis-server --sentinel`), each on a free 127.0.0.1 port, persistence off. Servers are
 * given `url` (`redis-sentinel://h:p,h:p,h:p/<name>`) and ask Sentinel where the primary is.
 *
 * The replica reaches the primary through a `ReplicationLag` relay when `replicationLagMs` > 0,
 * so replication trails by a known lag. `killPrimary()` severs that relay (the bytes it holds are
 * the writes the failover loses) and kills the primary (SIGKILL); Sentinel promotes the replica.
 *
 * Sentinel-0 is the detector: its `down-after-milliseconds` is `downAfterMs`; the two others
 * judge only after `votersDownAfterMs` and vote. With quorum 1 the detector starts the failover
 * alone and the others elect it at once, so the election is not a race of three candidates
 * splitting their votes (a retry would cost a whole failover-timeout). A real deployment with
 * quorum 2 adds up to a second of agreement (Sentinels ask each other once a second).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RedisServer, spawnRedis, startRedisServer } from './redis-server.ts';
import { type ReplicationLag, startReplicationLag } from './replication-lag.ts';

export interface SentinelGroupOptions {
  /** @default 'headcount' */
  masterName?: string;
  /** The detecting Sentinel's down-after-milliseconds (real ms). */
  downAfterMs: number;
  /** How far the replica trails the primary (real ms); 0 = a direct link. @default 0 */
  replicationLagMs?: number;
  /**
   * Sentinel's failover-timeout (real ms). Long, because it is also how long Sentinel waits
   * before pointing a replica that replicates through the lag relay straight at the primary.
   * @default 180000
   */
  failoverTimeoutMs?: number;
}

export interface SentinelGroup {
  readonly masterName: string;
  /** `redis-sentinel://127.0.0.1:p0,127.0.0.1:p1,127.0.0.1:p2/<name>` (the detector first). */
  readonly url: string;
  readonly sentinelPorts: readonly number[];
  /** The current primary; after a promotion, the promoted replica. */
  readonly primary: RedisServer;
  /** The current replica; undefined from a primary's death until the old one returns. */
  readonly replica: RedisServer | undefined;
  /** Severs the replication relay (its held bytes are lost) and kills the primary (SIGKILL). */
  killPrimary(): Promise<void>;
  /** The primary's port as the detecting Sentinel names it now. */
  masterPort(): Promise<number | undefined>;
  /**
   * Polls the detector every `pollRealMs` until it names the replica, then swaps the roles.
   * Resolves false when `timeoutRealMs` passed first, or once the group is closed.
   */
  waitPromotion(timeoutRealMs: number, pollRealMs?: number): Promise<boolean>;
  /** The dead old primary starts again, empty, on its port; Sentinel makes it the replica. */
  restartOldPrimary(): Promise<void>;
  close(): Promise<void>;
}

export async function startSentinelGroup(options: SentinelGroupOptions): Promise<SentinelGroup> {
  const masterName = options.masterName ?? 'headcount';
  const lagMs = options.replicationLagMs ?? 0;
  let primary = await startRedisServer();
  let lag: ReplicationLag | undefined =
    lagMs > 0 ? await startReplicationLag(primary.port, lagMs) : undefined;
  let replica: RedisServer | undefined = await startRedisServer({
    args: ['--replicaof', '127.0.0.1', String(lag?.port ?? primary.port)],
  });
  let dead: RedisServer | undefined;
  let closed = false;
  const dir = mkdtempSync(join(tmpdir(), 'hc-sentinel-'));
  const sentinels: ChildProcess[] = [];
  const sentinelPorts: number[] = [];
  const downAfterMs = Math.max(1, Math.round(options.downAfterMs));
  const voters = votersDownAfterMs(downAfterMs);
  try {
    await waitReplicaInSync(replica.port);
    for (let index = 0; index < 3; index += 1) {
      const port = await freePort();
      const config = join(dir, `sentinel-${index}.conf`);
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 1`,
          `sentinel down-after-milliseconds ${masterName} ${index === 0 ? downAfterMs : voters}`,
          `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 180_000}`,
          '',
        ].join('\n'),
      );
      sentinels.push(await spawnRedis([config, '--sentinel'], port, 5_000));
      sentinelPorts.push(port);
    }
    await waitSentinelsKnowEachOther(sentinelPorts[0]!, masterName);
  } catch (error) {
    for (const sentinel of sentinels) sentinel.kill('SIGKILL');
    lag?.sever();
    await Promise.all([primary.kill(), replica.kill()]);
    throw error;
  }
  const masterPort = () => sentinelMasterPort(sentinelPorts[0]!, masterName);
  return {
    masterName,
    url: `redis-sentinel://${sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',')}/${masterName}`,
    sentinelPorts,
    get primary() {
      return primary;
    },
    get replica() {
      return replica;
    },
    killPrimary: async () => {
      lag?.sever();
      lag = undefined;
      await primary.kill();
      dead = primary;
    },
    masterPort,
    waitPromotion: async (timeoutRealMs, pollRealMs = 5) => {
      const promoted = replica;
      if (promoted === undefined) return false;
      const deadlineMs = Date.now() + timeoutRealMs;
      while (Date.now() < deadlineMs && !closed) {
        if ((await masterPort()) === promoted.port) {
          primary = promoted;
          replica = undefined;
          return true;
        }
        await sleep(pollRealMs);
      }
      return false;
    },
    restartOldPrimary: async () => {
      if (dead === undefined) return;
      await dead.restart();
      if (replica === undefined && primary !== dead) replica = dead;
      dead = undefined;
    },
    close: async () => {
      closed = true;
      await Promise.all(sentinels.map((sentinel) => stopChild(sentinel)));
      lag?.sever();
      await Promise.all([primary.kill(), replica?.kill(), dead?.kill()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The voters judge the primary down well after the detector has been elected. */
export function votersDownAfterMs(downAfterMs: number): number {
  return Math.max(3 * downAfterMs, downAfterMs + 5_000);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.ref();
  child.kill('SIGKILL');
  await exited;
}

/** Until the replica reports its link to the primary up (its first full sync done). */
async function waitReplicaInSync(port: number): Promise<void> {
  const deadlineMs = Date.now() + 10_000;
  while (Date.now() < deadlineMs) {
    if (/master_link_status:up/.test(await command(port, ['INFO', 'replication']))) return;
    await sleep(20);
  }
  throw new Error(`the replica on ${port} did not finish its first sync within 10 s`);
}

/** Until the detector knows the two other Sentinels (it needs their votes) and the replica. */
async function waitSentinelsKnowEachOther(port: number, masterName: string): Promise<void> {
  const deadlineMs = Date.now() + 15_000;
  while (Date.now() < deadlineMs) {
    const master = await command(port, ['SENTINEL', 'master', masterName]);
    const field = (name: string) =>
      Number(new RegExp(`\\$\\d+\\r\\n${name}\\r\\n\\$\\d+\\r\\n(\\d+)`).exec(master)?.[1] ?? 0);
    if (field('num-other-sentinels') >= 2 && field('num-slaves') >= 1) return;
    await sleep(50);
  }
  throw new Error(`Sentinel on ${port} did not find the other Sentinels and the replica within 15 s`);
}

async function sentinelMasterPort(port: number, masterName: string): Promise<number | undefined> {
  const reply = await command(port, ['SENTINEL', 'get-master-addr-by-name', masterName]).catch(() => '');
  const match = /^\*2\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n(\d+)\r\n/.exec(reply);
  return match === null ? undefined : Number(match[1]);
}

/** Bound on one reply read here (INFO replication and SENTINEL master are a few KiB). */
const replyBytesMax = 1024 * 1024;

/** One RESP command, its raw reply: enough for the few replies read above. */
function command(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let reply = '';
    const timer = setTimeout(() => socket.destroy(new Error(`no reply from ${port}`)), 2_000);
    socket.once('connect', () => {
      socket.write(
        `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`,
      );
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (complete(reply) || reply.length > replyBytesMax) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Whether a raw reply is whole: a bulk string of its stated length, or an array of short lines. */
function complete(reply: string): boolean {
  const bulk = /^\$(\d+)\r\n/.exec(reply);
  if (bulk !== null) return Buffer.byteLength(reply) >= bulk[0].length + Number(bulk[1]) + 2;
  const array = /^\*(-?\d+)\r\n/.exec(reply);
  if (array !== null) {
    const items = Number(array[1]);
    if (items <= 0) return true;
    // Arrays here hold bulk strings: each item is two lines.
    return reply.split('\r\n').length - 2 >= 2 * items;
  }
  return reply.endsWith('\r\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
