/** The slicer toxic: slices cover the chunk exactly, and a write arrives in several pieces. */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, test } from 'vitest';
import { randomFromSeed } from '../../../../lab/faultproxy/random-streams.ts';
import { sliceOffsets } from '../../../../lab/faultproxy/toxics/slicer.ts';
import { connectClient, type Fixture, readBytes, setup } from '../helpers.ts';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('faultproxy toxics: slicer', () => {
  propertyTest.prop([fc.nat(2_000), fc.nat(64), fc.nat(64), fc.nat()])(
    'slices run from 0 to the length, each non-empty and at most average + variation bytes',
    (lengthBytes, averageSizeBytes, sizeVariationBytes, seed) => {
      const offsets = sliceOffsets(lengthBytes, averageSizeBytes, sizeVariationBytes, randomFromSeed(seed));
      const sliceBytesMax = Math.max(1, averageSizeBytes) + sizeVariationBytes;
      const sizes = offsets.slice(1).map((end, index) => end - offsets[index]!);
      expect(offsets[0]).toBe(0);
      expect(offsets[offsets.length - 1]).toBe(lengthBytes);
      expect(sizes.filter((size) => size < 1 || size > sliceBytesMax)).toEqual([]);
    },
  );

  test('a 40-byte reply arrives intact in several pieces, delay apart', async () => {
    fixture = await setup();
    await fixture.proxy.addToxic({
      name: 'cut',
      type: 'slicer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { average_size: 4, size_variation: 1, delay: 5_000 },
    });
    const client = await connectClient(fixture.proxyPort);
    const payload = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';
    const startMs = performance.now();
    const pieces = await readBytes(client, payload.length, () => client.write(payload));
    expect(Buffer.concat(pieces).toString()).toBe(payload);
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(performance.now() - startMs).toBeGreaterThanOrEqual(25);
    client.destroy();
  });
});
