/**
 * A toxic as configured on a proxy (Toxiproxy's `ToxicWrapper`): the wire-facing name, type,
 * stream and toxicity, the attributes under their unit-named fields, and its random stream.
 * `toJson` turns it back into exactly what Toxiproxy prints.
 */
import type { Random, ToxicKind } from './toxic.ts';

export type Direction = 'upstream' | 'downstream';

export interface ToxicEntry {
  readonly name: string;
  readonly type: string;
  /** The stream as the client wrote it (`UpStream` stays `UpStream`); `direction` is its meaning. */
  readonly stream: string;
  readonly direction: Direction;
  /** The probability that a connection gets this toxic; stored as given, even outside 0..1. */
  readonly toxicity: number;
  readonly kind: ToxicKind;
  /** Attributes under their unit-named fields (`latencyMs`, `rateKBps`, `delayUs`...). */
  readonly attrs: Readonly<Record<string, number>>;
  readonly random: Random;
}

/** The toxic as Toxiproxy serialises it: attributes first, in the Go struct's field order. */
export function toxicToJson(entry: ToxicEntry): Record<string, unknown> {
  const attributes: Record<string, number> = {};
  for (const spec of entry.kind.attributes) attributes[spec.wire] = entry.attrs[spec.field] ?? 0;
  return { attributes, name: entry.name, type: entry.type, stream: entry.stream, toxicity: entry.toxicity };
}
