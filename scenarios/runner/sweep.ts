/**
 * Sweeps: `sweep: { cluster.ttlMs: [2s, 5s], cluster.heartbeatPerTtl: [1, 1/5] }` varies any
 * numeric field (or a named choice such as cluster.idStrategy), named by its dotted path in the
 * scenario file, over a list. Several sweeps
 * combine as a grid (every combination), in file order: the first key varies slowest.
 * Values are applied to the raw file and the result is validated again, so a swept value gets
 * exactly the checks a written one would.
 */

export type SweepPoint = readonly { path: string; value: number | string }[];

/** The grid is bounded so a typo (a 100-value list times three more) cannot plan a million runs. */
export const sweepPointsMax = 10_000;

export function expandGrid(sweep: Record<string, readonly (number | string)[]> | undefined): SweepPoint[] {
  let points: SweepPoint[] = [[]];
  for (const [path, values] of Object.entries(sweep ?? {})) {
    points = points.flatMap((point) => values.map((value) => [...point, { path, value }]));
    if (points.length > sweepPointsMax) {
      throw new RangeError(
        `the sweep grid has more than ${sweepPointsMax} points (sweepPointsMax); shorten a list`,
      );
    }
  }
  return points;
}

function segments(path: string): (string | number)[] {
  return path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** A deep copy of `raw` with `value` at `path`, creating missing objects on the way. */
export function withValueAt(raw: unknown, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(raw) as Record<string, unknown>;
  const parts = segments(path);
  let node: Record<string | number, unknown> = copy;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string | number, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
  return copy;
}

export function valueAt(data: unknown, path: string): unknown {
  let node: unknown = data;
  for (const part of segments(path)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** Objects merge key by key; arrays and scalars replace (how `quick:` overrides a file). */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(base) || !isObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
  for (const [key, value] of Object.entries(over as Record<string, unknown>)) {
    out[key] = deepMerge(out[key], value);
  }
  return out;
}
