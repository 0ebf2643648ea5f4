/**
 * The latency toxic delays every chunk by `latencyMs` ± `jitterMs`, counted from when the chunk
 * entered the proxy, so two latency toxics add up and a slow reader is not charged twice.
 * Jitter is drawn like Toxiproxy's `rand.Int63n(2*jitter) - jitter`: in [-jitterMs, jitterMs).
 */
import { attributeMsMax, interrupted, type Random, type ToxicKind } from '../toxic.ts';

type Field = 'latencyMs' | 'jitterMs';

/** The delay for the next chunk; a pure calculation so the seeded draws can be unit-tested. */
export function latencyDelayMs(latencyMs: number, jitterMs: number, random: Random): number {
  if (jitterMs <= 0) return latencyMs;
  return latencyMs + random.rangeInclusive(-jitterMs, jitterMs - 1);
}

export const latencyToxic: ToxicKind<Field> = {
  type: 'latency',
  attributes: [
    { wire: 'latency', field: 'latencyMs', goType: 'int64', max: attributeMsMax },
    { wire: 'jitter', field: 'jitterMs', goType: 'int64', max: attributeMsMax },
  ],
  async pipe(attrs, stub) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === interrupted) return;
      if (chunk === null) {
        stub.close();
        return;
      }
      const delayMs = latencyDelayMs(attrs.latencyMs, attrs.jitterMs, stub.random);
      const sleepMs = delayMs - (stub.nowMs() - chunk.timestampMs);
      const slept = await stub.sleep(sleepMs);
      // Interrupted: pass the chunk on without the rest of its delay; never drop data.
      if (slept) chunk.timestampMs += Math.max(0, sleepMs);
      stub.write(chunk);
      if (!slept) return;
    }
  },
};
