import { describe, expect, test } from 'vitest';
import {
  checkModeAOptions,
  type ModeAOptions,
  modeAOptionsFrom,
  reconnectDelayMs,
} from '../../../../impl/core/mode-a/options.ts';

const flags = { ttlMs: 3_000, heartbeatMs: 1_000, publishDelayMs: 0, whoTimeoutMs: 200, whoCacheMs: 0 };

describe('mode A options', () => {
  test('the fixed limits are added to the flags and the result is frozen', () => {
    const options = modeAOptionsFrom(flags);
    expect(options).toEqual({
      ...flags,
      writeTimeoutMs: 1_000,
      retryBackoffMsMin: 50,
      retryBackoffMsMax: 1_000,
      readsInFlightMax: 64,
      removeAttemptsMax: 3,
    });
    expect(Object.isFrozen(options)).toBe(true);
  });

  test('the write timeout is the heartbeat, capped at 2 s and floored at 50 ms', () => {
    expect(modeAOptionsFrom({ ...flags, ttlMs: 30_000, heartbeatMs: 10_000 }).writeTimeoutMs).toBe(2_000);
    expect(modeAOptionsFrom({ ...flags, heartbeatMs: 2_000 }).writeTimeoutMs).toBe(2_000);
    expect(modeAOptionsFrom({ ...flags, heartbeatMs: 10 }).writeTimeoutMs).toBe(50);
    expect(modeAOptionsFrom({ ...flags, heartbeatMs: 50 }).writeTimeoutMs).toBe(50);
    expect(modeAOptionsFrom({ ...flags, heartbeatMs: 51 }).writeTimeoutMs).toBe(51);
  });

  const valid: ModeAOptions = modeAOptionsFrom(flags);
  const refused: [string, Partial<ModeAOptions>, string][] = [
    ['a zero ttl', { ttlMs: 0 }, 'ttlMs and heartbeatMs must be positive'],
    ['a zero heartbeat', { heartbeatMs: 0 }, 'ttlMs and heartbeatMs must be positive'],
    ['a negative publish delay', { publishDelayMs: -1 }, 'delays cannot be negative'],
    ['a negative who cache', { whoCacheMs: -1 }, 'delays cannot be negative'],
    ['a zero who timeout', { whoTimeoutMs: 0 }, 'timeouts must be positive'],
    ['a zero write timeout', { writeTimeoutMs: 0 }, 'timeouts must be positive'],
    ['a zero first backoff', { retryBackoffMsMin: 0 }, 'retryBackoffMsMin'],
    ['a first backoff above the last', { retryBackoffMsMin: 1_001 }, 'retryBackoffMsMin'],
    ['no reads in flight', { readsInFlightMax: 0 }, 'readsInFlightMax'],
    ['no remove attempts', { removeAttemptsMax: 0 }, 'removeAttemptsMax'],
  ];
  for (const [what, change, message] of refused) {
    test(`${what} is refused with a message naming it`, () => {
      expect(() => checkModeAOptions({ ...valid, ...change })).toThrow(message);
    });
  }

  test('zero delays, equal backoff bounds and one read and remove attempt are accepted', () => {
    expect(() =>
      checkModeAOptions({
        ...valid,
        publishDelayMs: 0,
        whoCacheMs: 0,
        retryBackoffMsMin: 1_000,
        readsInFlightMax: 1,
        removeAttemptsMax: 1,
      }),
    ).not.toThrow();
  });

  test('the reconnect schedule steps by a twentieth of its cap, from the first attempt, up to the cap', () => {
    expect([1, 2, 3, 19, 20, 21, 100].map((attempt) => reconnectDelayMs(attempt))).toEqual([
      50, 100, 150, 950, 1_000, 1_000, 1_000,
    ]);
    expect([1, 2, 20, 21].map((attempt) => reconnectDelayMs(attempt, 200))).toEqual([10, 20, 200, 200]);
    // A cap under 20 ms still steps by at least 1 ms.
    expect([1, 5, 6].map((attempt) => reconnectDelayMs(attempt, 5))).toEqual([1, 5, 5]);
  });
});
