/**
 * The fuzz targets: fast-check properties over the code that parses what strangers send. Shared
 * by the CI-sized vitest file (fuzz.test.ts) and the by-hand runner (run.ts), so a long run and
 * CI check exactly the same properties. Each target builds its property from a context it may
 * open (a spawned discovery instance) and close afterwards.
 *
 * The input grammar mixes protocol words with raw bytes: pure random bytes almost never form
 * `WHO\n`, so a fuzz of random bytes alone would test only the error paths.
 */
import fc from 'fast-check';
import { LineDecoder, type LineVisitor } from '../../impl/core/line-decoder.ts';
import { serverLimitsDefault } from '../../impl/core/limits.ts';
import { LocalBackend } from '../../impl/core/local-backend.ts';
import { ServerCore } from '../../impl/core/server-core.ts';
import type { Session } from '../../impl/core/session.ts';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';

/** Targets hold properties of different argument types; callers only run them. */
export type AnyProperty = fc.IRawProperty<never>;

export interface FuzzTarget {
  name: string;
  /** Runs in CI: enough to matter, small enough for a few seconds. */
  runsCi: number;
  open(): Promise<{ property: AnyProperty; close(): Promise<void> }>;
}

const words = ['WHO', 'WHY', 'WHERE', 'INFO', 'HELP', 'QUIT', 'who', ' WHY\t', 'WHO WHO', ''];
const endings = ['\n', '\r\n', '\r', ''];

/** Protocol-ish bytes: words, line endings, random bytes and the occasional very long run. */
export const hostileBytes: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.tuple(fc.constantFrom(...words), fc.constantFrom(...endings)).map(([w, e]) => w + e),
      },
      {
        weight: 3,
        arbitrary: fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 1_500 }).map((length) => 'A'.repeat(length)) },
    ),
    { maxLength: 40 },
  )
  .map((parts) => Uint8Array.from(Buffer.from(parts.join(''), 'latin1')));

/** Cut points for feeding `bytes` in pieces; the same bytes in other pieces must read the same. */
export function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  return pieces;
}

function decodeEvents(pieces: readonly Uint8Array[], lineBytesMax: number): string[] {
  const decoder = new LineDecoder(lineBytesMax);
  const events: string[] = [];
  const visitor: LineVisitor = {
    line: (text) => events.push(`line:${text}`) > 0,
    invalid: () => events.push('invalid') > 0,
  };
  for (const piece of pieces) {
    const status = decoder.push(piece, visitor);
    if (decoder.partialBytes > lineBytesMax + 1) throw new Error(`partial ${decoder.partialBytes} bytes`);
    if (status === 'too-long') {
      events.push('too-long');
      break;
    }
  }
  return events;
}

const lineDecoder: FuzzTarget = {
  name: 'line-decoder',
  runsCi: 2_000,
  open: async () => ({
    property: fc.property(
      hostileBytes,
      fc.array(fc.nat(), { maxLength: 20 }),
      fc.integer({ min: 1, max: 1_024 }),
      (bytes, cuts, lineBytesMax) => {
        const whole = decodeEvents([bytes], lineBytesMax);
        const pieces = decodeEvents(chunked(bytes, cuts), lineBytesMax);
        const single = decodeEvents(chunked(bytes, [...bytes.keys()]), lineBytesMax);
        if (JSON.stringify(pieces) !== JSON.stringify(whole)) throw new Error('chunking changed the lines');
        if (JSON.stringify(single) !== JSON.stringify(whole))
          throw new Error('byte-at-a-time changed the lines');
        for (const event of whole) {
          if (!event.startsWith('line:')) continue;
          const text = event.slice('line:'.length);
          if (!/^[\x20-\x7e\t]+$/.test(text) || text !== text.trim())
            throw new Error(`bad line ${JSON.stringify(text)}`);
        }
      },
    ) as unknown as AnyProperty,
    close: async () => {},
  }),
};

function newCore(lineBytesMax: number): ServerCore {
  const core = new ServerCore({
    serverId: 'fuzz-server',
    version: 'fuzz',
    limits: { ...serverLimitsDefault, lineBytesMax, pendingRepliesMax: 8 },
    backend: new LocalBackend(),
  });
  core.start(0);
  return core;
}

/** Feeds pieces as the TCP adapter does (only while the session wants input); returns everything it said. */
function converse(session: Session, pieces: readonly Uint8Array[]): string {
  let said = '';
  for (const piece of pieces) {
    if (!session.wantsInput()) break;
    session.receive(piece, 0);
    said += session.takeOutput();
  }
  return said + session.takeOutput();
}

const session: FuzzTarget = {
  name: 'session',
  runsCi: 1_000,
  open: async () => ({
    property: fc.property(
      hostileBytes,
      fc.array(fc.nat(), { maxLength: 20 }),
      fc.integer({ min: 4, max: 600 }),
      (bytes, cuts, lineBytesMax) => {
        const said = [[bytes], chunked(bytes, cuts)].map((pieces) => {
          const core = newCore(lineBytesMax);
          const admission = core.admit('10.0.0.1', 0);
          if (!admission.ok) throw new Error('refused');
          const text = converse(admission.session, pieces);
          if (admission.session.pendingReplies > 8) throw new Error('pendingRepliesMax exceeded');
          if (admission.session.partialLineBytes > lineBytesMax + 1)
            throw new Error('partial line unbounded');
          core.release(admission.session, 'peer', 0);
          if (core.sessions.size !== 0) throw new Error('a released session still counts');
          return text;
        });
        if (said[0] !== said[1]) throw new Error('the same bytes in other pieces got other replies');
        const text = said[0]!;
        if (text !== '' && !text.endsWith('\n')) throw new Error('a reply without its newline');
        for (const reply of text.split('\n').slice(0, -1)) {
          if (!/^[\x20-\x7e]+$/.test(reply)) throw new Error(`unprintable reply ${JSON.stringify(reply)}`);
          if (/^\d+$/.test(reply) && reply !== '1' && reply !== '42')
            throw new Error(`WHO said ${reply} with one client`);
        }
      },
    ) as unknown as AnyProperty,
    close: async () => {},
  }),
};

