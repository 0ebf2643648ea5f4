/**
 * What the driver sends: a weighted mix of verbs (`mix:WHO=1,WHY=9`) turned into a fixed,
 * deterministic sequence by smooth weighted round robin (nginx's upstream algorithm), so a run is
 * repeatable and every window of `sum(weights)` requests holds the exact proportions. The request
 * bytes for each verb are built once, per protocol.
 */
import type { Result } from '../../impl/core/result.ts';

export type LoadVerb = 'WHO' | 'WHERE' | 'WHY' | 'PING';
export type LoadProtocol = 'line' | 'redis-inline';

export interface MixEntry {
  verb: LoadVerb;
  /** Relative share of requests; a positive integer. */
  weight: number;
}

/** Verb codes stored per in-flight request (one byte each); order matches `verbCodes`. */
export const verbCodes: readonly LoadVerb[] = ['WHO', 'WHERE', 'WHY', 'PING'];

/** A cycle longer than this would be a typo; 1000 allows proportions to 0.1%. */
const mixWeightTotalMax = 1000;

export function parseCommandMix(text: string): Result<MixEntry[], string> {
  if (!text.startsWith('mix:')) {
    const verb = text.toUpperCase();
    if (verb === 'WHO' || verb === 'WHERE' || verb === 'WHY' || verb === 'PING') {
      return { ok: true, value: [{ verb, weight: 1 }] };
    }
    return { ok: false, error: `"${text}" is not WHO, WHERE, WHY or mix:VERB=WEIGHT,...` };
  }
  const entries: MixEntry[] = [];
  for (const part of text.slice(4).split(',')) {
    const match = /^(WHO|WHERE|WHY)=(\d+)$/i.exec(part.trim());
    if (!match) return { ok: false, error: `"${part}" is not VERB=WEIGHT (e.g. mix:WHO=1,WHY=9)` };
    const weight = Number(match[2]);
    if (weight < 1) return { ok: false, error: `weight of ${match[1]} must be at least 1` };
    entries.push({ verb: match[1]!.toUpperCase() as LoadVerb, weight });
  }
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  if (total > mixWeightTotalMax)
    return { ok: false, error: `weights sum to ${total}; at most ${mixWeightTotalMax}` };
  return { ok: true, value: entries };
}

/** The mix expanded into one full cycle of verb codes (smooth weighted round robin). */
export function mixCycle(mix: readonly MixEntry[]): Uint8Array {
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  const current = mix.map(() => 0);
  const cycle = new Uint8Array(total);
  for (let slot = 0; slot < total; slot++) {
    let best = 0;
    for (let index = 0; index < mix.length; index++) {
      current[index]! += mix[index]!.weight;
      if (current[index]! > current[best]!) best = index;
    }
    current[best]! -= total;
    cycle[slot] = verbCodes.indexOf(mix[best]!.verb);
  }
  return cycle;
}

export function requestBytes(verb: LoadVerb, protocol: LoadProtocol): Buffer {
  return Buffer.from(protocol === 'redis-inline' ? `${verb}\r\n` : `${verb}\n`, 'latin1');
}

/**
 * Builds the bytes for the next `count` requests of a cycle in one buffer, so a pipelined batch
 * goes out in one write. When the mix has a single verb the repeated buffer is cached and sliced.
 */
export class RequestEncoder {
  readonly cycle: Uint8Array;
  private readonly bytesByVerb: Buffer[];
  private readonly repeated: Buffer | undefined;
  private readonly repeatedUnitBytes: number;
  /** One view per batch size, made once: the bytes never change, so writes can share them. */
  private readonly repeatedViews: Buffer[] = [];

  constructor(mix: readonly MixEntry[], protocol: LoadProtocol, batchMax: number) {
    this.cycle = mixCycle(mix);
    this.bytesByVerb = verbCodes.map((verb) => requestBytes(verb, protocol));
    const only = this.cycle.length === 1 ? this.bytesByVerb[this.cycle[0]!]! : undefined;
    this.repeated = only ? Buffer.concat(new Array<Buffer>(batchMax).fill(only)) : undefined;
    this.repeatedUnitBytes = only ? only.length : 0;
  }

  /** Bytes for requests number `first`..`first+count-1` of this connection's sequence. */
  encode(first: number, count: number): Buffer {
    if (this.repeated) {
      let view = this.repeatedViews[count];
      if (!view) {
        view = this.repeated.subarray(0, count * this.repeatedUnitBytes);
        this.repeatedViews[count] = view;
      }
      return view;
    }
    const parts: Buffer[] = [];
    for (let index = 0; index < count; index++) parts.push(this.bytesByVerb[this.verbAt(first + index)]!);
    return Buffer.concat(parts);
  }

  bytesOf(verbCode: number): Buffer {
    return this.bytesByVerb[verbCode]!;
  }

  verbAt(sequence: number): number {
    return this.cycle[sequence % this.cycle.length]!;
  }
}
