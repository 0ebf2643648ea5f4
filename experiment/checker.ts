/**
 * The checker: a pure function from a `History` (experiment/history.ts) to the judged parts of a
 * `RunResult` (experiment/result.ts). The simulator and the real-time lab both call it, so their
 * results are computed the same way and can be compared.
 *
 * A numeric WHO answer is judged against the truth over its request interval
 * [askedAtMs, answeredAtMs]: error 0 inside [truthMin, truthMax], else the signed distance to the
 * nearest bound. Which range depends on what the mode promises:
 * - mode A (and local) promise a fleet-level number: [min, max] of the fleet's total over the
 *   interval.
 * - mode C promises that each member's count is right for the moment it was read. A fan-out
 *   reads the servers a few milliseconds apart, so with changes on several servers during one
 *   request the sum can leave the fleet's range although no server's count was wrong. Its range
 *   is [sum over servers of each server's minimum over the interval, sum of each maximum]. The
 *   answers outside the fleet-level range are still counted (`who.outsideFleetRange`).
 * Without per-server truth in the history (`serverTruth` empty), mode C falls back to the fleet
 * range, which is stricter. Consecutive wrong answers form a stale window; consecutive refusals (ERR
 * unavailable or no answer) form a refusal window; each window is blamed on the fault active at
 * its start, or healed shortly before it, else on `propagation delay (no fault)`.
 */
import { faultKinds, faultTable } from './faults/fault-table.ts';
import { zoneIndexOfTarget, zoneMembers } from './faults/zones.ts';
import type { CounterSamples, EndState, History, TruthPoints, WhoRecord } from './history.ts';
import type {
  Distribution,
  IdStats,
  LoadBalancerStats,
  QuietAndStorm,
  Rebalance,
  RunResult,
  Series,
  StormStats,
  Window,
} from './result.ts';
import { absorbSlackShare, stormQuietMsMax, stormWindowMsMin } from './result.ts';

export interface CheckOptions {
  mode: 'local' | 'a' | 'c';
  ttlMs: number;
  heartbeatMs: number;
  /** Answers asked within this long of a truth change are not held to exactness (propagation). */
  quietMs: number;
  /**
   * Answers asked before this instant are not judged at all: the fleet is still starting (the
   * clients a run begins with have not all been published yet), so judging them would report
   * a start-up effect as staleness. 0 = judge everything. Optional for older callers.
   */
  warmupMs?: number;
  /** Every fault has healed by this instant; -1 = never (no convergence check). */
  healAtMs: number;
  /**
   * How long after the last change (and the heal) every store must have forgotten departed
   * clients: the conservation check judges the end state only after this. Default 0.
   */
  conservationSettleMs?: number;
  seriesResolutionMs: number;
  perServerSeries: boolean;
  idStrategy: string;
  /** Whether the id strategy promises unique ids across restarts (`stable` reuses its own). */
  loadBalancerPolicy: string;
  connectionAgeMsMax: number;
  idleTimeoutMs: number;
  /** Zones the servers stand in, round robin (a zone crash's servers). @default 1 */
  zones?: number;
}

export type CheckedParts = Pick<
  RunResult,
  | 'who'
  | 'staleWindows'
  | 'staleWindowMs'
  | 'refusalWindows'
  | 'refusalWindowMs'
  | 'redisOpsPerSec'
  | 'redisWritesPerSec'
  | 'broadcastsPerSec'
  | 'events'
  | 'series'
  | 'ids'
  | 'loadBalancer'
  | 'checks'
  | 'storms'
>;

const round3 = (value: number): number => Math.round(value * 1000) / 1000;
const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;
const floor6 = (value: number): number => Math.floor(value * 1e6) / 1e6;

export function distribution(values: number[]): Distribution & { min: number; p90: number } {
  if (values.length === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0, min: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    mean: round3(sum / sorted.length),
    p50: round3(at(0.5)),
    p90: round3(at(0.9)),
    p99: round3(at(0.99)),
    max: round3(sorted[sorted.length - 1]!),
    min: round3(sorted[0]!),
  };
}

const plain = ({ count, mean, p50, p99, max }: Distribution): Distribution => ({
  count,
  mean,
  p50,
  p99,
  max,
});

