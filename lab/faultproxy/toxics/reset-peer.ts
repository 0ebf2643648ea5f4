/**
 * The reset_peer toxic resets the connection (TCP RST, "connection reset by peer") `timeoutMs`
 * after the first chunk or end of stream reaches it, dropping that data. As in Toxiproxy the
 * clock starts with traffic, not with the connection: an idle connection is left alone.
 * Removing the toxic before the timer fires cancels the reset.
 */
import { attributeMsMax, interrupted, type ToxicKind } from '../toxic.ts';

export const resetPeerToxic: ToxicKind<'timeoutMs'> = {
  type: 'reset_peer',
  attributes: [{ wire: 'timeout', field: 'timeoutMs', goType: 'int64', max: attributeMsMax }],
  resetsOnClose: true,
  async pipe(attrs, stub) {
    const chunk = await stub.read();
    if (chunk === interrupted) return;
    if (!(await stub.sleep(attrs.timeoutMs))) return;
    stub.close();
  },
};
