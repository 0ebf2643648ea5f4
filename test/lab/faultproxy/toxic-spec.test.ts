/**
 * Toxic body parsing: wire attribute names become unit-named fields exactly once, here, with
 * Toxiproxy's defaults and its order of checks.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { toxicToJson } from '../../../lab/faultproxy/toxic-entry.ts';
import { parseToxicCreate, parseToxicUpdate } from '../../../lab/faultproxy/toxic-spec.ts';
import { randomFromSeed } from '../../../lab/faultproxy/random-streams.ts';
import { toxicKinds } from '../../../lab/faultproxy/toxics/registry.ts';

const free = (): boolean => false;

function parsed(body: unknown) {
  const result = parseToxicCreate(JSON.stringify(body), free);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('faultproxy toxic-spec: wire names become unit-named fields', () => {
  test.each([
    ['latency', { latency: 100, jitter: 5 }, { latencyMs: 100, jitterMs: 5 }],
    ['bandwidth', { rate: 64 }, { rateKBps: 64 }],
    ['slow_close', { delay: 300 }, { delayMs: 300 }],
    ['timeout', { timeout: 0 }, { timeoutMs: 0 }],
    ['reset_peer', { timeout: 50 }, { timeoutMs: 50 }],
    [
      'slicer',
      { average_size: 8, size_variation: 2, delay: 1000 },
      { averageSizeBytes: 8, sizeVariationBytes: 2, delayUs: 1000 },
    ],
    ['limit_data', { bytes: 10 }, { bytesMax: 10 }],
    ['noop', {}, {}],
  ])('%s attributes %o parse to %o', (type, attributes, attrs) => {
    expect(parsed({ type, attributes }).attrs).toEqual(attrs);
  });

  test('missing attributes default to 0 and the defaults are downstream, toxicity 1, <type>_<stream>', () => {
    expect(parsed({ type: 'latency' })).toMatchObject({
      name: 'latency_downstream',
      stream: 'downstream',
      direction: 'downstream',
      toxicity: 1,
      attrs: { latencyMs: 0, jitterMs: 0 },
    });
  });

  test('checks run in Toxiproxy order: stream before type, type before duplicate name', () => {
    const taken = (): boolean => true;
    expect(parseToxicCreate('{"type":"nope","stream":"sideways"}', taken)).toMatchObject({
      ok: false,
      error: { code: 'HC_FP_INVALID_STREAM' },
    });
    expect(parseToxicCreate('{"type":"nope"}', taken)).toMatchObject({
      ok: false,
      error: { code: 'HC_FP_INVALID_TOXIC_TYPE' },
    });
    expect(parseToxicCreate('{"type":"latency","attributes":{"latency":"x"}}', taken)).toMatchObject({
      ok: false,
      error: { code: 'HC_FP_TOXIC_EXISTS' },
    });
  });

  test('an update merges attributes over the current ones and keeps toxicity unless given', () => {
    const current = parsed({
      type: 'slicer',
      attributes: { average_size: 8, size_variation: 2, delay: 1000 },
    });
    const update = parseToxicUpdate('{"attributes":{"delay":5}}', current);
    expect(update).toEqual({
      ok: true,
      value: { toxicity: 1, attrs: { averageSizeBytes: 8, sizeVariationBytes: 2, delayUs: 5 } },
    });
  });

  propertyTest.prop([
    fc.constantFrom(...toxicKinds.keys()),
    fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 3, maxLength: 3 }),
  ])('serialising a parsed toxic gives back the wire attributes', (type, values) => {
    const kind = toxicKinds.get(type)!;
    const attributes = Object.fromEntries(kind.attributes.map((spec, index) => [spec.wire, values[index]!]));
    const spec = parsed({ type, attributes });
    expect(toxicToJson({ ...spec, random: randomFromSeed(0) }).attributes).toEqual(attributes);
  });

  propertyTest.prop([
    fc.constantFrom(...[...toxicKinds.values()].filter((kind) => kind.attributes.length > 0)),
    fc.oneof(fc.integer({ min: -(2 ** 31), max: -1 }), fc.constantFrom(4_000_000_000, 2 ** 50)),
  ])("an attribute outside 0..max is refused with 400 in Toxiproxy's error shape", (kind, value) => {
    const spec = kind.attributes[0]!;
    fc.pre(value < 0 || value > spec.max);
    const body = JSON.stringify({ type: kind.type, attributes: { [spec.wire]: value } });
    const result = parseToxicCreate(body, () => false);
    expect(result).toMatchObject({ ok: false, error: { code: 'HC_FP_OUT_OF_RANGE', status: 400 } });
  });

  test('a negative toxicity is refused; 1.5 and 0 stay accepted as Toxiproxy stores them', () => {
    const refused = parseToxicCreate('{"type":"noop","toxicity":-3}', () => false);
    expect(refused).toMatchObject({ ok: false, error: { code: 'HC_FP_OUT_OF_RANGE', status: 400 } });
    expect(parseToxicCreate('{"type":"noop","toxicity":1.5}', () => false).ok).toBe(true);
    expect(parseToxicCreate('{"type":"noop","toxicity":0}', () => false).ok).toBe(true);
  });
});