/** Index of the last change point at or before `atMs` (0 when none is). */
function indexAt(times: readonly number[], atMs: number): number {
  let low = 0;
  let high = times.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (times[mid]! <= atMs) low = mid;
    else high = mid - 1;
  }
  return low;
}

function truthIndexAt(history: History, atMs: number): number {
  return indexAt(history.truthTMs, atMs);
}

export function truthAt(history: History, atMs: number): number {
  return history.truthCount[truthIndexAt(history, atMs)]!;
}

/** [min, max] of the truth over [fromMs, toMs], and the last change at or before toMs. */
export function truthRange(history: History, fromMs: number, toMs: number): [number, number, number] {
  let index = truthIndexAt(history, fromMs);
  let min = history.truthCount[index]!;
  let max = min;
  const times = history.truthTMs;
  while (index + 1 < times.length && times[index + 1]! <= toMs) {
    index += 1;
    const count = history.truthCount[index]!;
    if (count < min) min = count;
    if (count > max) max = count;
  }
  if (history.unconfirmed !== undefined)
    min = Math.min(min, lowestHeld(history, history.unconfirmed, fromMs, toMs));
  return [min, max, times[index]!];
}

/**
 * The fewest clients the servers surely held over [fromMs, toMs]: truth minus the unconfirmed
 * (connected, not yet answered once), at every instant either changes.
 */
function lowestHeld(history: History, unconfirmed: TruthPoints, fromMs: number, toMs: number): number {
  let truthIndex = indexAt(history.truthTMs, fromMs);
  let unconfirmedIndex = indexAt(unconfirmed.tMs, fromMs);
  let lowest = history.truthCount[truthIndex]! - unconfirmed.count[unconfirmedIndex]!;
  for (;;) {
    const nextTruthMs = history.truthTMs[truthIndex + 1] ?? Number.POSITIVE_INFINITY;
    const nextUnconfirmedMs = unconfirmed.tMs[unconfirmedIndex + 1] ?? Number.POSITIVE_INFINITY;
    const nextMs = Math.min(nextTruthMs, nextUnconfirmedMs);
    if (nextMs > toMs) return lowest;
    if (nextTruthMs === nextMs) truthIndex += 1;
    if (nextUnconfirmedMs === nextMs) unconfirmedIndex += 1;
    lowest = Math.min(lowest, history.truthCount[truthIndex]! - unconfirmed.count[unconfirmedIndex]!);
  }
}

/** [min, max] of one change-point series over [fromMs, toMs]. */
function pointsRange(points: TruthPoints, fromMs: number, toMs: number): [number, number] {
  const times = points.tMs;
  const low = indexAt(times, fromMs);
  let min = points.count[low]!;
  let max = min;
  for (let index = low + 1; index < times.length && times[index]! <= toMs; index += 1) {
    const count = points.count[index]!;
    if (count < min) min = count;
    if (count > max) max = count;
  }
  return [min, max];
}

/** [sum of each server's minimum, sum of each server's maximum] over [fromMs, toMs]. */
export function serverTruthRange(history: History, fromMs: number, toMs: number): [number, number] {
  let min = 0;
  let max = 0;
  for (const points of history.serverTruth) {
    const [serverMin, serverMax] = pointsRange(points, fromMs, toMs);
    min += serverMin;
    max += serverMax;
  }
  return [min, max];
}

const signedError = (value: number, min: number, max: number): number =>
  value > max ? value - max : value < min ? value - min : 0;

interface Judged {
  record: WhoRecord;
  error: number;
  /** Outside the fleet-level truth range (the same as `error !== 0` unless judged per server). */
  outsideFleet: boolean;
  truthMax: number;
  lastChangeMs: number;
}

function judge(history: History, mode: CheckOptions['mode']): Judged[] {
  const judged: Judged[] = [];
  const perServer = mode === 'c' && history.serverTruth.length > 0;
  for (const record of history.who) {
    if (record.outcome === 'abandoned') continue;
    const [min, max, lastChangeMs] = truthRange(history, record.askedAtMs, record.answeredAtMs);
    let error = 0;
    let outsideFleet = false;
    if (record.outcome === 'count') {
      error = signedError(record.value, min, max);
      outsideFleet = error !== 0;
      if (perServer && outsideFleet) {
        const [serverMin, serverMax] = serverTruthRange(history, record.askedAtMs, record.answeredAtMs);
        error = signedError(record.value, serverMin, serverMax);
      }
    }
    judged.push({ record, error, outsideFleet, truthMax: max, lastChangeMs });
  }
  judged.sort((a, b) => a.record.askedAtMs - b.record.askedAtMs);
  return judged;
}

