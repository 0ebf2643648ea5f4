/**
 * The limit_data toxic passes the first `bytesMax` bytes of the stream and then closes the
 * connection. The count is per connection and survives updates (Toxiproxy's `StatefulToxic`).
 */
import { interrupted, type ToxicKind } from '../toxic.ts';

interface LimitDataState {
  bytesTransmitted: number;
}

export const limitDataToxic: ToxicKind<'bytesMax'> = {
  type: 'limit_data',
  attributes: [{ wire: 'bytes', field: 'bytesMax', goType: 'int64', max: Number.MAX_SAFE_INTEGER }],
  newState(): LimitDataState {
    return { bytesTransmitted: 0 };
  },
  async pipe(attrs, stub) {
    const state = stub.state as LimitDataState;
    if (state.bytesTransmitted >= attrs.bytesMax) {
      stub.close();
      return;
    }
    for (;;) {
      const chunk = await stub.read();
      if (chunk === interrupted) return;
      if (chunk === null) {
        stub.close();
        return;
      }
      const bytesRemaining = Math.max(0, attrs.bytesMax - state.bytesTransmitted);
      const data = chunk.data.subarray(0, bytesRemaining);
      if (data.length > 0) {
        stub.write({ data, timestampMs: chunk.timestampMs });
        state.bytesTransmitted += data.length;
      }
      if (state.bytesTransmitted >= attrs.bytesMax) {
        stub.close();
        return;
      }
    }
  },
};
