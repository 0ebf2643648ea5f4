/** Real randomness from the operating system's CSPRNG, for ids that must not collide. */
import { randomFillSync } from 'node:crypto';
import type { Random } from '../ports/random.ts';

export const systemRandom: Random = {
  uint32: () => randomFillSync(new Uint32Array(1))[0]!,
  fill: (target) => randomFillSync(target),
};