function whoStats(judged: Judged[]): RunResult['who'] {
  const errors: number[] = [];
  const relative: number[] = [];
  const latencies: number[] = [];
  let unavailable = 0;
  let timedOut = 0;
  let wrong = 0;
  let outsideFleetRange = 0;
  const over = { answers: 0, max: 0, mean: 0 };
  const under = { answers: 0, max: 0, mean: 0 };
  for (const judgedEntry of judged) {
    const { record, error, truthMax } = judgedEntry;
    if (record.outcome === 'timeout') {
      timedOut += 1;
      continue;
    }
    latencies.push(record.answeredAtMs - record.askedAtMs);
    if (record.outcome === 'unavailable') {
      unavailable += 1;
      continue;
    }
    errors.push(error);
    relative.push(Math.abs(error) / Math.max(1, truthMax));
    if (error !== 0) wrong += 1;
    if (judgedEntry.outsideFleet) outsideFleetRange += 1;
    if (error > 0) {
      over.answers += 1;
      over.max = Math.max(over.max, error);
      over.mean += error;
    } else if (error < 0) {
      under.answers += 1;
      under.max = Math.max(under.max, -error);
      under.mean -= error;
    }
  }
  // Sums over every numeric answer: probes are Poisson, so these are averages over time.
  over.mean = errors.length === 0 ? 0 : round6(over.mean / errors.length);
  under.mean = errors.length === 0 ? 0 : round6(under.mean / errors.length);
  const asked = judged.length;
  const answered = errors.length;
  const errorDistribution = distribution(errors);
  const latency = distribution(latencies);
  return {
    asked,
    answered,
    unavailable,
    timedOut,
    // Six decimals, never rounded up to 1: 99.9996% must not read as 100%.
    availability: asked === 0 ? 1 : floor6(answered / asked),
    wrong,
    outsideFleetRange,
    error: { ...plain(errorDistribution), min: errorDistribution.min },
    relativeErrorAbs: plain(distribution(relative)),
    overcount: over,
    undercount: under,
    latencyMs: { ...plain(latency), p90: latency.p90 },
  };
}

/** Merges consecutive answers for which `bad` holds into windows; a good answer closes one. */
function windows(
  judged: Judged[],
  bad: (entry: Judged) => boolean,
  ignored: (entry: Judged) => boolean,
  causeOf: (startMs: number, endMs: number) => string,
): Window[] {
  const found: Window[] = [];
  let open: Window | undefined;
  for (const entry of judged) {
    if (ignored(entry)) continue;
    if (bad(entry)) {
      const { askedAtMs, answeredAtMs } = entry.record;
      if (open === undefined) {
        open = { startMs: askedAtMs, endMs: answeredAtMs, durationMs: 0, errorAbsMax: 0, cause: '' };
        found.push(open);
      }
      open.endMs = Math.max(open.endMs, answeredAtMs);
      open.errorAbsMax = Math.max(open.errorAbsMax, Math.abs(entry.error));
    } else open = undefined;
  }
  for (const window of found) {
    window.startMs = round3(window.startMs);
    window.endMs = round3(window.endMs);
    window.durationMs = round3(window.endMs - window.startMs);
    window.cause = causeOf(window.startMs, window.endMs);
  }
  return found;
}

/** The fault active at `startMs`, else one starting inside the window, else the last fault or heal within `lookbackMs` before it. */
function causeFinder(history: History, lookbackMs: number): (startMs: number, endMs: number) => string {
  return (startMs, endMs) => {
    const active = new Map<string, string>();
    let recent: string | undefined;
    for (const event of history.events) {
      if (event.atMs > startMs) {
        // A fault that began inside the window (a WHO asked just before a crash) explains it.
        if (event.atMs <= endMs && event.kind !== 'heal' && active.size === 0)
          return `${event.kind} ${event.target}`;
        if (event.atMs > endMs) break;
        continue;
      }
      const key = event.kind === 'heal' ? `${event.detail} ${event.target}` : `${event.kind} ${event.target}`;
      if (event.kind === 'heal') active.delete(key);
      else active.set(key, key);
      if (event.atMs >= startMs - lookbackMs) recent = key;
    }
    const last = [...active.values()].pop();
    return last ?? recent ?? 'propagation delay (no fault)';
  };
}

