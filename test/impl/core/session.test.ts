/**
 * The session driven in-process (fastify's `inject()` idea): bytes in, reply text out, with a
 * fake host whose WHO answers can be held back to test ordering.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import type { WhoCallback } from '../../../impl/core/counting-backend.ts';
import { serverLimitsDefault } from '../../../impl/core/limits.ts';
import { LineDecoder, type LineVisitor } from '../../../impl/core/line-decoder.ts';
import { errors, helpReply, parseVerb, unknownCommandReply, whyReply } from '../../../impl/core/protocol.ts';
import {
  formatWho,
  type ProtocolErrorKind,
  Session,
  type SessionHost,
  type SessionObserver,
} from '../../../impl/core/session.ts';

class FakeHost implements SessionHost {
  readonly serverId = 'server-1';
  infoAtMs: number[] = [];
  held: WhoCallback[] = [];
  holdWho = false;
  total = 7;
  woken = 0;
  who(nowMs: number, done: WhoCallback): void {
    if (this.holdWho) this.held.push(done);
    else done({ kind: 'count', total: this.total, source: 'local', ageMs: 0 }, nowMs);
  }
  info(nowMs: number): Record<string, unknown> {
    this.infoAtMs.push(nowMs);
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

  test('after QUIT an unknown word and invalid bytes in the same chunk get no reply', () => {
    expect(run('QUIT\nfoo\nWH\u0000\n').out).toBe('BYE\n');
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

  test('a WHO answered while another session decodes wakes the host for its own session only', () => {
    // A host that answers every waiting WHO whenever any session asks (one count read serves all).
    class SharedAnswerHost extends FakeHost {
      waiting: WhoCallback[] = [];
      wokenSessions: Session[] = [];
      override who(nowMs: number, done: WhoCallback): void {
        this.waiting.push(done);
        if (this.waiting.length < 2) return;
        for (const waiter of this.waiting.splice(0)) waiter({ kind: 'count', total: 2, source: 'redis', ageMs: 0 }, nowMs);
      }
      override wake(session?: Session): void {
        if (session !== undefined) this.wokenSessions.push(session);
      }
    }
    const host = new SharedAnswerHost();
    const first = new Session(host, limits, 0);
    const second = new Session(host, limits, 0);
    first.receive(Buffer.from('WHO\n'), 10);
    second.receive(Buffer.from('WHO\n'), 20);
    expect(first.takeOutput()).toBe('2\n');
    expect(second.takeOutput()).toBe('2\n');
    expect(host.wokenSessions).toEqual([first]);
  });

  test('a WHO answered after the client left is dropped', () => {
    const host = new FakeHost();
    host.holdWho = true;
    const { session } = run('WHO\n', host);
    session.closed('peer');
    host.held[0]!({ kind: 'count', total: 1, source: 'local', ageMs: 0 }, 1);
    expect(session.takeOutput()).toBe('');
    expect(host.woken).toBe(0);
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

/** A host that records what the session tells its observer. */
class ObservedHost extends FakeHost {
  commands: [string, number][] = [];
  errors: ProtocolErrorKind[] = [];
  readonly observer: SessionObserver = {
    command: (verb, durationMs) => this.commands.push([verb, durationMs]),
    protocolError: (kind) => this.errors.push(kind),
  };
}

function holding(): FakeHost {
  const host = new FakeHost();
  host.holdWho = true;
  return host;
}

