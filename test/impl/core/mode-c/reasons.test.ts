import { describe, expect, test } from 'vitest';
import type { MissingMember } from '../../../../impl/core/mode-c/effects.ts';
import { describeCallError, describeMissing } from '../../../../impl/core/mode-c/reasons.ts';

const missing = (serverId: string, code: MissingMember['code']): MissingMember => ({ serverId, code });

describe('mode C: short reasons for ERR unavailable and /readyz', () => {
  test('each missing member is named by the first 8 characters of its id and what went wrong', () => {
    expect(
      describeMissing([
        missing('0123456789abcdef', 'HC_MEMBER_TIMEOUT'),
        missing('b', 'HC_MEMBER_UNREACHABLE'),
        missing('c', 'HC_MEMBER_UNAUTHORIZED'),
      ]),
    ).toBe('01234567 timeout, b unreachable, c token refused');
    expect(
      describeMissing([missing('d', 'HC_MEMBER_WRONG_ID'), missing('e', 'HC_MEMBER_BAD_RESPONSE')]),
    ).toBe('d replaced, e bad answer');
  });

  test('beyond three missing members the rest are summed up as +N more', () => {
    const four = ['a', 'b', 'c', 'd'].map((id) => missing(id, 'HC_MEMBER_TIMEOUT'));
    expect(describeMissing(four)).toBe('a timeout, b timeout, c timeout +1 more');
    expect(describeMissing(four.slice(0, 3))).toBe('a timeout, b timeout, c timeout');
  });

  test('each discovery call error reads as the label and what happened', () => {
    expect(
      describeCallError(
        { code: 'HC_DISCOVERY_TIMEOUT', definite: false, instanceIndex: 0, timeoutMs: 250 },
        'd0',
      ),
    ).toBe('d0: no answer in 250 ms');
    expect(
      describeCallError(
        { code: 'HC_DISCOVERY_UNREACHABLE', definite: true, instanceIndex: 0, message: 'x' },
        'd0',
      ),
    ).toBe('d0: unreachable');
    expect(
      describeCallError({ code: 'HC_DISCOVERY_UNAUTHORIZED', definite: true, instanceIndex: 0 }, 'd1'),
    ).toBe('d1: token refused');
    expect(
      describeCallError(
        {
          code: 'HC_DISCOVERY_INCOMPLETE',
          definite: true,
          instanceIndex: 0,
          missing: [missing('s9', 'HC_MEMBER_TIMEOUT')],
        },
        'd0',
      ),
    ).toBe('d0: no answer from s9 timeout');
    expect(
      describeCallError(
        { code: 'HC_DISCOVERY_WARMING_UP', definite: true, instanceIndex: 0, warmInMs: 5 },
        'd0',
      ),
    ).toBe('d0: warming up');
    expect(
      describeCallError(
        { code: 'HC_DISCOVERY_BAD_RESPONSE', definite: false, instanceIndex: 0, message: 'x' },
        'd0',
      ),
    ).toBe('d0: bad answer');
  });
});