function series(history: History, options: CheckOptions): Series {
  const resolutionMs = options.seriesResolutionMs;
  const buckets = Math.max(1, Math.ceil(history.durationMs / resolutionMs));
  const out: Series = {
    resolutionMs,
    tMs: [],
    truth: [],
    whoMean: [],
    whoMin: [],
    whoMax: [],
    unavailable: [],
  };
  const sums = new Float64Array(buckets);
  const counts = new Uint32Array(buckets);
  const mins = new Float64Array(buckets).fill(Number.POSITIVE_INFINITY);
  const maxs = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY);
  const refusals = new Uint32Array(buckets);
  for (const record of history.who) {
    const bucket = Math.min(buckets - 1, Math.floor(record.answeredAtMs / resolutionMs));
    if (record.outcome === 'unavailable') refusals[bucket]! += 1;
    if (record.outcome !== 'count') continue;
    sums[bucket]! += record.value;
    counts[bucket]! += 1;
    mins[bucket] = Math.min(mins[bucket]!, record.value);
    maxs[bucket] = Math.max(maxs[bucket]!, record.value);
  }
  for (let bucket = 0; bucket < buckets; bucket += 1) {
    const endMs = Math.min(history.durationMs, (bucket + 1) * resolutionMs);
    out.tMs.push(bucket * resolutionMs);
    out.truth.push(truthAt(history, endMs));
    const n = counts[bucket]!;
    out.whoMean.push(n === 0 ? null : round3(sums[bucket]! / n));
    out.whoMin.push(n === 0 ? null : mins[bucket]!);
    out.whoMax.push(n === 0 ? null : maxs[bucket]!);
    out.unavailable.push(refusals[bucket]!);
  }
  if (options.perServerSeries && history.samplePerServer.length > 0) {
    const servers = history.samplePerServer[0]!.length;
    out.perServer = Array.from({ length: servers }, (_, server) =>
      history.samplePerServer.slice(0, buckets).map((sample) => sample[server]!),
    );
  }
  return out;
}

/**
 * Double counting proper: for each boot that follows a crash or restart, the overcount that is
 * still there *after* the boot, while the old registry entry lives beside the new one. The
 * overcount between the crash and the boot (clients that reconnected elsewhere, still counted by
 * the old entry) is the crash's stale window and the same for every id strategy, so it is left
 * out. A boot inside a stale window continues it: the window's answers asked from the boot on.
 */
function doubleCounts(history: History, judged: Judged[], staleWindows: Window[]) {
  const found: { windowMs: number; overcountMax: number }[] = [];
  const seen = new Set<number>();
  for (const boot of history.boots) {
    if (!seen.has(boot.serverIndex)) {
      seen.add(boot.serverIndex);
      continue;
    }
    const window = staleWindows.find((w) => w.startMs <= boot.atMs && boot.atMs <= w.endMs);
    if (window === undefined) continue;
    let overcountMax = 0;
    for (const entry of judged) {
      const { askedAtMs, outcome } = entry.record;
      if (askedAtMs < boot.atMs || askedAtMs > window.endMs || outcome !== 'count') continue;
      overcountMax = Math.max(overcountMax, entry.error);
    }
    if (overcountMax > 0) found.push({ windowMs: round3(window.endMs - boot.atMs), overcountMax });
  }
  return found;
}

