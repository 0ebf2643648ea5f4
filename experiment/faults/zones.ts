/**
 * Zones: which nodes stand in which zone, written once for both engines and the report. The
 * fleet is spread round robin (server i in zone i mod zones, discovery instance j in zone
 * j mod zones) and the one Redis stands in zone 0, as a three-zone deployment spreads pods and
 * keeps its single-node registry in one zone. A `zone-outage` fault (fault-table.ts) takes every
 * node of one zone at one instant.
 */

/** The zone Redis stands in (the registry is one node). */
export const redisZone = 0;

/** The zone of server `serverIndex` (or of discovery instance `instanceIndex`): round robin. */
export function zoneOfIndex(index: number, zones: number): number {
  return index % Math.max(1, zones);
}

/** The nodes one zone holds. */
export interface ZoneMembers {
  zone: number;
  /** Server indexes in the zone. */
  servers: number[];
  /** Discovery instance indexes in the zone (mode C). */
  discovery: number[];
  /** Whether Redis stands in the zone (mode A). */
  redis: boolean;
}

export interface ZoneLayout {
  servers: number;
  discoveryInstances: number;
  zones: number;
}

export function zoneMembers(zone: number, layout: ZoneLayout): ZoneMembers {
  const inZone = (count: number) =>
    Array.from({ length: count }, (_, index) => index).filter(
      (index) => zoneOfIndex(index, layout.zones) === zone,
    );
  return {
    zone,
    servers: inZone(layout.servers),
    discovery: inZone(layout.discoveryInstances),
    redis: zone === redisZone,
  };
}

/** Parses `zone-<k>`; undefined for any other target. */
export function zoneIndexOfTarget(target: string): number | undefined {
  const match = /^zone-(\d+)$/.exec(target);
  return match === null ? undefined : Number(match[1]);
}
