import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { ConnectionTracker } from '../../../impl/core/connection-tracker.ts';
import type { FleetListener } from '../../../impl/core/counting-backend.ts';
import { LocalBackend } from '../../../impl/core/local-backend.ts';
import { serverLimitsDefault } from '../../../impl/core/limits.ts';
import { ServerCore } from '../../../impl/core/server-core.ts';
import type { Session } from '../../../impl/core/session.ts';

function core(overrides: Partial<typeof serverLimitsDefault> = {}): ServerCore {
  const server = new ServerCore({
    serverId: 's1',
    version: 'test',
    limits: { ...serverLimitsDefault, ...overrides },
    backend: new LocalBackend(),
  });
  server.start(0);
  return server;
}

function ask(session: Session, line: string): string {
  session.receive(Buffer.from(`${line}\n`), 0);
  return session.takeOutput();
}

describe('server core', () => {
  test('WHO in mode local counts this server clients, the asker included', () => {
    const server = core();
    const sessions = [1, 2, 3].map(() => server.admit('10.0.0.1', 0));
    const first = sessions[0]!;
    expect(first.ok && ask(first.session, 'WHO')).toBe('3\n');
  });

  test('past connectionsMax a client is refused as server-full', () => {
    const server = core({ connectionsMax: 2 });
    server.admit('a', 0);
    server.admit('a', 0);
    expect(server.admit('b', 0)).toEqual({ ok: false, reason: 'server-full' });
  });

  test('past connectionsPerIpMax a client from that address is refused, others are not', () => {
    const server = core({ connectionsPerIpMax: 1 });
    expect(server.admit('a', 0).ok).toBe(true);
    expect(server.admit('a', 0)).toEqual({ ok: false, reason: 'per-ip' });
    expect(server.admit('b', 0).ok).toBe(true);
  });

  test('a draining server refuses new clients', () => {
    const server = core();
    server.drain(0);
    expect(server.admit('a', 0)).toEqual({ ok: false, reason: 'draining' });
  });

  test('releasing a session twice is a programmer error', () => {
    const server = core();
    const admission = server.admit('a', 0);
    if (!admission.ok) throw new Error('refused');
    server.release(admission.session, 'peer', 0);
    expect(() => server.release(admission.session, 'peer', 0)).toThrow(
      'a session released twice or never admitted',
    );
  });

  propertyTest.prop([fc.array(fc.tuple(fc.boolean(), fc.constantFrom('a', 'b', 'c')), { maxLength: 200 })])(
    'whatever the order of connects and disconnects, when every client is gone every count is back to zero',
    (steps) => {
      const server = core({ connectionsMax: 50, connectionsPerIpMax: 20 });
      const open: Session[] = [];
      for (const [connect, address] of steps) {
        if (connect || open.length === 0) {
          const admission = server.admit(address, 0);
          if (admission.ok) open.push(admission.session);
        } else {
          server.release(open.shift()!, 'peer', 0);
        }
        expect(server.tracker.count).toBe(open.length);
      }
      for (const session of open.splice(0)) server.release(session, 'peer', 0);
      expect(server.tracker.count).toBe(0);
      expect(server.sessions.size).toBe(0);
      expect(server.admit('a', 0).ok).toBe(true);
    },
  );
});

/** Mode local, plus the fleet membership a mode C backend reports, switchable by the test. */
class FleetBackend extends LocalBackend {
  inFleetNow = true;
  stoppedAtMs: number[] = [];
  counts: [number, number][] = [];
  #listener: FleetListener | undefined;
  inFleet(): boolean {
    return this.inFleetNow;
  }
  onFleetChange(listener: FleetListener): void {
    this.#listener = listener;
  }
  leave(nowMs: number): void {
    this.inFleetNow = false;
    this.#listener?.(false, nowMs);
  }
  rejoin(nowMs: number): void {
    this.inFleetNow = true;
    this.#listener?.(true, nowMs);
  }
  override onLocalCount(count: number, nowMs = Number.NaN): void {
    super.onLocalCount(count);
    this.counts.push([count, nowMs]);
  }
  override stop(nowMs = Number.NaN): void {
    this.stoppedAtMs.push(nowMs);
  }
}

function fleetCore(backend: FleetBackend, overrides: Partial<typeof serverLimitsDefault> = {}): ServerCore {
  const server = new ServerCore({
    serverId: 's1',
    version: '1.2.3',
    limits: { ...serverLimitsDefault, ...overrides },
    backend,
  });
  server.start(10);
  return server;
}

function admitted(server: ServerCore, address: string, nowMs = 0): Session {
  const admission = server.admit(address, nowMs);
  if (!admission.ok) throw new Error(`refused: ${admission.reason}`);
  return admission.session;
}

describe('server core: admission and release', () => {
  test('a client that leaves frees its place under connectionsPerIpMax for the next from that address', () => {
    const server = core({ connectionsPerIpMax: 2 });
    const first = admitted(server, 'a');
    admitted(server, 'a');
    expect(server.admit('a', 0)).toEqual({ ok: false, reason: 'per-ip' });
    server.release(first, 'peer', 0);
    expect(server.admit('a', 0).ok).toBe(true);
    expect(server.admit('a', 0)).toEqual({ ok: false, reason: 'per-ip' });
  });

  test('a client that leaves frees its place under connectionsMax', () => {
    const server = core({ connectionsMax: 1 });
    const only = admitted(server, 'a');
    expect(server.admit('b', 0)).toEqual({ ok: false, reason: 'server-full' });
    server.release(only, 'peer', 0);
    expect(server.admit('b', 0).ok).toBe(true);
  });

  test('connectionsPerIpMax 0 means no per-address limit', () => {
    const server = core({ connectionsPerIpMax: 0, connectionsMax: 5 });
    for (let index = 0; index < 5; index += 1) expect(server.admit('a', 0).ok).toBe(true);
  });

  test('release closes the session with its reason and the count follows admits and releases', () => {
    const backend = new FleetBackend();
    const server = fleetCore(backend);
    const session = admitted(server, 'a', 20);
    admitted(server, 'b', 21);
    expect(server.tracker.count).toBe(2);
    expect(server.sessions.get(session)).toBe('a');
    server.release(session, 'idle', 30);
    expect(session.state).toBe('closed');
    expect(session.closeReason).toBe('idle');
    expect(server.tracker.count).toBe(1);
    expect(server.tracker.acceptedTotal).toBe(2);
    expect(backend.counts).toEqual([
      [0, 10],
      [1, 20],
      [2, 21],
      [1, 30],
    ]);
  });

  test('a session opened at admission time carries that time as its start', () => {
    const server = core();
    expect(admitted(server, 'a', 77).openedAtMs).toBe(77);
  });
});

