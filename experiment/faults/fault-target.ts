/**
 * What an engine must do to inject each kind of fault: one method per row of the fault table.
 * The simulator implements it on its virtual hosts (sim/fault-target.ts), the lab on its real
 * cluster (lab/fault-target.ts). A method gets the fault with the table's defaults filled in,
 * carries it out, and returns its heal (called when the table says the fault heals), or
 * `undefined` when there is nothing to heal (e.g. the server was already down).
 *
 * `Applied` is the engine's return type: the simulator answers at once
 * (`Heal | undefined`), the lab after real work (`Promise<Heal | undefined>`). A kind the lab
 * cannot yet reproduce throws an error with code `HC_LAB_UNSUPPORTED` naming it.
 */
import type { FaultKind, ResolvedFault } from './fault-table.ts';

export type FaultTarget<Applied> = { readonly [K in FaultKind]: (fault: ResolvedFault) => Applied };

/** Parses `server-<i>`; undefined for any other target. */
export function serverIndexOfTarget(target: string): number | undefined {
  const match = /^server-(\d+)$/.exec(target);
  return match === null ? undefined : Number(match[1]);
}

/** Parses `discovery-<j>`; undefined for any other target. */
export function discoveryIndexOfTarget(target: string): number | undefined {
  const match = /^discovery-(\d+)$/.exec(target);
  return match === null ? undefined : Number(match[1]);
}
