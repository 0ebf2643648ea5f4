/**
 * The only source of randomness for core and sim code. Real adapters draw from `node:crypto`;
 * the simulator gives each component its own seeded stream (STYLE §6).
 */
export interface Random {
  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number;
  /** Fills `target` with random bytes and returns it. */
  fill(target: Uint8Array): Uint8Array;
}
