import { describe, expect, test } from 'vitest';
import { lineBytesMaxCeiling, serverLimitsDefault } from '../../../impl/core/limits.ts';

describe('server limits', () => {
  test('the defaults are the documented ones, and frozen', () => {
    expect(serverLimitsDefault).toEqual({
      lineBytesMax: 1_024,
      pendingRepliesMax: 64,
      outputBytesMax: 16_384,
      writeStallMs: 10_000,
      connectionsMax: 10_000,
      connectionsPerIpMax: 0,
      idleTimeoutMs: 300_000,
      connectionAgeMsMax: 0,
      drainMs: 5_000,
    });
    expect(Object.isFrozen(serverLimitsDefault)).toBe(true);
  });

  test('a line may be at most 64 KiB whatever the flag says', () => {
    expect(lineBytesMaxCeiling).toBe(65_536);
  });
});
