import { describe, expect, test } from 'vitest';
import { registryKeys, workerLeaseKey } from '../../../../impl/core/mode-a/effects.ts';

describe('mode A: registry keys', () => {
  test('a fleet keeps its three keys and its worker leases under one {prefix} hash tag, so one Cluster slot', () => {
    expect(registryKeys('hc')).toEqual({
      counts: '{hc}:servers',
      expiry: '{hc}:expiry',
      total: '{hc}:total',
    });
    expect(workerLeaseKey('hc', 17)).toBe('{hc}:worker:17');
  });
});
