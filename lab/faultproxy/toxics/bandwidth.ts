/**
 * The bandwidth toxic passes data at `rateKBps` kilobytes (1000 bytes) per second. Like
 * Toxiproxy it owes a sleep of `bytes / rate` ms per chunk, carries the timer's error over to the
 * next chunk, and cuts chunks larger than 100 ms worth of data into 100 ms pieces so a slow rate
 * still trickles. A rate of 0 or less means no limit.
 */
import { interrupted, type ToxicKind } from '../toxic.ts';

/** 100 GB/s: far above any link the lab shapes, and small enough that byte maths stays exact. */
const rateKBpsMax = 100_000_000;

/** Large chunks go out in slices of this many milliseconds of data. */
const sliceMs = 100;

export const bandwidthToxic: ToxicKind<'rateKBps'> = {
  type: 'bandwidth',
  attributes: [{ wire: 'rate', field: 'rateKBps', goType: 'int64', max: rateKBpsMax }],
  async pipe(attrs, stub) {
    const rateKBps = attrs.rateKBps;
    let owedMs = 0;
    for (;;) {
      const chunk = await stub.read();
      if (chunk === interrupted) return;
      if (chunk === null) {
        stub.close();
        return;
      }
      if (rateKBps <= 0) {
        stub.write(chunk);
        continue;
      }
      owedMs += chunk.data.length / rateKBps;
      const sliceBytes = rateKBps * sliceMs;
      let rest = chunk.data;
      while (rest.length > sliceBytes) {
        if (!(await stub.sleep(sliceMs))) {
          stub.write({ data: rest, timestampMs: chunk.timestampMs });
          return;
        }
        stub.write({ data: rest.subarray(0, sliceBytes), timestampMs: chunk.timestampMs });
        rest = rest.subarray(sliceBytes);
        owedMs -= sliceMs;
      }
      const startMs = stub.nowMs();
      const slept = await stub.sleep(owedMs);
      owedMs -= stub.nowMs() - startMs;
      stub.write({ data: rest, timestampMs: chunk.timestampMs });
      if (!slept) return;
    }
  },
};
