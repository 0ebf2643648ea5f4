import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { mixCycle, parseCommandMix, RequestEncoder, verbCodes } from '../../../lab/load/command-mix.ts';

describe('lab/load: command mix', () => {
  test('a single verb and a weighted mix both parse; unknown verbs and bad weights do not', () => {
    expect(parseCommandMix('WHY')).toEqual({ ok: true, value: [{ verb: 'WHY', weight: 1 }] });
    expect(parseCommandMix('mix:WHO=1,WHY=9')).toEqual({
      ok: true,
      value: [
        { verb: 'WHO', weight: 1 },
        { verb: 'WHY', weight: 9 },
      ],
    });
    expect(parseCommandMix('HELLO').ok).toBe(false);
    expect(parseCommandMix('mix:WHO=0').ok).toBe(false);
    expect(parseCommandMix('mix:WHO').ok).toBe(false);
  });

  test.prop([fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 3 })])(
    'one cycle holds each verb exactly as often as its weight',
    (weights) => {
      const verbs = ['WHO', 'WHERE', 'WHY'] as const;
      const mix = weights.map((weight, index) => ({ verb: verbs[index]!, weight }));
      const cycle = [...mixCycle(mix)];
      for (const entry of mix) {
        expect(cycle.filter((code) => verbCodes[code] === entry.verb)).toHaveLength(entry.weight);
      }
    },
  );

  test('a pipelined batch is one buffer of the requests in sequence order', () => {
    const mix = parseCommandMix('mix:WHO=1,WHY=1');
    if (!mix.ok) throw new Error(mix.error);
    const encoder = new RequestEncoder(mix.value, 'line', 16);
    expect(encoder.encode(0, 3).toString()).toBe('WHO\nWHY\nWHO\n');
    const single = new RequestEncoder([{ verb: 'PING', weight: 1 }], 'redis-inline', 16);
    expect(single.encode(5, 2).toString()).toBe('PING\r\nPING\r\n');
  });
});
