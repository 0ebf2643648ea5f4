/**
 * A reconnect storm (issue 17, "Reconnect storms"): a server holding N clients is killed
 * (SIGKILL) and its clients come back to the survivor under a reconnect policy
 * (experiment/reconnect-policy.ts), as they would through a health-checked load balancer whose
 * only live backend is the survivor. Per policy, in one run each, on fresh servers:
 *
 * - established clients' WHO p99 on the survivor during the storm ÷ the same clients' p99 in the
 *   quiet seconds before it (target with jittered backoff: <= 2);
 * - a reconnecting client's connect-to-first-reply p50 and p99 ÷ a quiet newcomer's p50;
 * - how long the survivor takes to absorb them (the kill to the last client's first reply) ÷
 *   the policy's window (its ceiling: the base for full jitter's first attempt, the spread).
 *
 * Servers: two `headcount serve` processes in mode local (no Redis: what a storm costs the server
 * that absorbs it; mode A adds one Redis write per connect, coalesced, see `mode-a`). The storm's
 * clients run in a child process (`tsx bench/reconnect-storm.ts storm ...`) so their own work
 * does not delay the established clients' timers in this process. `BENCH_STORM_CLIENTS` (default
 * 2,000) sets N.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'hdr-histogram-js';
import {
  type ReconnectPolicy,
  reconnectCeilingMs,
  reconnectDelayMs,
  reconnectPolicySchema,
} from '../experiment/reconnect-policy.ts';
import { spawnHeadcount } from '../test/support/spawn-headcount.ts';
import { type BenchRow, isMain, printRows, row, writeRows } from './report.ts';

const thisFile = fileURLToPath(import.meta.url);
const stormClients = Number(process.env.BENCH_STORM_CLIENTS ?? 2_000);
/** Established clients on the survivor and their open-loop WHO rate (all together). */
const establishedClients = 20;
const establishedWhoPerSec = 400;
const quietMs = 3_000;
/** The storm is over at the last reconnect, or after this long (a bound, reported if hit). */
const stormMaxMs = 30_000;

/** The policies compared; their knobs are what a client library would be configured with. */
export const stormPolicies: readonly ReconnectPolicy[] = [
  reconnectPolicySchema.parse({ kind: 'immediate' }),
  reconnectPolicySchema.parse({
    kind: 'backoff-jitter',
    baseMs: Number(process.env.BENCH_STORM_JITTER_BASE_MS ?? 5_000),
    capMs: 30_000,
  }),
  reconnectPolicySchema.parse({ kind: 'spread', spreadMs: 2_000 }),
];

interface StormReport {
  absorbedMs: number;
  reconnected: number;
  firstReplyMsP50: number;
  firstReplyMsP99: number;
}

/** One line in, `42` out; resolves with the connect-to-first-reply time (ms). */
function connectAndAsk(port: number, keep: net.Socket[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write('WHY\n'));
    socket.once('data', () => {
      keep.push(socket);
      resolve(performance.now() - startedAt);
    });
    socket.once('error', reject);
  });
}

/**
 * Child mode: N clients held on the victim; when a client's connection breaks it waits its
 * policy's draw and reconnects to the survivor (retrying on an error after another draw, the
 * attempt counting up). Prints `ready`, then one JSON report once every client is back.
 */
async function storm(
  victimPort: number,
  survivorPort: number,
  count: number,
  policy: ReconnectPolicy,
): Promise<void> {
  const held: net.Socket[] = [];
  for (let index = 0; index < count; index += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - index) }, () => connectAndAsk(victimPort, held)),
    );
  }
  const firstReply = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let back = 0;
  let brokeAt: number | undefined;
  const again: net.Socket[] = [];
  const reconnect = (attempt: number) => {
    setTimeout(
      () => {
        connectAndAsk(survivorPort, again).then(
          (ms) => {
            firstReply.recordValue(Math.max(1, Math.round(ms * 1_000)));
            back += 1;
            if (back === count)
              process.stdout.write(
                `${JSON.stringify({
                  absorbedMs: performance.now() - brokeAt!,
                  reconnected: back,
                  firstReplyMsP50: firstReply.getValueAtPercentile(50) / 1_000,
                  firstReplyMsP99: firstReply.getValueAtPercentile(99) / 1_000,
                } satisfies StormReport)}\n`,
              );
          },
          () => reconnect(attempt + 1),
        );
      },
      reconnectDelayMs(policy, attempt, Math.random()),
    );
  };
  for (const socket of held) {
    socket.on('error', () => {});
    socket.once('close', () => {
      brokeAt ??= performance.now();
      reconnect(0);
    });
  }
  process.on('SIGTERM', () => process.exit(0));
  process.stdout.write('ready\n');
  await new Promise(() => {});
}

