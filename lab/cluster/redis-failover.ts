/**
 * The lab's Redis failover, measured (fault `redis-failover` on a Sentinel-managed Redis,
 * lab/redis/redis-sentinel.ts): read the primary's registry, kill it (its replication relay is
 * severed first, so the replica keeps what it had), read the replica's registry, and compare
 * them (the entries the failover loses). Then, in the background, wait until Sentinel names the
 * replica (the promotion) and watch its expiry scores: a server's score rises when it writes, and
 * the score minus the TTL is the instant Redis executed that write (Redis's clock). Every instant
 * is recorded in production ms, like the rest of the history.
 */
import type { FailoverRecord } from '../../experiment/history.ts';
import type { SentinelGroup } from '../redis/index.ts';
import type { LabTime } from './lab-time.ts';
import { liveCounts, type RegistrySnapshot, readRegistry } from './registry-snapshot.ts';

export interface FailoverContext {
  group: SentinelGroup;
  prefix: string;
  time: LabTime;
  /** Which servers are up now (index order). */
  serversUp: boolean[];
  /** The servers' TTL, real ms (a write's instant is its expiry score minus it). */
  ttlRealMs: number;
  serverIndexOf(serverId: string): number | undefined;
  /** Called once the promotion is seen (the cluster re-bases its Redis statistics). */
  onPromoted(): Promise<void>;
  /** True once the run is over: the watch stops. */
  stopped(): boolean;
}

/** Longest real wait for Sentinel to name the replica (beyond it the record says "not promoted"). */
const promotionWaitRealMsMax = 60_000;
/** How often the promoted replica's expiry scores are read, real ms. */
const watchPollRealMs = 20;

/** Kills the primary and returns its record; the promotion and the first writes fill it in later. */
export async function failPrimary(context: FailoverContext): Promise<FailoverRecord> {
  const { group, prefix, time } = context;
  const atMs = time.nowMs();
  const replica = group.replica;
  const held = await readRegistry(group.primary.url, prefix);
  await group.killPrimary();
  const kept = replica === undefined ? undefined : await readRegistry(replica.url, prefix);
  const record: FailoverRecord = {
    atMs,
    ...lossOf(held, kept),
    serversLive: context.serversUp.filter(Boolean).length,
    firstWriteAtMs: context.serversUp.map(() => undefined),
  };
  void watch(context, record, kept);
  return record;
}

function lossOf(
  held: RegistrySnapshot | undefined,
  kept: RegistrySnapshot | undefined,
): Pick<FailoverRecord, 'entriesAtPrimary' | 'entriesLost' | 'clientsLost'> {
  if (held === undefined) return { entriesAtPrimary: 0, entriesLost: 0, clientsLost: 0 };
  const primary = liveCounts(held);
  // The replica's entries judged at the primary's instant (one machine, one clock).
  const replica =
    kept === undefined ? new Map<string, number>() : liveCounts({ ...kept, redisNowMs: held.redisNowMs });
  let entriesLost = 0;
  let clientsLost = 0;
  for (const [serverId, count] of primary) {
    if (replica.get(serverId) !== count) entriesLost += 1;
    clientsLost += count;
  }
  for (const count of replica.values()) clientsLost -= count;
  return { entriesAtPrimary: primary.size, entriesLost, clientsLost };
}

async function watch(
  context: FailoverContext,
  record: FailoverRecord,
  kept: RegistrySnapshot | undefined,
): Promise<void> {
  const { group, time } = context;
  const promoted = await group.waitPromotion(promotionWaitRealMsMax);
  if (!promoted || context.stopped()) return;
  record.promotedAtMs = time.nowMs();
  await context.onPromoted();
  const baseline = kept?.entries ?? new Map();
  const waiting = new Set(context.serversUp.flatMap((up, index) => (up ? [index] : [])));
  while (waiting.size > 0 && !context.stopped()) {
    const snapshot = await readRegistry(group.primary.url, context.prefix);
    for (const [serverId, entry] of snapshot?.entries ?? []) {
      const index = context.serverIndexOf(serverId);
      if (index === undefined || !waiting.has(index)) continue;
      if (entry.expiresAtMs <= (baseline.get(serverId)?.expiresAtMs ?? Number.NEGATIVE_INFINITY)) continue;
      waiting.delete(index);
      record.firstWriteAtMs[index] = productionMsOfEpoch(time, entry.expiresAtMs - context.ttlRealMs);
    }
    await new Promise((resolve) => setTimeout(resolve, watchPollRealMs));
  }
}

/** A Redis `TIME` instant (epoch ms, this machine's clock) as the run's production ms. */
function productionMsOfEpoch(time: LabTime, epochMs: number): number {
  return time.nowMs() - (Date.now() - epochMs) / time.timeScale;
}
