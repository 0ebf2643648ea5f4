/**
 * Every toxic kind by its wire type name, like Toxiproxy's `ToxicRegistry`. Adding a toxic is a
 * new file in this folder plus one line here.
 */
import type { ToxicKind } from '../toxic.ts';
import { bandwidthToxic } from './bandwidth.ts';
import { latencyToxic } from './latency.ts';
import { limitDataToxic } from './limit-data.ts';
import { noopToxic } from './noop.ts';
import { resetPeerToxic } from './reset-peer.ts';
import { slicerToxic } from './slicer.ts';
import { slowCloseToxic } from './slow-close.ts';
import { timeoutToxic } from './timeout.ts';

export const toxicKinds: ReadonlyMap<string, ToxicKind> = new Map<string, ToxicKind>(
  [
    noopToxic,
    latencyToxic,
    bandwidthToxic,
    slowCloseToxic,
    timeoutToxic,
    resetPeerToxic,
    slicerToxic,
    limitDataToxic,
  ].map((kind) => [kind.type, kind as ToxicKind]),
);
