/**
 * Seeded randomness for the fault proxy. One root seed per run (`--seed`); each toxic of each
 * proxy gets its own stream, derived from the root seed and the two names rather than from the
 * order of creation, so adding a proxy or a log line never changes another toxic's draws. A toxic
 * deleted and added again starts its stream afresh. Draws within a stream follow the order in
 * which connections use it, which one connection at a time makes exactly reproducible.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Random } from './toxic.ts';

/** Seeds are 32-bit unsigned integers, as pure-rand's generators take them. */
export const seedMax = 0xffff_ffff;

/** FNV-1a over the text, mixed with the root seed: a stable 32-bit seed per name path. */
export function deriveSeed(rootSeed: number, path: readonly string[]): number {
  let hash = (0x811c9dc5 ^ rootSeed) >>> 0;
  for (const byte of Buffer.from(path.join('\u0000'), 'utf8')) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash;
}

export function randomFromSeed(seed: number): Random {
  const generator = xoroshiro128plus(seed);
  return {
    nextRatio: () => uniformInt(generator, 0, 0xffff_ffff) / 0x1_0000_0000,
    rangeInclusive: (min, max) => uniformInt(generator, min, max),
  };
}

/** The stream of one toxic of one proxy. */
export function toxicRandom(rootSeed: number, proxyName: string, toxicName: string): Random {
  return randomFromSeed(deriveSeed(rootSeed, ['toxic', proxyName, toxicName]));
}
