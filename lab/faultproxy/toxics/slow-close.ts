/**
 * The slow_close toxic holds the end of the stream for `delayMs` before passing it on, so the
 * far side sees its peer's close late. Data flows through unchanged.
 */
import { attributeMsMax, interrupted, type ToxicKind } from '../toxic.ts';

export const slowCloseToxic: ToxicKind<'delayMs'> = {
  type: 'slow_close',
  attributes: [{ wire: 'delay', field: 'delayMs', goType: 'int64', max: attributeMsMax }],
  async pipe(attrs, stub) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === interrupted) return;
      if (chunk === null) {
        // Interrupted while waiting: the end of stream must not be lost, so close now.
        await stub.sleep(attrs.delayMs);
        stub.close();
        return;
      }
      stub.write(chunk);
    }
  },
};