function idStats(history: History, options: CheckOptions, judged: Judged[], staleWindows: Window[]): IdStats {
  const ownerOf = new Map<string, number>();
  let collisions = 0;
  for (const boot of history.boots) {
    const owner = ownerOf.get(boot.id);
    const reusesOwn = owner === boot.serverIndex && options.idStrategy === 'stable';
    if (owner !== undefined && !reusesOwn) collisions += 1;
    ownerOf.set(boot.id, boot.serverIndex);
  }
  const servers = new Set(history.boots.map((boot) => boot.serverIndex)).size;
  const doubles = doubleCounts(history, judged, staleWindows);
  return {
    strategy: options.idStrategy,
    restarts: history.boots.length - servers,
    distinctIds: ownerOf.size,
    collisions,
    doubleCountMax: doubles.reduce((m, d) => Math.max(m, d.overcountMax), 0),
    doubleCountWindowMsMax: doubles.reduce((m, d) => Math.max(m, d.windowMs), 0),
    doubleCountBoots: doubles.length,
  };
}

/**
 * The fleet counts as rebalanced once (max - min) / mean connections per live server is at most
 * 20%: the busiest server then carries at most about 20% more than the quietest, within the
 * headroom a fleet is usually sized with.
 */
export const rebalancedImbalanceMax = 0.2;

function imbalanceOf(sample: number[]): number | undefined {
  const live = sample.filter((count) => count >= 0);
  if (live.length === 0) return undefined;
  const mean = live.reduce((sum, count) => sum + count, 0) / live.length;
  return mean === 0 ? undefined : (Math.max(...live) - Math.min(...live)) / mean;
}

/** Fault kinds whose heal boots a server again (the fault table's `checker.healBootsServer`). */
const bootsOnHeal: ReadonlySet<string> = new Set(
  faultKinds.filter((kind) => faultTable[kind].checker.healBootsServer),
);

/** Joins: a server booting again after a stop (scale-out), a restart or a crash. */
function rebalances(history: History): Rebalance[] {
  const joins = history.events.filter((e) => e.kind === 'heal' && bootsOnHeal.has(e.detail ?? ''));
  return joins.map((join, index) => {
    const untilMs = joins[index + 1]?.atMs ?? history.durationMs;
    let imbalanceAtJoin: number | undefined;
    let rebalanceMs: number | null = null;
    for (let k = 0; k < history.sampleTMs.length; k += 1) {
      const atMs = history.sampleTMs[k]!;
      if (atMs <= join.atMs) continue;
      if (atMs > untilMs) break;
      const imbalance = imbalanceOf(history.samplePerServer[k]!);
      if (imbalance === undefined) continue;
      imbalanceAtJoin ??= imbalance;
      if (imbalance <= rebalancedImbalanceMax) {
        rebalanceMs = round3(atMs - join.atMs);
        break;
      }
    }
    return {
      atMs: join.atMs,
      event: `${join.detail} ${join.target}`,
      imbalanceAtJoin: round3(imbalanceAtJoin ?? 0),
      rebalanceMs,
    };
  });
}

/**
 * Connections opened: every +1 step of a server's truth (arrivals and reconnects alike) from the
 * end of the warm-up on, so the clients a run begins with are not counted (the simulator connects
 * them at t = 0 in mode A but only once the servers have registered in mode C; the lab before t = 0).
 */
function connectionsOpened(history: History, fromMs: number): number {
  let opened = 0;
  for (const points of history.serverTruth) {
    for (let k = 1; k < points.count.length; k += 1) {
      if (points.tMs[k]! < fromMs) continue;
      const step = points.count[k]! - points.count[k - 1]!;
      if (step > 0) opened += step;
    }
  }
  return opened;
}

function loadBalancer(history: History, options: CheckOptions): LoadBalancerStats {
  const imbalances: number[] = [];
  for (const sample of history.samplePerServer) {
    const imbalance = imbalanceOf(sample);
    if (imbalance !== undefined) imbalances.push(imbalance);
  }
  return {
    policy: options.loadBalancerPolicy,
    connectionAgeMsMax: options.connectionAgeMsMax,
    idleTimeoutMs: options.idleTimeoutMs,
    imbalance: plain(distribution(imbalances)),
    connectionsOpened: connectionsOpened(history, options.warmupMs ?? 0),
    rebalancedImbalanceMax,
    rebalances: rebalances(history),
  };
}

