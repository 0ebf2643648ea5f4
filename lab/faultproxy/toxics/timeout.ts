/**
 * The timeout toxic stops all data (it is dropped, as Toxiproxy drops it) and closes the
 * connection after `timeoutMs`; with 0 it holds the connection open, silent, until the toxic is
 * removed. Removing it closes the connection (Toxiproxy's `Cleanup`), since the dropped bytes
 * have left the stream in an unknown state.
 */
import { attributeMsMax, interrupted, type ToxicKind } from '../toxic.ts';

export const timeoutToxic: ToxicKind<'timeoutMs'> = {
  type: 'timeout',
  attributes: [{ wire: 'timeout', field: 'timeoutMs', goType: 'int64', max: attributeMsMax }],
  async pipe(attrs, stub) {
    let timedOut = false;
    let stopped = false;
    const timer = attrs.timeoutMs > 0 ? stub.sleep(attrs.timeoutMs) : undefined;
    // The timer and the reader race: whichever ends first ends the stream.
    void timer?.then((elapsed) => {
      if (elapsed && !stopped) {
        timedOut = true;
        stub.close();
      }
    });
    for (;;) {
      const chunk = await stub.read();
      if (timedOut) return;
      if (chunk === interrupted) {
        stopped = true;
        return;
      }
      if (chunk === null) {
        stopped = true;
        stub.close();
        return;
      }
      // Drop the data on the ground.
    }
  },
  cleanup(stub) {
    stub.close();
  },
};