describe('session: back-pressure limits', () => {
  test('output of exactly outputBytesMax bytes leaves no room: decoding pauses until it is taken', () => {
    const session = new Session(new FakeHost(), { ...limits, outputBytesMax: 3 }, 0);
    session.receive(Buffer.from('WHY\nWHY\n'), 0);
    expect(session.wantsInput()).toBe(false);
    expect(session.takeOutput()).toBe('42\n');
    expect(session.hasBacklog).toBe(true);
    session.continueInput(0);
    expect(session.takeOutput()).toBe('42\n');
    expect(session.hasBacklog).toBe(false);
    expect(session.wantsInput()).toBe(true);
  });

  test('output one byte under outputBytesMax still leaves room for the next line', () => {
    const session = new Session(new FakeHost(), { ...limits, outputBytesMax: 4 }, 0);
    session.receive(Buffer.from('WHY\nWHY\n'), 0);
    expect(session.takeOutput()).toBe('42\n42\n');
  });

  test('one reply under pendingRepliesMax the session still wants input', () => {
    const session = new Session(holding(), limits, 0);
    session.receive(Buffer.from('WHO\n'.repeat(limits.pendingRepliesMax - 1)), 0);
    expect(session.pendingReplies).toBe(limits.pendingRepliesMax - 1);
    expect(session.wantsInput()).toBe(true);
  });

  test('a fresh session wants input and has no backlog or partial line', () => {
    const session = new Session(new FakeHost(), limits, 0);
    expect(session.wantsInput()).toBe(true);
    expect(session.hasBacklog).toBe(false);
    expect(session.partialLineBytes).toBe(0);
    session.continueInput(0);
    expect(session.takeOutput()).toBe('');
  });

  test('a partial line is held and counted until its newline arrives', () => {
    const session = new Session(new FakeHost(), limits, 0);
    session.receive(Buffer.from('WH'), 0);
    expect(session.partialLineBytes).toBe(2);
    expect(session.takeOutput()).toBe('');
    session.receive(Buffer.from('Y\n'), 0);
    expect(session.partialLineBytes).toBe(0);
    expect(session.takeOutput()).toBe('42\n');
  });
});

describe('session: deadlines reported to the host', () => {
  test('with only a maximum age, the next deadline is the age deadline and it ends the session', () => {
    const session = new Session(
      new FakeHost(),
      { ...limits, idleTimeoutMs: 0, connectionAgeMsMax: 500 },
      100,
    );
    expect(session.nextDeadlineMs()).toBe(600);
    session.onDeadline(599);
    expect(session.takeOutput()).toBe('');
    session.onDeadline(600);
    expect(session.takeOutput()).toBe('BYE max age\n');
    expect(session.closeReason).toBe('max-age');
  });

  test('with idle and age limits both set, the earlier deadline is reported and decides the BYE', () => {
    const both = { ...limits, idleTimeoutMs: 1_000, connectionAgeMsMax: 5_000 };
    const idleFirst = new Session(new FakeHost(), both, 0);
    expect(idleFirst.nextDeadlineMs()).toBe(1_000);
    idleFirst.onDeadline(1_000);
    expect(idleFirst.takeOutput()).toBe('BYE idle\n');

    const ageFirst = new Session(new FakeHost(), both, 0);
    ageFirst.receive(Buffer.from('WHY\n'), 4_500);
    expect(ageFirst.nextDeadlineMs()).toBe(5_000);
    ageFirst.onDeadline(5_000);
    expect(ageFirst.takeOutput()).toBe('42\nBYE max age\n');
  });

  test('a client both idle and past its maximum age is told max age', () => {
    const session = new Session(
      new FakeHost(),
      { ...limits, idleTimeoutMs: 1_000, connectionAgeMsMax: 1_000 },
      0,
    );
    session.onDeadline(1_000);
    expect(session.takeOutput()).toBe('BYE max age\n');
  });

  propertyTest.prop([
    fc.double({ min: 0, max: 1e9, noNaN: true }),
    fc.double({ min: 0, max: 1e6, noNaN: true }),
    fc.integer({ min: 1, max: 100_000 }),
  ])(
    'with a real clock\'s fractional times, the idle deadline never comes before the limit has passed, nor a millisecond after',
    (openedAtMs, quietMs, idleTimeoutMs) => {
      const session = new Session(new FakeHost(), { ...limits, idleTimeoutMs }, openedAtMs);
      const lastInputAtMs = openedAtMs + quietMs;
      session.receive(Buffer.from('WHY\n'), lastInputAtMs);
      session.takeOutput();
      const deadlineMs = session.nextDeadlineMs()!;
      expect(deadlineMs).toBeGreaterThanOrEqual(lastInputAtMs + idleTimeoutMs);
      expect(deadlineMs).toBeLessThanOrEqual(lastInputAtMs + idleTimeoutMs + 1);
      session.onDeadline(lastInputAtMs + idleTimeoutMs - 0.5);
      expect(session.takeOutput()).toBe('');
    },
  );

  test('idleTimeoutMs 0 means no idle limit: no deadline and never BYE idle', () => {
    const session = new Session(new FakeHost(), { ...limits, idleTimeoutMs: 0, connectionAgeMsMax: 0 }, 0);
    expect(session.nextDeadlineMs()).toBeUndefined();
    session.onDeadline(10_000_000);
    expect(session.takeOutput()).toBe('');
    expect(session.state).toBe('open');
  });

  test('input moves the idle deadline; a deadline call before it does nothing', () => {
    const session = new Session(new FakeHost(), limits, 0);
    session.receive(Buffer.from('WHY\n'), 600);
    session.takeOutput();
    expect(session.nextDeadlineMs()).toBe(1_600);
    session.onDeadline(1_000);
    expect(session.takeOutput()).toBe('');
    session.onDeadline(1_600);
    expect(session.takeOutput()).toBe('BYE idle\n');
  });

  test('a closing session reports no deadline and ignores deadline calls', () => {
    const { session } = run('QUIT\n');
    expect(session.nextDeadlineMs()).toBeUndefined();
    session.onDeadline(5_000);
    expect(session.takeOutput()).toBe('');
    expect(session.closeReason).toBe('quit');
  });
});

