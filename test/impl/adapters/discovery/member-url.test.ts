/**
 * Which count URLs a member may register (impl/adapters/discovery/member-url.ts) and which count
 * answers are counts (member-client.ts `countProblem`): pure checks, tested on their own.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { countProblem, memberCountMax } from '../../../../impl/adapters/discovery/member-client.ts';
import { checkCountUrl, parseMemberNetworks } from '../../../../impl/adapters/discovery/member-url.ts';

const fromLoopback = { networks: undefined, sourceAddress: '127.0.0.1', ownPorts: [7100] };

describe('member-url: a countUrl is http://IP:PORT/count inside the member networks', () => {
  test('a loopback count URL from a loopback registration is accepted as written', () => {
    expect(checkCountUrl('http://127.0.0.1:9100/count', fromLoopback)).toEqual({
      ok: true,
      value: 'http://127.0.0.1:9100/count',
    });
  });

  test("by default the registering connection's own address is accepted, others are not", () => {
    const context = { networks: undefined, sourceAddress: '::ffff:10.0.0.5', ownPorts: [] };
    expect(checkCountUrl('http://10.0.0.5:9100/count', context).ok).toBe(true);
    expect(checkCountUrl('http://10.0.0.6:9100/count', context).ok).toBe(false);
  });

  test('--member-networks replaces the default: inside is accepted, loopback outside it is not', () => {
    const networks = parseMemberNetworks(['10.0.0.0/8', 'fd00::/8']);
    if (!networks.ok) throw new Error(networks.error);
    const context = { networks: networks.value, sourceAddress: '192.168.1.1', ownPorts: [] };
    expect(checkCountUrl('http://10.200.0.1:9100/count', context).ok).toBe(true);
    expect(checkCountUrl('http://[fd00::1]:9100/count', context).ok).toBe(true);
    expect(checkCountUrl('http://127.0.0.1:9100/count', context).ok).toBe(false);
  });

  test.each(['10.0.0.0', '10.0.0.0/33', 'fd00::/129', 'host/8', '10.0.0.0/8/1', '10.0.0.0/x'])(
    '%s is not a CIDR block',
    (cidr) => {
      expect(parseMemberNetworks([cidr]).ok).toBe(false);
    },
  );

  test("a URL at this instance's own port on loopback is refused", () => {
    expect(checkCountUrl('http://127.0.0.1:7100/count', fromLoopback)).toMatchObject({ ok: false });
  });

  propertyTest.prop([fc.string({ maxLength: 200 })])(
    'any string is either refused or a /count URL',
    (text) => {
      const checked = checkCountUrl(text, fromLoopback);
      if (checked.ok) expect(new URL(checked.value).pathname).toBe('/count');
    },
  );
});

describe('member-client: a count is an integer from 0 to the stated bound', () => {
  test.each([0, 1, 7, memberCountMax])('%s is a count', (count) => {
    expect(countProblem(count, undefined)).toBeUndefined();
  });

  test.each([-1, 1.5, 1e308, memberCountMax + 1, Number.NaN, '7', null, undefined, 2 ** 53 + 2])(
    '%s is not a count',
    (count) => {
      expect(countProblem(count, undefined)).toBeDefined();
    },
  );

  test("a member's own countMax bounds its count, and must itself be within memberCountMax", () => {
    expect(countProblem(10, 10)).toBeUndefined();
    expect(countProblem(11, 10)).toBeDefined();
    expect(countProblem(1, memberCountMax + 1)).toBeDefined();
    expect(countProblem(1, -1)).toBeDefined();
  });
});