/** Established clients asking WHO open-loop; latencies (µs) go to whichever histogram is current. */
async function establish(port: number) {
  const sockets: net.Socket[] = [];
  for (let index = 0; index < establishedClients; index += 1) await connectAndAsk(port, sockets);
  const histogram = () =>
    build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 600_000_000,
      numberOfSignificantValueDigits: 3,
    });
  let current = histogram();
  const sentAt = sockets.map(() => [] as number[]);
  sockets.forEach((socket, index) => {
    socket.on('data', (chunk: Buffer) => {
      for (let k = 0; k < chunk.length; k += 1)
        if (chunk[k] === 10) {
          const at = sentAt[index]!.shift();
          if (at !== undefined)
            current.recordValue(Math.max(1, Math.round((performance.now() - at) * 1_000)));
        }
    });
  });
  const perTickMs = 5;
  const perTick = (establishedWhoPerSec * perTickMs) / 1_000;
  let next = 0;
  let owed = 0;
  const timer = setInterval(() => {
    owed += perTick;
    while (owed >= 1) {
      owed -= 1;
      const index = next++ % sockets.length;
      sentAt[index]!.push(performance.now());
      sockets[index]!.write('WHO\n');
    }
  }, perTickMs);
  return {
    /** The histogram so far, and a fresh one from now on. */
    cut() {
      const done = current;
      current = histogram();
      return done;
    },
    close() {
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
    },
  };
}

async function quietNewcomerMsP50(port: number): Promise<number> {
  const sockets: net.Socket[] = [];
  const times: number[] = [];
  for (let index = 0; index < 21; index += 1) times.push(await connectAndAsk(port, sockets));
  for (const socket of sockets) socket.destroy();
  return times.sort((a, b) => a - b)[10]!;
}

function stormChild(victimPort: number, survivorPort: number, policy: ReconnectPolicy): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      thisFile,
      'storm',
      String(victimPort),
      String(survivorPort),
      String(stormClients),
      JSON.stringify(policy),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

async function lineFrom(child: ChildProcess, timeoutMs: number): Promise<string> {
  let buffered = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`storm child: no line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(buffered.slice(0, end));
    };
    child.stdout!.on('data', onData);
  });
}

export function policyLabel(policy: ReconnectPolicy): string {
  if (policy.kind === 'backoff-jitter') return `full jitter (base ${policy.baseMs / 1000} s)`;
  if (policy.kind === 'spread') return `spread over ${policy.spreadMs / 1000} s`;
  return 'at once';
}

async function stormRows(policy: ReconnectPolicy): Promise<BenchRow[]> {
  const flags = [
    'serve',
    '--port',
    '0',
    '--log-level',
    'warn',
    '--max-connections',
    String(stormClients * 2 + 100),
  ];
  const victim = await spawnHeadcount(flags);
  const survivor = await spawnHeadcount(flags);
  const child = stormChild(victim.port, survivor.port, policy);
  try {
    const ready = await lineFrom(child, 60_000);
    if (ready !== 'ready') throw new Error(`storm child: ${ready}`);
    const newcomerQuietMs = await quietNewcomerMsP50(survivor.port);
    const established = await establish(survivor.port);
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const quiet = established.cut();
    const reported = lineFrom(child, stormMaxMs);
    victim.kill('SIGKILL');
    const report = JSON.parse(await reported) as StormReport;
    const during = established.cut();
    established.close();
    const label = policyLabel(policy);
    const window = reconnectCeilingMs(policy, 0);
    return [
      row(
        `established WHO p99 during storm, ${label}`,
        'ms',
        during.getValueAtPercentile(99) / 1_000,
        quiet.getValueAtPercentile(99) / 1_000,
        'quiet p99',
        policy.kind === 'backoff-jitter' ? '<= 2' : '',
      ),
      row(
        `reconnecting client first reply p50, ${label}`,
        'ms',
        report.firstReplyMsP50,
        newcomerQuietMs,
        'quiet newcomer',
        '',
      ),
      row(
        `reconnecting client first reply p99, ${label}`,
        'ms',
        report.firstReplyMsP99,
        newcomerQuietMs,
        'quiet newcomer',
        '',
      ),
      row(
        `${stormClients.toLocaleString('en-US')} clients absorbed, ${label}`,
        'ms',
        report.absorbedMs,
        Math.max(1, window),
        window === 0 ? 'no window' : 'policy window',
        '',
      ),
    ];
  } finally {
    child.kill('SIGTERM');
    victim.kill('SIGKILL');
    survivor.kill('SIGTERM');
    await Promise.all([victim.exited, survivor.exited, once(child, 'exit')]).catch(() => {});
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const policy of stormPolicies) rows.push(...(await stormRows(policy)));
  return rows;
}

if (process.argv[2] === 'storm') {
  await storm(
    Number(process.argv[3]),
    Number(process.argv[4]),
    Number(process.argv[5]),
    reconnectPolicySchema.parse(JSON.parse(process.argv[6]!)),
  );
} else if (isMain(import.meta.url)) {
  const rows = await run();
  printRows('reconnect-storm', rows);
  writeRows('reconnect-storm', rows, { stormClients, establishedClients, establishedWhoPerSec });
}