describe('session: fenced (mode C lease lost)', () => {
  test('the fence refuses a pending WHO but keeps the reply computed behind it', () => {
    const host = holding();
    const { out, session } = run('WHO\nWHY\n', host);
    expect(out).toBe('');
    session.fence();
    expect(session.takeOutput()).toBe('ERR unavailable lease lost\n42\nBYE lease lost\n');
    expect(session.closeReason).toBe('fenced');
    expect(session.shouldClose).toBe(true);
  });

  test('a WHO already answered behind a pending one keeps its count through the fence', () => {
    const host = holding();
    const { session } = run('WHO\nWHO\n', host);
    host.held[1]!({ kind: 'count', total: 42, source: 'local', ageMs: 0 }, 1);
    expect(session.takeOutput()).toBe('');
    session.fence();
    expect(session.takeOutput()).toBe('ERR unavailable lease lost\n42\nBYE lease lost\n');
  });

  test('a WHO answered after the fence refused it is dropped', () => {
    const host = holding();
    const { session } = run('WHO\n', host);
    session.fence();
    session.takeOutput();
    host.held[0]!({ kind: 'count', total: 5, source: 'local', ageMs: 0 }, 1);
    expect(session.takeOutput()).toBe('');
    expect(host.woken).toBe(0);
  });

  test('a fence after QUIT behind a pending WHO keeps the BYE it owed', () => {
    const host = holding();
    const { session } = run('WHO\nQUIT\n', host);
    session.fence();
    expect(session.takeOutput()).toBe('ERR unavailable lease lost\nBYE\n');
    expect(session.closeReason).toBe('quit');
    expect(session.shouldClose).toBe(true);
  });

  test('a second fence, or a fence on a closing session, adds nothing', () => {
    const fenced = run('', holding()).session;
    fenced.fence();
    fenced.takeOutput();
    fenced.fence();
    expect(fenced.takeOutput()).toBe('');

    const quitting = run('QUIT\n').session;
    quitting.takeOutput();
    quitting.fence();
    expect(quitting.takeOutput()).toBe('');
    expect(quitting.closeReason).toBe('quit');
  });
});

describe('session: closing', () => {
  test('a drain twice says BYE shutting down once, and a drain after QUIT says nothing', () => {
    const session = new Session(new FakeHost(), limits, 0);
    session.drain();
    session.drain();
    expect(session.takeOutput()).toBe('BYE shutting down\n');
    expect(session.closeReason).toBe('draining');
    const quit = run('QUIT\n').session;
    quit.takeOutput();
    quit.drain();
    expect(quit.takeOutput()).toBe('');
  });

  test('input after QUIT is ignored, also when it arrives in a later chunk', () => {
    const { session } = run('QUIT\n');
    session.takeOutput();
    session.receive(Buffer.from('WHY\n'), 1);
    expect(session.takeOutput()).toBe('');
    expect(session.state).toBe('closing');
    session.receive(Buffer.from('WH'), 2);
    expect(session.partialLineBytes).toBe(0);
  });

  test('closed keeps the first reason, drops owed output and ends in state closed', () => {
    const host = holding();
    const { session } = run('WHY\nWHO\nWHY\n', host);
    session.closed('peer');
    session.closed('error');
    expect(session.state).toBe('closed');
    expect(session.closeReason).toBe('peer');
    expect(session.pendingReplies).toBe(0);
    expect(session.takeOutput()).toBe('');
    expect(session.wantsInput()).toBe(false);
    expect(session.hasBacklog).toBe(false);
    expect(session.shouldClose).toBe(false);
  });

  test('QUIT is answered even when its reply exactly fills the room left', () => {
    const session = new Session(new FakeHost(), { ...limits, outputBytesMax: 4 }, 0);
    session.receive(Buffer.from('QUIT\nWHY\n'), 0);
    expect(session.takeOutput()).toBe('BYE\n');
    expect(session.shouldClose).toBe(true);
  });
});