/** Mode A's liveness: settled answers asked after heal + ttl + heartbeat are exact. */
function convergenceCheck(judged: Judged[], options: CheckOptions): RunResult['checks'][number] {
  const name = 'who-exact-after-heal';
  if (options.healAtMs < 0) return { name, ok: true, detail: 'no heal instant: not checked' };
  const fromMs = options.healAtMs + options.ttlMs + options.heartbeatMs;
  let checked = 0;
  for (const { record, error, lastChangeMs } of judged) {
    if (record.askedAtMs < fromMs || record.outcome !== 'count') continue;
    if (record.askedAtMs - lastChangeMs < options.quietMs) continue;
    checked += 1;
    if (error !== 0) {
      return {
        name,
        ok: false,
        detail: `WHO asked at ${round3(record.askedAtMs)} ms answered ${record.value}, off by ${error} (settled since ${round3(lastChangeMs)} ms; expected exact from ${fromMs} ms)`,
      };
    }
  }
  return { name, ok: true, detail: `${checked} settled answers from ${fromMs} ms were exact` };
}

/** Mode C's safety: every numeric answer lies within the (per-server) truth range of its interval. */
function withinRangeCheck(judged: Judged[]): RunResult['checks'][number] {
  const name = 'answers-within-truth-range';
  const bad = judged.find((entry) => entry.record.outcome === 'count' && entry.error !== 0);
  if (bad === undefined) return { name, ok: true, detail: 'every numeric answer lay within the truth range' };
  return {
    name,
    ok: false,
    detail: `WHO asked at ${round3(bad.record.askedAtMs)} ms answered ${bad.record.value}, off by ${bad.error}`,
  };
}

/** With every client gone and every fault healed long enough ago, every count is 0. */
function conservationCheck(
  history: History,
  end: EndState,
  options: CheckOptions,
): RunResult['checks'][number] {
  const name = 'counts-return-to-zero';
  const lastChangeMs = history.truthTMs[history.truthTMs.length - 1]!;
  const quietSinceMs = Math.max(lastChangeMs, options.healAtMs);
  if (end.clientsConnected !== 0 || history.durationMs - quietSinceMs < (options.conservationSettleMs ?? 0)) {
    return {
      name,
      ok: true,
      detail: `not applicable: ${end.clientsConnected} clients left, quiet since ${Math.round(quietSinceMs)} ms`,
    };
  }
  if (end.localCountSum !== 0) return { name, ok: false, detail: `local counts sum to ${end.localCountSum}` };
  if (end.registry !== undefined && end.registry.total !== 0) {
    return {
      name,
      ok: false,
      detail: `redis live entries (${end.registry.servers}) sum to ${end.registry.total}`,
    };
  }
  const member = end.discoveryMembers?.find((entry) => entry.count !== 0);
  if (member !== undefined) {
    return {
      name,
      ok: false,
      detail: `discovery-${member.instanceIndex} sees ${member.serverId} at ${member.count}`,
    };
  }
  return { name, ok: true, detail: 'every local, registry and discovery count is 0' };
}

export function checkHistory(history: History, options: CheckOptions): CheckedParts {
  const warmupMs = options.warmupMs ?? 0;
  const judged = judge(history, options.mode).filter((entry) => entry.record.askedAtMs >= warmupMs);
  const seconds = Math.max(history.durationMs, 1) / 1000;
  const causeOf = causeFinder(history, options.ttlMs + 2 * options.heartbeatMs);
  const isRefusal = (entry: Judged) => entry.record.outcome !== 'count';
  const staleWindows = windows(judged, (entry) => entry.error !== 0, isRefusal, causeOf);
  const refusalWindows = windows(judged, isRefusal, () => false, causeOf);
  const checks = [...history.checks];
  if (history.endState !== undefined) checks.push(conservationCheck(history, history.endState, options));
  if (options.mode === 'a') checks.push(convergenceCheck(judged, options));
  if (options.mode === 'c') checks.push(withinRangeCheck(judged));
  const ids = idStats(history, options, judged, staleWindows);
  checks.push({
    name: 'ids-unique',
    ok: ids.collisions === 0,
    detail: `${ids.distinctIds} ids over ${history.boots.length} boots, ${ids.collisions} collisions`,
  });
  return {
    who: whoStats(judged),
    staleWindows,
    staleWindowMs: plain(distribution(staleWindows.map((window) => window.durationMs))),
    refusalWindows,
    refusalWindowMs: plain(distribution(refusalWindows.map((window) => window.durationMs))),
    redisOpsPerSec: round3(history.redisOps / seconds),
    redisWritesPerSec: round3((history.redisWrites ?? 0) / seconds),
    broadcastsPerSec: round3(history.broadcasts / seconds),
    events: history.events,
    series: series(history, options),
    ids,
    loadBalancer: loadBalancer(history, options),
    checks,
    ...stormsOf(history, options, judged),
  };
}

