/**
 * The session driven in-process (fastify's `inject()` idea): bytes in, reply text out, with a
 * fake host whose WHO answers can be held back to test ordering.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import type { WhoCallback } from '../../../impl/core/counting-backend.ts';
import { serverLimitsDefault } from '../../../impl/core/limits.ts';
import { Session, type SessionHost } from '../../../impl/core/session.ts';

class FakeHost implements SessionHost {
  readonly serverId = 'server-1';
  held: WhoCallback[] = [];
  holdWho = false;
  total = 7;
  woken = 0;
  who(nowMs: number, done: WhoCallback): void {
    if (this.holdWho) this.held.push(done);
    else done({ kind: 'count', total: this.total, source: 'local', ageMs: 0 }, nowMs);
  }
  info(): Record<string, unknown> {
    return { serverId: this.serverId, mode: 'local' };
  }
  wake(): void {
    this.woken += 1;
  }
}

const limits = { ...serverLimitsDefault, idleTimeoutMs: 1_000, connectionAgeMsMax: 0 };

function run(input: string | string[], host = new FakeHost()): { out: string; session: Session } {
  const session = new Session(host, limits, 0);
  for (const chunk of Array.isArray(input) ? input : [input])
    session.receive(Buffer.from(chunk, 'latin1'), 0);
  return { out: session.takeOutput(), session };
}

describe('session: commands', () => {
  test('WHO, WHERE and WHY answer the count, the id and 42', () => {
    expect(run('WHO\nWHERE\nWHY\n').out).toBe('7\nserver-1\n42\n');
  });

  test('commands are case-insensitive and trimmed, and \\r\\n clients get \\n replies', () => {
    expect(run(' why\t\r\nHeLp\r\n').out).toBe('42\nCOMMANDS WHO WHERE WHY INFO HELP QUIT\n');
  });

  test('INFO answers one line of JSON', () => {
    expect(JSON.parse(run('INFO\n').out)).toEqual({ serverId: 'server-1', mode: 'local' });
  });

  test('an unknown command is echoed cut to 32 printable characters and the connection stays open', () => {
    const { out, session } = run(`${'x'.repeat(40)} arg\nWHY\n`);
    expect(out).toBe(`ERR unknown command ${'x'.repeat(32)}\n42\n`);
    expect(session.state).toBe('open');
  });

  test('a known verb with an argument is not that verb', () => {
    expect(run('WHO everyone\n').out).toBe('ERR unknown command WHO\n');
  });

  test('a line with a NUL byte gets ERR invalid bytes and the next line is served', () => {
    expect(run('WH\u0000O\nWHY\n').out).toBe('ERR invalid bytes\n42\n');
  });

  test('QUIT answers BYE, ignores what follows and asks to close', () => {
    const { out, session } = run('QUIT\nWHY\n');
    expect(out).toBe('BYE\n');
    expect(session.shouldClose).toBe(true);
  });

  test('a line longer than lineBytesMax gets ERR line too long and the connection closes', () => {
    const { out, session } = run(['WHY\n', 'x'.repeat(2000)]);
    expect(out).toBe('42\nERR line too long\n');
    expect(session.shouldClose).toBe(true);
    expect(session.closeReason).toBe('line-too-long');
  });
});

describe('session: ordering with a WHO in flight', () => {
  test('replies after a pending WHO wait for it and leave in request order', () => {
    const host = new FakeHost();
    host.holdWho = true;
    const { out, session } = run('WHY\nWHO\nWHERE\nWHY\n', host);
    expect(out).toBe('42\n');
    expect(session.pendingReplies).toBe(3);
    host.held[0]!({ kind: 'count', total: 3, source: 'redis', ageMs: 1 }, 5);
    expect(session.takeOutput()).toBe('3\nserver-1\n42\n');
    expect(host.woken).toBe(1);
  });

  test('an unavailable WHO answers ERR unavailable with its reason', () => {
    const host = new FakeHost();
    host.holdWho = true;
    const { session } = run('WHO\n', host);
    host.held[0]!({ kind: 'unavailable', reason: 'server-2 did not answer' }, 5);
    expect(session.takeOutput()).toBe('ERR unavailable server-2 did not answer\n');
  });

  test('QUIT behind a pending WHO closes only after the WHO is answered', () => {
    const host = new FakeHost();
    host.holdWho = true;
    const { session } = run('WHO\nQUIT\n', host);
    expect(session.shouldClose).toBe(false);
    host.held[0]!({ kind: 'count', total: 1, source: 'local', ageMs: 0 }, 1);
    expect(session.takeOutput()).toBe('1\nBYE\n');
    expect(session.shouldClose).toBe(true);
  });

  test('the session stops wanting input once pendingRepliesMax replies wait', () => {
    const host = new FakeHost();
    host.holdWho = true;
    const { session } = run('WHO\n'.repeat(limits.pendingRepliesMax), host);
    expect(session.wantsInput()).toBe(false);
  });

  test('a WHO answered after the client left is dropped', () => {
    const host = new FakeHost();
    host.holdWho = true;
    const { session } = run('WHO\n', host);
    session.closed('peer');
    host.held[0]!({ kind: 'count', total: 1, source: 'local', ageMs: 0 }, 1);
    expect(session.takeOutput()).toBe('');
  });
});

describe('session: bounded output', () => {
  test('a chunk of many commands stops decoding at outputBytesMax and continueInput carries on in order', () => {
    const host = new FakeHost();
    const session = new Session(host, { ...limits, outputBytesMax: 100 }, 0);
    session.receive(Buffer.from('HELP\n'.repeat(50)), 0);
    const first = session.takeOutput();
    expect(first.length).toBeLessThan(100 + 40);
    expect(session.hasBacklog).toBe(true);
    expect(session.wantsInput()).toBe(false);
    let all = first;
    for (let round = 0; round < 100 && session.hasBacklog; round += 1) {
      session.continueInput(1);
      const out = session.takeOutput();
      expect(out.length).toBeLessThan(100 + 40);
      all += out;
    }
    expect(all).toBe('COMMANDS WHO WHERE WHY INFO HELP QUIT\n'.repeat(50));
    expect(session.wantsInput()).toBe(true);
  });
});

describe('session: deadlines', () => {
  test('an idle client gets BYE idle at its deadline', () => {
    const { session } = run('WHY\n');
    session.takeOutput();
    expect(session.nextDeadlineMs()).toBe(1_000);
    session.onDeadline(999);
    expect(session.takeOutput()).toBe('');
    session.onDeadline(1_000);
    expect(session.takeOutput()).toBe('BYE idle\n');
    expect(session.closeReason).toBe('idle');
  });

  test('a client past the maximum age gets its pending replies, then BYE max age', () => {
    const host = new FakeHost();
    host.holdWho = true;
    const session = new Session(host, { ...limits, connectionAgeMsMax: 500 }, 0);
    session.receive(Buffer.from('WHO\n'), 10);
    session.onDeadline(500);
    host.held[0]!({ kind: 'count', total: 2, source: 'local', ageMs: 0 }, 501);
    expect(session.takeOutput()).toBe('2\nBYE max age\n');
    expect(session.shouldClose).toBe(true);
  });

  test('a drain says BYE shutting down after what is owed', () => {
    const session = new Session(new FakeHost(), limits, 0);
    session.receive(Buffer.from('WHY\n'), 0);
    session.drain();
    expect(session.takeOutput()).toBe('42\nBYE shutting down\n');
  });
});

const command = fc.constantFrom(
  'WHO',
  'WHERE',
  'WHY',
  'HELP',
  'who',
  ' Why\t',
  'NOPE',
  'x\u0001',
  '',
  'INFO',
);
const terminator = fc.constantFrom('\n', '\r\n');

describe('session properties', () => {
  propertyTest.prop([
    fc
      .array(fc.tuple(command, terminator), { maxLength: 30 })
      .map((pairs) => pairs.map(([c, t]) => c + t).join('')),
    fc.array(fc.nat(), { maxLength: 10 }),
  ])(
    'any sequence of commands split into arbitrary chunks gets the same replies as unsplit input',
    (input, cuts) => {
      const data = Buffer.from(input, 'latin1');
      const points = [...new Set([0, ...cuts.map((cut) => cut % (data.length + 1)), data.length])].sort(
        (a, b) => a - b,
      );
      const chunks = points.slice(1).map((end, index) => data.toString('latin1', points[index]!, end));
      expect(run(chunks).out).toBe(run(input).out);
    },
  );
});