describe('session: what the host and observer are told', () => {
  test('a WHO answered synchronously does not wake the host; a late one does, once', () => {
    const host = new FakeHost();
    run('WHO\n', host);
    expect(host.woken).toBe(0);
    const late = holding();
    run('WHO\n', late);
    late.held[0]!({ kind: 'count', total: 1, source: 'local', ageMs: 0 }, 1);
    expect(late.woken).toBe(1);
  });

  test('the observer hears each command with a WHO timed from asking to answer', () => {
    const host = new ObservedHost();
    host.holdWho = true;
    const session = new Session(host, limits, 0);
    session.receive(Buffer.from('WHERE\nWHO\n'), 100);
    host.held[0]!({ kind: 'count', total: 1, source: 'local', ageMs: 0 }, 130);
    session.receive(Buffer.from('QUIT\n'), 140);
    expect(host.commands).toEqual([
      ['WHERE', 0],
      ['WHO', 30],
      ['QUIT', 0],
    ]);
  });

  test('a WHO answered with a clock that went back is timed as 0 ms, not negative', () => {
    const host = new ObservedHost();
    host.holdWho = true;
    const session = new Session(host, limits, 0);
    session.receive(Buffer.from('WHO\n'), 100);
    host.held[0]!({ kind: 'count', total: 1, source: 'local', ageMs: 0 }, 90);
    expect(host.commands).toEqual([['WHO', 0]]);
  });

  test('the observer hears each protocol error by kind, an overlong line once', () => {
    const host = new ObservedHost();
    const session = new Session(host, { ...limits, lineBytesMax: 8 }, 0);
    session.receive(Buffer.from('NOPE\nA\u0001\n'), 0);
    session.receive(Buffer.from('x'.repeat(20)), 0);
    session.receive(Buffer.from('x'.repeat(20)), 0);
    expect(host.errors).toEqual(['unknown-command', 'invalid-bytes', 'line-too-long']);
    expect(session.takeOutput()).toBe('ERR unknown command NOPE\nERR invalid bytes\nERR line too long\n');
  });

  test('INFO asks the host for its info at the time the line was received', () => {
    const host = new FakeHost();
    const session = new Session(host, limits, 0);
    session.receive(Buffer.from('INFO\n'), 1_234);
    expect(host.infoAtMs).toEqual([1_234]);
  });

  test('an unavailable WHO without a reason answers plain ERR unavailable', () => {
    expect(formatWho({ kind: 'unavailable', reason: '' })).toBe('ERR unavailable');
    expect(formatWho({ kind: 'count', total: 0, source: 'local', ageMs: 0 })).toBe('0');
  });
});

describe('session: closing with input still held', () => {
  test('a drain drops the input held back for lack of room: there is no backlog left to continue', () => {
    const session = new Session(new FakeHost(), { ...limits, outputBytesMax: 3 }, 0);
    session.receive(Buffer.from('WHY\nWHY\n'), 0);
    expect(session.hasBacklog).toBe(true);
    session.drain();
    expect(session.hasBacklog).toBe(false);
    session.continueInput(1);
    expect(session.takeOutput()).toBe('42\nBYE shutting down\n');
  });

  test('an invalid line after QUIT in the same chunk adds nothing after BYE', () => {
    expect(run('QUIT\nA\u0001\n').out).toBe('BYE\n');
  });

  test('an overlong line after QUIT in the same chunk adds nothing after BYE', () => {
    const { out, session } = run(`QUIT\n${'x'.repeat(2_000)}`);
    expect(out).toBe('BYE\n');
    expect(session.closeReason).toBe('quit');
  });

  test('a closing session asks to be closed only once its last reply has been taken', () => {
    const session = new Session(new FakeHost(), limits, 0);
    session.receive(Buffer.from('QUIT\n'), 0);
    expect(session.state).toBe('closing');
    expect(session.shouldClose).toBe(false);
    session.takeOutput();
    expect(session.shouldClose).toBe(true);
  });
});