function stormsOf(history: History, options: CheckOptions, judged: Judged[]): Pick<RunResult, 'storms'> {
  const storms = stormStatsOf(history, options, judged);
  return storms.length === 0 ? {} : { storms };
}

// ---- reconnect storms ------------------------------------------------------------------------

/** The servers a crash-like event takes down, or undefined when it is no crash. */
export function crashedServersOf(
  event: { kind: string; target: string; detail?: string },
  servers: number,
  zones: number,
): number[] | undefined {
  if (event.kind === 'crash' && event.target.startsWith('server-'))
    return [Number(event.target.slice('server-'.length))];
  const zone = zoneIndexOfTarget(event.target);
  if (event.kind !== 'zone-outage' || zone === undefined || !(event.detail ?? '').includes('outage=crash'))
    return undefined;
  return zoneMembers(zone, { servers, discoveryInstances: 0, zones }).servers;
}

/** The value a change-point series held just before `atMs` (the last point strictly before it). */
function valueBefore(points: TruthPoints, atMs: number): number {
  let index = indexAt(points.tMs, atMs);
  while (index > 0 && points.tMs[index]! >= atMs) index -= 1;
  return points.count[index]!;
}

/** The first change point at or after `fromMs` (the instant itself included) where `holds`. */
function firstInstant(
  points: TruthPoints,
  fromMs: number,
  holds: (count: number) => boolean,
): number | undefined {
  const start = indexAt(points.tMs, fromMs);
  if (holds(points.count[start]!)) return fromMs;
  for (let index = start + 1; index < points.tMs.length; index += 1)
    if (holds(points.count[index]!)) return points.tMs[index]!;
  return undefined;
}

/** The sum of several change-point series, as one series. */
function sumOf(series: readonly TruthPoints[]): TruthPoints {
  const times = [...new Set(series.flatMap((points) => points.tMs))].sort((a, b) => a - b);
  return {
    tMs: times,
    count: times.map((atMs) =>
      series.reduce((sum, points) => sum + points.count[indexAt(points.tMs, atMs)]!, 0),
    ),
  };
}

/** Absorb time (see `StormStats.absorbMs`). */
function absorbMsOf(
  history: History,
  crashed: TruthPoints,
  atMs: number,
  clientsBefore: number,
  dropped: number,
) {
  if (dropped === 0) return 0;
  const emptiedAtMs = firstInstant(crashed, atMs, (count) => count === 0);
  if (emptiedAtMs === undefined) return null;
  const truth = { tMs: history.truthTMs, count: history.truthCount };
  const floor = clientsBefore - Math.floor(absorbSlackShare * dropped);
  const backAtMs = firstInstant(truth, emptiedAtMs, (count) => count >= floor);
  return backAtMs === undefined ? null : round3(backAtMs - atMs);
}

/** Counter `of` per second over [fromMs, toMs], widened to the samples around it; undefined without two. */
function counterRate(
  samples: CounterSamples,
  of: 'redisWrites' | 'broadcasts',
  fromMs: number,
  toMs: number,
) {
  const times = [0, ...samples.tMs];
  const values = [0, ...samples[of]];
  const from = indexAt(times, fromMs);
  let to = indexAt(times, toMs);
  if (times[to]! < toMs && to + 1 < times.length) to += 1;
  const spanMs = times[to]! - times[from]!;
  return spanMs <= 0 ? undefined : round3(((values[to]! - values[from]!) * 1000) / spanMs);
}

function quietAndStormRate(
  samples: CounterSamples | undefined,
  of: 'redisWrites' | 'broadcasts',
  quietFromMs: number,
  atMs: number,
  windowEndMs: number,
): QuietAndStorm | undefined {
  if (samples === undefined || samples.tMs.length === 0) return undefined;
  const quiet = counterRate(samples, of, quietFromMs, atMs);
  const storm = counterRate(samples, of, atMs, windowEndMs);
  return quiet === undefined || storm === undefined ? undefined : { quiet, storm };
}

