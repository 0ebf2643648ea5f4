import { describe, expect, test } from 'vitest';
import { MembershipTable, membersMax } from '../../../../impl/core/mode-c/membership.ts';

describe('mode C: the membership table', () => {
  test('a lease must be a positive whole number of milliseconds', () => {
    expect(() => new MembershipTable(0)).toThrow('leaseMs must be a positive integer');
    expect(() => new MembershipTable(1.5)).toThrow('leaseMs must be a positive integer');
    expect(new MembershipTable(1).leaseMs).toBe(1);
  });

  test('a new member gets a lease ending leaseMs from now; a renewal extends it and is not new', () => {
    const table = new MembershipTable(1_000);
    expect(table.register('s1', 'http://a', 100)).toEqual({
      ok: true,
      leaseMs: 1_000,
      replaced: undefined,
      isNew: true,
    });
    expect(table.nextExpiryAtMs()).toBe(1_100);
    expect(table.register('s1', 'http://a', 500)).toEqual({
      ok: true,
      leaseMs: 1_000,
      replaced: undefined,
      isNew: false,
    });
    expect(table.nextExpiryAtMs()).toBe(1_500);
    expect(table.size).toBe(1);
  });

  test('a lease counts up to, not at, its end', () => {
    const table = new MembershipTable(1_000);
    table.register('s1', 'http://a', 0);
    expect(table.live(999).map((member) => member.serverId)).toEqual(['s1']);
    expect(table.live(1_000)).toEqual([]);
    expect(table.expire(999)).toEqual([]);
    expect(table.expire(1_000)).toEqual(['s1']);
    expect(table.has('s1')).toBe(false);
    expect(table.nextExpiryAtMs()).toBeUndefined();
  });

  test('the next expiry is the earliest lease end, and expire drops exactly the members past it', () => {
    const table = new MembershipTable(1_000);
    table.register('late', 'http://b', 300);
    table.register('early', 'http://a', 100);
    table.register('middle', 'http://c', 200);
    expect(table.nextExpiryAtMs()).toBe(1_100);
    expect(table.expire(1_200)).toEqual(['early', 'middle']);
    expect(table.live(1_200)).toEqual([{ serverId: 'late', countUrl: 'http://b', expiresAtMs: 1_300 }]);
  });

  test('a different server registering a member address replaces that member', () => {
    const table = new MembershipTable(1_000);
    table.register('old', 'http://a', 0);
    expect(table.register('new', 'http://a', 10)).toEqual({
      ok: true,
      leaseMs: 1_000,
      replaced: 'old',
      isNew: true,
    });
    expect(table.has('old')).toBe(false);
    expect(table.size).toBe(1);
  });

  test('a member that moves to a new address frees its old one for another server', () => {
    const table = new MembershipTable(1_000);
    table.register('s1', 'http://a', 0);
    table.register('s1', 'http://b', 10);
    expect(table.register('s2', 'http://a', 20)).toMatchObject({ ok: true, replaced: undefined });
    expect(table.has('s1')).toBe(true);
    expect(table.register('s3', 'http://b', 30)).toMatchObject({ ok: true, replaced: 's1' });
  });

  test('removing a member frees its address, and removing twice says it was not there', () => {
    const table = new MembershipTable(1_000);
    table.register('s1', 'http://a', 0);
    expect(table.remove('s1')).toBe(true);
    expect(table.remove('s1')).toBe(false);
    expect(table.register('s2', 'http://a', 0)).toMatchObject({ ok: true, replaced: undefined });
  });

  test('removing a member that moved leaves the holder of its old address alone', () => {
    const table = new MembershipTable(1_000);
    table.register('s1', 'http://a', 0);
    table.register('s1', 'http://b', 0);
    table.register('s2', 'http://a', 0);
    table.remove('s1');
    expect(table.register('s3', 'http://a', 0)).toMatchObject({ ok: true, replaced: 's2' });
  });

  test('a full table refuses a new member with HC_MEMBERS_FULL but still renews the ones it has', () => {
    const table = new MembershipTable(1_000);
    for (let index = 0; index < membersMax; index += 1) table.register(`s${index}`, `http://${index}`, 0);
    expect(table.register('one-too-many', 'http://x', 0)).toEqual({
      ok: false,
      error: { code: 'HC_MEMBERS_FULL', definite: true, membersMax },
    });
    expect(table.register('s0', 'http://0', 5)).toMatchObject({ ok: true, isNew: false });
    table.remove('s1');
    expect(table.register('one-more', 'http://x', 0)).toMatchObject({ ok: true, isNew: true });
  });
});
