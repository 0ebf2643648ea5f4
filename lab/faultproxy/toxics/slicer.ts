/**
 * The slicer toxic cuts each chunk into slices of about `averageSizeBytes` (± `sizeVariationBytes`)
 * and waits `delayUs` microseconds between them, as a real network delivers a large write in
 * pieces. Slices come from halving with a random offset (Toxiproxy's `chunk`), so there is no
 * tendency to a small slice at either end.
 */
import { attributeMsMax, interrupted, type Random, type ToxicKind } from '../toxic.ts';

/** A slice is at most 1 MiB: larger than any socket read, so a larger size slices nothing. */
const sliceBytesMax = 1024 * 1024;

type Field = 'averageSizeBytes' | 'sizeVariationBytes' | 'delayUs';

/**
 * The slice boundaries of a chunk of `lengthBytes`: [0, a, b, ..., lengthBytes]. An average below
 * one byte counts as one byte, so the halving always ends.
 */
export function sliceOffsets(
  lengthBytes: number,
  averageSizeBytes: number,
  sizeVariationBytes: number,
  random: Random,
): number[] {
  const averageBytes = Math.max(1, averageSizeBytes);
  const variationBytes = Math.max(0, Math.min(sizeVariationBytes, averageBytes - 1));
  const offsets = [0];
  const split = (start: number, end: number): void => {
    if (end - start - averageBytes <= variationBytes) {
      offsets.push(end);
      return;
    }
    const offset = variationBytes > 0 ? random.rangeInclusive(-variationBytes, variationBytes - 1) : 0;
    const mid = Math.min(end - 1, Math.max(start + 1, start + Math.floor((end - start) / 2) + offset));
    split(start, mid);
    split(mid, end);
  };
  if (lengthBytes > 0) split(0, lengthBytes);
  return offsets;
}

export const slicerToxic: ToxicKind<Field> = {
  type: 'slicer',
  attributes: [
    { wire: 'average_size', field: 'averageSizeBytes', goType: 'int', max: sliceBytesMax },
    { wire: 'size_variation', field: 'sizeVariationBytes', goType: 'int', max: sliceBytesMax },
    { wire: 'delay', field: 'delayUs', goType: 'int', max: attributeMsMax * 1000 },
  ],
  async pipe(attrs, stub) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === interrupted) return;
      if (chunk === null) {
        stub.close();
        return;
      }
      const offsets = sliceOffsets(
        chunk.data.length,
        attrs.averageSizeBytes,
        attrs.sizeVariationBytes,
        stub.random,
      );
      for (let i = 1; i < offsets.length; i += 1) {
        const end = offsets[i]!;
        stub.write({ data: chunk.data.subarray(offsets[i - 1]!, end), timestampMs: chunk.timestampMs });
        if (end === chunk.data.length) break;
        if (!(await stub.sleep(attrs.delayUs / 1000))) {
          stub.write({ data: chunk.data.subarray(end), timestampMs: chunk.timestampMs });
          return;
        }
      }
    }
  },
};
