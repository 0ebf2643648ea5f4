import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  type FaultEvent,
  type FaultKind,
  faultKinds,
  faultTable,
  healAtMsOfFault,
  resolveFault,
  targetedFaultKinds,
} from '../../../experiment/faults/fault-table.ts';
import { RandomStreams } from '../../../experiment/rng.ts';
import { faultEventSchema } from '../../../scenarios/runner/schema.ts';

describe('the fault table', () => {
  it('has exactly one row per kind, each naming its own kind', () => {
    expect(Object.keys(faultTable).sort()).toEqual([...faultKinds].sort());
    for (const kind of faultKinds) expect(faultTable[kind].kind).toBe(kind);
  });

  it('states a unit and a meaning for every parameter, and a summary for every kind', () => {
    for (const kind of faultKinds) {
      const row = faultTable[kind];
      expect(row.summary.length).toBeGreaterThan(20);
      for (const param of Object.values(row.params)) {
        expect(param.unit).not.toBe('');
        expect(param.meaning).not.toBe('');
      }
    }
  });

  it('fills each omitted parameter with the default its row states, and keeps given ones', () => {
    const restart = resolveFault({ atMs: 0, kind: 'restart', target: 'server-0' });
    expect(restart.durationMs).toBe(1_000);
    const spike = resolveFault({ atMs: 0, kind: 'latency-spike', target: 'all', extraMs: 7 });
    expect(spike).toMatchObject({ durationMs: 1_000, extraMs: 7 });
    expect(spike.peer).toBeUndefined(); // every link class
    const partition = resolveFault({ atMs: 0, kind: 'partition', target: 'server-1' });
    expect(partition).toMatchObject({ peer: 'redis', direction: 'both' });
    expect(partition.durationMs).toBeUndefined(); // never heals
  });

  it('asks a scenario file to name the target exactly of the kinds that have no default target', () => {
    for (const kind of faultKinds) {
      expect(targetedFaultKinds.has(kind)).toBe(faultTable[kind].defaultTarget === undefined);
    }
  });

  fcTest.prop([
    fc.constantFrom(...faultKinds),
    fc.nat(1_000_000),
    fc.option(fc.nat(1_000_000), { nil: undefined }),
    fc.option(fc.integer({ min: -10_000, max: 10_000 }), { nil: undefined }),
  ])('a heal never comes before its fault', (kind: FaultKind, atMs, durationMs, deltaMs) => {
    const fault: FaultEvent = { atMs, kind, target: 'server-0' };
    if (durationMs !== undefined) fault.durationMs = durationMs;
    if (deltaMs !== undefined) fault.deltaMs = deltaMs;
    const healAtMs = healAtMsOfFault(resolveFault(fault));
    if (healAtMs !== undefined) expect(healAtMs).toBeGreaterThanOrEqual(atMs);
  });

  it('draws, for every kind and mode, a generated fault that a scenario file could state', () => {
    const random = new RandomStreams(7).stream('nemesis');
    for (const mode of ['local', 'a', 'c'] as const) {
      for (const kind of faultKinds) {
        for (let draw = 0; draw < 20; draw += 1) {
          const fault: FaultEvent = { atMs: 1_000, kind, target: 'redis', durationMs: 500 };
          faultTable[kind].draw(fault, { mode, servers: 3, discoveryInstances: 2, zones: 3 }, random);
          expect(faultEventSchema.safeParse(fault).success, JSON.stringify(fault)).toBe(true);
          if (faultTable[kind].target === 'server') expect(fault.target).toMatch(/^server-[0-2]$/);
          if (kind === 'discovery-crash') expect(fault.target).toMatch(/^discovery-[01]$/);
          if (kind === 'zone-outage') expect(fault.target).toMatch(/^zone-[0-2]$/);
        }
      }
    }
  });
});