type CoreOp =
  | { kind: 'admit'; address: number }
  | { kind: 'feed'; index: number; bytes: Uint8Array }
  | { kind: 'release'; index: number }
  | { kind: 'tick'; advanceMs: number };

const coreOp: fc.Arbitrary<CoreOp> = fc.oneof(
  fc.record({ kind: fc.constant('admit' as const), address: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('feed' as const), index: fc.nat(), bytes: hostileBytes }),
  fc.record({ kind: fc.constant('release' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('tick' as const), advanceMs: fc.integer({ min: 0, max: 400_000 }) }),
);

/** The adapter's part, in miniature: feed, ask for deadlines, release sessions that should close. */
function runCore(ops: readonly CoreOp[]): void {
  const core = newCore(256);
  const live: Session[] = [];
  let nowMs = 0;
  const releaseAt = (index: number) => {
    const [gone] = live.splice(index, 1);
    core.release(gone!, 'peer', nowMs);
  };
  for (const op of ops) {
    if (op.kind === 'admit') {
      const admission = core.admit(`10.0.0.${op.address}`, nowMs);
      if (admission.ok) live.push(admission.session);
    } else if (op.kind === 'feed' && live.length > 0) {
      const target = live[op.index % live.length]!;
      if (target.wantsInput()) target.receive(op.bytes, nowMs);
      const replies = target.takeOutput().split('\n');
      for (const reply of replies) {
        if (/^\d+$/.test(reply) && reply !== String(core.sessions.size) && reply !== '42')
          throw new Error(`WHO said ${reply} with ${core.sessions.size} sessions`);
      }
    } else if (op.kind === 'release' && live.length > 0) {
      releaseAt(op.index % live.length);
    } else if (op.kind === 'tick') {
      nowMs += op.advanceMs;
      for (const each of live) if ((each.nextDeadlineMs() ?? Infinity) <= nowMs) each.onDeadline(nowMs);
    }
    for (let index = live.length - 1; index >= 0; index -= 1) {
      live[index]!.takeOutput();
      if (live[index]!.shouldClose) releaseAt(index);
    }
    if (core.sessions.size !== live.length)
      throw new Error(`core counts ${core.sessions.size}, ${live.length} live`);
  }
  while (live.length > 0) releaseAt(0);
  if (core.sessions.size !== 0) throw new Error('sessions left after every client is gone');
}

const serverCore: FuzzTarget = {
  name: 'server-core',
  runsCi: 300,
  open: async () => ({
    property: fc.property(fc.array(coreOp, { maxLength: 60 }), (ops) =>
      runCore(ops),
    ) as unknown as AnyProperty,
    close: async () => {},
  }),
};

/** Bodies for the discovery API: JSON-like, truncated JSON, wrong types, huge numbers, raw bytes. */
const discoveryBody = fc.oneof(
  fc.json(),
  fc
    .jsonValue()
    .map((value) => JSON.stringify({ serverId: value, address: value, count: value, epoch: value })),
  fc.json().map((text) => text.slice(0, Math.floor(text.length / 2))),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.integer({ min: 4_000, max: 9_000 }).map((length) => `{"serverId":"${'x'.repeat(length)}"}`),
);

const discoveryHttp: FuzzTarget = {
  name: 'discovery-http',
  runsCi: 150,
  open: async () => {
    const token = 'fuzz-token';
    const discovery: Spawned = await spawnHeadcount(['discovery', '--port', '0', '--log-level', 'info'], {
      env: { HEADCOUNT_TOKEN: token },
    });
    const base = `http://127.0.0.1:${discovery.port}`;
    const property = fc.asyncProperty(
      fc.constantFrom(
        'POST /v1/members',
        'GET /v1/members',
        'POST /v1/count',
        'GET /v1/count',
        'DELETE /v1/members/x',
        'PUT /v1/members',
        'POST /nope',
      ),
      discoveryBody,
      fc.boolean(),
      async (route, body, withToken) => {
        const [method, path] = route.split(' ') as [string, string];
        const response = await fetch(base + path, {
          method,
          headers: {
            'content-type': 'application/json',
            ...(withToken ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(method === 'GET' ? {} : { body }),
        });
        await response.arrayBuffer();
        if (!withToken && response.status !== 401)
          throw new Error(`${route} without a token got ${response.status}`);
        if (response.status >= 500 && !(route.endsWith('/v1/count') && response.status === 503))
          throw new Error(`${route} with body ${JSON.stringify(body.slice(0, 80))} got ${response.status}`);
        if (discovery.process.exitCode !== null) throw new Error('discovery exited');
      },
    ) as unknown as AnyProperty;
    return {
      property,
      close: async () => {
        discovery.kill('SIGKILL');
        await discovery.exited;
      },
    };
  },
};

export const fuzzTargets: readonly FuzzTarget[] = [lineDecoder, session, serverCore, discoveryHttp];