/** Mean connect-to-first-reply over [fromMs, toMs] by Little's law (see `StormStats`). */
function connectToReplyMsMean(unconfirmed: TruthPoints | undefined, fromMs: number, toMs: number) {
  if (unconfirmed === undefined) return undefined;
  let area = 0;
  let opened = 0;
  const { tMs, count } = unconfirmed;
  for (let index = indexAt(tMs, fromMs); index < tMs.length && tMs[index]! < toMs; index += 1) {
    const startMs = Math.max(fromMs, tMs[index]!);
    const endMs = Math.min(toMs, tMs[index + 1] ?? toMs);
    area += count[index]! * Math.max(0, endMs - startMs);
    const step = index === 0 ? 0 : count[index]! - count[index - 1]!;
    if (tMs[index]! >= fromMs && step > 0) opened += step;
  }
  return opened === 0 ? undefined : round3(area / opened);
}

/**
 * WHO latency p99 and count of the survivors' WHOs asked in [fromMs, toMs); one never answered
 * counts at its timeout (a stalled server must not drop out of its own p99).
 */
function latencyOver(judged: Judged[], crashed: ReadonlySet<number>, fromMs: number, toMs: number) {
  const latencies: number[] = [];
  for (const { record } of judged) {
    if (record.askedAtMs < fromMs || record.askedAtMs >= toMs) continue;
    if (crashed.has(record.serverIndex)) continue;
    latencies.push(record.answeredAtMs - record.askedAtMs);
  }
  return { p99: distribution(latencies).p99, asked: latencies.length };
}

/** One `StormStats` per server or zone crash in the history (judged answers only). */
export function stormStatsOf(history: History, options: CheckOptions, judged: Judged[]): StormStats[] {
  const servers = history.serverTruth.length;
  const storms: StormStats[] = [];
  for (const event of history.events) {
    const crashedIndexes = crashedServersOf(event, servers, options.zones ?? 1);
    if (crashedIndexes === undefined) continue;
    const { atMs } = event;
    const quietFromMs = Math.min(atMs, Math.max(options.warmupMs ?? 0, atMs - stormQuietMsMax));
    const crashedPoints = sumOf(
      crashedIndexes.flatMap((index) =>
        history.serverTruth[index] === undefined ? [] : [history.serverTruth[index]!],
      ),
    );
    const clientsDropped = crashedPoints.tMs.length === 0 ? 0 : valueBefore(crashedPoints, atMs);
    const clientsBefore = valueBefore({ tMs: history.truthTMs, count: history.truthCount }, atMs);
    const absorbMs = absorbMsOf(history, crashedPoints, atMs, clientsBefore, clientsDropped);
    const windowEndMs = round3(
      Math.min(history.durationMs, atMs + Math.max(absorbMs ?? history.durationMs, stormWindowMsMin)),
    );
    const crashed = new Set(crashedIndexes);
    const quiet = latencyOver(judged, crashed, quietFromMs, atMs);
    const storm = latencyOver(judged, crashed, atMs, windowEndMs);
    const connectMs = connectToReplyMsMean(history.unconfirmed, atMs, windowEndMs);
    const writes =
      options.mode === 'a'
        ? quietAndStormRate(history.counterSamples, 'redisWrites', quietFromMs, atMs, windowEndMs)
        : undefined;
    const fanouts =
      options.mode === 'c'
        ? quietAndStormRate(history.counterSamples, 'broadcasts', quietFromMs, atMs, windowEndMs)
        : undefined;
    storms.push({
      atMs,
      event: `${event.kind} ${event.target}`,
      clientsDropped,
      clientsBefore,
      absorbMs,
      windowEndMs,
      ...(connectMs === undefined ? {} : { connectToReplyMsMean: connectMs }),
      whoLatencyMsP99: { quiet: quiet.p99, storm: storm.p99 },
      whoAsked: { quiet: quiet.asked, storm: storm.asked },
      ...(writes === undefined ? {} : { redisWritesPerSec: writes }),
      ...(fanouts === undefined ? {} : { broadcastsPerSec: fanouts }),
    });
  }
  return storms;
}
