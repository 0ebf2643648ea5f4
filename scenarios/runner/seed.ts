/**
 * Run seeds derived from the root seed and the run's identity (scenario, mode, sweep point,
 * seed index), so a run's seed does not depend on which other runs exist, which shard runs it,
 * or in what order: `--seed N --shard 2/4` gives the same seeds as `--seed N` alone.
 */
import { randomInt } from 'node:crypto';

/** FNV-1a over the key, then a murmur3 finalizer: a well-mixed unsigned 32-bit seed. */
export function deriveSeed(rootSeed: number, key: string): number {
  let hash = 0x811c9dc5;
  const text = `${rootSeed >>> 0}:${key}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A fresh root seed when none is given (the runner prints it first, so any run can be replayed). */
export function randomRootSeed(): number {
  return randomInt(0, 0xffff_ffff);
}
