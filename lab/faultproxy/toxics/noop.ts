/**
 * The noop toxic passes every chunk on unchanged. It heads every chain (hidden), stands in for
 * a toxic that lost its toxicity draw, and is the smallest example of the contract in `../toxic.ts`.
 */
import { interrupted, type ToxicKind } from '../toxic.ts';

export const noopToxic: ToxicKind<never> = {
  type: 'noop',
  attributes: [],
  async pipe(_attrs, stub) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === interrupted) return;
      if (chunk === null) {
        stub.close();
        return;
      }
      stub.write(chunk);
    }
  },
};