describe('session: hosts that misbehave or lack abilities', () => {
  test('a host that answers one WHO twice is a programmer error, named', () => {
    const host = holding();
    run('WHO\n', host);
    host.held[0]!({ kind: 'count', total: 1, source: 'local', ageMs: 0 }, 1);
    expect(() => host.held[0]!({ kind: 'count', total: 2, source: 'local', ageMs: 0 }, 2)).toThrow(
      'a WHO answered twice',
    );
  });

  test('a host without wake still gets a late WHO answer on its next takeOutput', () => {
    const held: ((
      reply: { kind: 'count'; total: number; source: 'local'; ageMs: number },
      nowMs: number,
    ) => void)[] = [];
    const host: SessionHost = {
      serverId: 's',
      who: (_nowMs, done) => held.push(done),
      info: () => ({}),
    };
    const session = new Session(host, limits, 0);
    session.receive(Buffer.from('WHO\n'), 0);
    held[0]!({ kind: 'count', total: 3, source: 'local', ageMs: 0 }, 1);
    expect(session.takeOutput()).toBe('3\n');
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

describe('session: the verb fast path', () => {
  /**
   * Goal: the decoder's verb-from-bytes route (taken by the session) answers exactly what the
   * general route answers. Method: the reference decodes the whole input at once with a visitor
   * that has no `verb` method, so every line reaches it as text and is parsed with `parseVerb`;
   * the session is fed the same bytes split at arbitrary points.
   */
  const word = fc.oneof(
    fc.constantFrom(
      'WHY',
      'why',
      'WhErE',
      'help',
      'WHO',
      'WH',
      'WHYY',
      'wh{',
      'WHY x',
      'x',
      'caf\u00e9',
      'A\u0000B',
    ),
    fc.string({ unit: fc.constantFrom('W', 'h', 'Y', 'e', 'r', ' ', '\t', '{', '\r'), maxLength: 7 }),
  );
  const line = fc
    .tuple(
      fc.constantFrom('', ' ', '\t '),
      word,
      fc.constantFrom('', ' ', '\t'),
      fc.constantFrom('\n', '\r\n'),
    )
    .map((parts) => parts.join(''));

  function referenceReplies(input: Buffer): { out: string; commands: number } {
    let out = '';
    let commands = 0;
    const general: LineVisitor = {
      line(text) {
        const verb = parseVerb(text);
        if (verb === undefined) out += `${unknownCommandReply(text)}\n`;
        else {
          commands += 1;
          out += `${verb === 'WHY' ? whyReply : verb === 'HELP' ? helpReply : verb === 'WHO' ? '7' : 'server-1'}\n`;
        }
        return true;
      },
      invalid() {
        out += `${errors.invalidBytes}\n`;
        return true;
      },
    };
    new LineDecoder(limits.lineBytesMax).push(input, general);
    return { out, commands };
  }

  propertyTest.prop([fc.array(line, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 })])(
    'for any lines split into chunks anywhere, the replies and the commands the observer hears equal the general path',
    (lines, cuts) => {
      const input = Buffer.from(lines.join(''), 'latin1');
      const host = new ObservedHost();
      const session = new Session(host, limits, 0);
      const points = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
      let out = '';
      let from = 0;
      for (const to of [...points, input.length]) {
        session.receive(input.subarray(from, to), 0);
        out += session.takeOutput();
        from = to;
      }
      const reference = referenceReplies(input);
      expect(out).toBe(reference.out);
      expect(host.commands.length).toBe(reference.commands);
    },
  );
});

describe('session: input decoded later', () => {
  /** Input held back while output was full: the session pauses on WHY's reply, WHO waits. */
  function backlogged(host: FakeHost): Session {
    const session = new Session(host, { ...limits, outputBytesMax: 3 }, 0);
    session.receive(Buffer.from('WHY\nWHO\n'), 0);
    expect(session.takeOutput()).toBe('42\n');
    expect(session.hasBacklog).toBe(true);
    return session;
  }

  test('a WHO answered at once while continueInput decodes the backlog does not wake the host', () => {
    const host = new FakeHost();
    const session = backlogged(host);
    session.continueInput(1);
    expect(session.takeOutput()).toBe('7\n');
    expect(host.woken).toBe(0);
  });

  test('a WHO from the backlog answered after continueInput returned wakes the host', () => {
    const host = holding();
    const session = backlogged(host);
    session.continueInput(1);
    expect(session.pendingReplies).toBe(1);
    host.held[0]!({ kind: 'count', total: 3, source: 'local', ageMs: 0 }, 2);
    expect(host.woken).toBe(1);
    expect(session.takeOutput()).toBe('3\n');
  });
});