describe('server core: drain and fence', () => {
  test('a drain says BYE shutting down to every client, stops the backend once and refuses newcomers', () => {
    const backend = new FleetBackend();
    const server = fleetCore(backend);
    const sessions = [admitted(server, 'a'), admitted(server, 'b')];
    expect(server.draining).toBe(false);
    server.drain(50);
    server.drain(60);
    expect(server.draining).toBe(true);
    expect(sessions.map((session) => session.takeOutput())).toEqual([
      'BYE shutting down\n',
      'BYE shutting down\n',
    ]);
    expect(backend.stoppedAtMs).toEqual([50]);
  });

  test('a server out of the fleet refuses clients as fenced, and admits again once back in', () => {
    const backend = new FleetBackend();
    const server = fleetCore(backend);
    backend.inFleetNow = false;
    expect(server.admit('a', 0)).toEqual({ ok: false, reason: 'fenced' });
    backend.inFleetNow = true;
    expect(server.admit('a', 0).ok).toBe(true);
  });

  test('leaving the fleet fences every session and tells the host each has output; rejoining fences nobody', () => {
    const backend = new FleetBackend();
    const server = fleetCore(backend);
    const woken: Session[] = [];
    server.onSessionOutput = (session) => woken.push(session);
    const sessions = [admitted(server, 'a'), admitted(server, 'b')];
    backend.rejoin(5);
    expect(woken).toEqual([]);
    backend.leave(6);
    expect(woken).toEqual(sessions);
    expect(sessions.map((session) => session.takeOutput())).toEqual(['BYE lease lost\n', 'BYE lease lost\n']);
  });

  test('a server whose host set no output handler still fences its sessions', () => {
    const backend = new FleetBackend();
    const server = fleetCore(backend);
    const session = admitted(server, 'a');
    backend.leave(6);
    expect(session.takeOutput()).toBe('BYE lease lost\n');
  });

  test('a late WHO answer wakes the host with the session that owes it', () => {
    const server = core();
    const woken: Session[] = [];
    server.onSessionOutput = (session) => woken.push(session);
    const session = admitted(server, 'a');
    server.wake(session);
    expect(woken).toEqual([session]);
  });
});

describe('server core: INFO', () => {
  test('INFO says id, mode, local count, version and whole milliseconds of uptime, then the backend facts', () => {
    const server = fleetCore(new FleetBackend());
    admitted(server, 'a');
    expect(server.info(1_010.6)).toEqual({
      serverId: 's1',
      mode: 'local',
      localConnections: 1,
      version: '1.2.3',
      uptimeMs: 1_001,
      whoSource: 'local',
      whoAgeMs: 0,
    });
  });

  test('uptime is 0 before start and never negative', () => {
    const server = new ServerCore({
      serverId: 's',
      version: 'v',
      limits: serverLimitsDefault,
      backend: new LocalBackend(),
    });
    expect(server.info(500)['uptimeMs']).toBe(0);
    server.start(1_000);
    expect(server.info(900)['uptimeMs']).toBe(0);
  });
});

describe('connection tracker', () => {
  test('every listener hears every change with the count and the time', () => {
    const tracker = new ConnectionTracker();
    const heard: string[] = [];
    tracker.onChange((count, nowMs) => heard.push(`first ${count}@${nowMs}`));
    tracker.onChange((count, nowMs) => heard.push(`second ${count}@${nowMs}`));
    tracker.connect(1);
    tracker.disconnect(2);
    expect(heard).toEqual(['first 1@1', 'second 1@1', 'first 0@2', 'second 0@2']);
    expect(tracker.acceptedTotal).toBe(1);
  });

  test('a disconnect without a matching connect is a programmer error', () => {
    const tracker = new ConnectionTracker();
    tracker.connect(0);
    tracker.disconnect(0);
    expect(() => tracker.disconnect(0)).toThrow('disconnect without a matching connect');
  });
});

describe('mode local', () => {
  test('WHO answers the last local count, from the local source, with no age', () => {
    const backend = new LocalBackend();
    const replies: unknown[] = [];
    backend.onLocalCount(4);
    backend.who(9, (reply, nowMs) => replies.push([reply, nowMs]));
    expect(replies).toEqual([[{ kind: 'count', total: 4, source: 'local', ageMs: 0 }, 9]]);
  });

  test('mode local has no effects or deadlines and is always ready', () => {
    const backend = new LocalBackend();
    backend.onDeadline();
    backend.onResult();
    backend.stop();
    expect(backend.mode).toBe('local');
    expect(backend.nextDeadlineMs()).toBeUndefined();
    expect(backend.takeEffects()).toEqual([]);
    expect(backend.readiness()).toEqual({ ready: true, reasons: [] });
    expect(backend.info()).toEqual({ whoSource: 'local', whoAgeMs: 0 });
  });
});
