/**
 * The simulator's randomness: one root seed, one independent xoroshiro128+ stream (pure-rand)
 * per component, derived from the root seed and the component's name, plus a `debug` stream
 * that nothing in the run may read for decisions (FoundationDB's `debugRandom()`): adding a
 * draw to one component never shifts another component's draws.
 *
 * `SimRandom` implements the `Random` port, so the real id code draws from it too. Continuous
 * distributions (latency jitter, session lengths, inter-arrival gaps) use `float01()`.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { chance as ratioChance, type Ratio } from '../impl/core/ratio.ts';
import type { Random } from '../impl/ports/random.ts';

/** FNV-1a over the name, then a murmur3 finaliser mixed with the seed. */
function deriveSeed(rootSeed: number, name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index += 1) {
    hash ^= name.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  let mixed = (hash ^ Math.imul(rootSeed | 0, 0x9e3779b1)) | 0;
  mixed ^= mixed >>> 16;
  mixed = Math.imul(mixed, 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  mixed ^= mixed >>> 16;
  return mixed;
}

export class SimRandom implements Random {
  readonly name: string;
  #generator: ReturnType<typeof xoroshiro128plus>;

  constructor(rootSeed: number, name: string) {
    this.name = name;
    this.#generator = xoroshiro128plus(deriveSeed(rootSeed, name));
    // The first outputs of a freshly seeded xoroshiro are weakly mixed; discard a few.
    for (let index = 0; index < 8; index += 1) this.#generator.next();
  }

  uint32(): number {
    return this.#generator.next() >>> 0;
  }

  fill(target: Uint8Array): Uint8Array {
    for (let index = 0; index < target.length; index += 1) target[index] = this.#generator.next() & 0xff;
    return target;
  }

  /** Uniform in [0, 1) with 53 bits. */
  float01(): number {
    const high = this.#generator.next() >>> 5;
    const low = this.#generator.next() >>> 6;
    return (high * 67_108_864 + low) / 9_007_199_254_740_992;
  }

  /** Uniform integer in [0, max]. */
  intInclusive(max: number): number {
    return Math.floor(this.float01() * (max + 1));
  }

  chance(probability: Ratio): boolean {
    if (probability.numerator === 0) return false;
    return ratioChance(this, probability);
  }

  exponential(meanMs: number): number {
    return -meanMs * Math.log(1 - this.float01());
  }

  /** Standard normal by Box-Muller (one draw of the pair is discarded: simpler to replay). */
  normal(): number {
    const u = 1 - this.float01();
    const v = this.float01();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  lognormal(medianMs: number, sigma: number): number {
    return medianMs * Math.exp(sigma * this.normal());
  }

  pareto(minMs: number, alpha: number): number {
    return minMs / (1 - this.float01()) ** (1 / alpha);
  }
}

/** The streams of one run, by component name; `debug` is reserved for logs and traces. */
export class RandomStreams {
  readonly rootSeed: number;
  #streams = new Map<string, SimRandom>();

  constructor(rootSeed: number) {
    this.rootSeed = rootSeed;
  }

  stream(name: string): SimRandom {
    let stream = this.#streams.get(name);
    if (stream === undefined) {
      stream = new SimRandom(this.rootSeed, name);
      this.#streams.set(name, stream);
    }
    return stream;
  }

  get debug(): SimRandom {
    return this.stream('debug');
  }
}
