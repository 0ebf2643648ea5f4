import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
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
    expect(() => server.release(admission.session, 'peer', 0)).toThrow();
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
