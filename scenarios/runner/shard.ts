/**
 * `--shard I/N`: run a deterministic 1/N of all runs. Runs are numbered in plan order (files
 * sorted by path, then modes, sweep points in file order, then seeds) and run k belongs to shard
 * (k mod N) + 1, so the N shards partition the runs exactly and each gets a similar mix of
 * scenarios. Seeds do not depend on the shard (see seed.ts), so shards can run on different
 * machines given the same --seed, and `headcount report` merges their folders.
 */

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Sharding beyond this splits runs thinner than any CI fleet we plan for. */
export const shardCountMax = 1_000;

export function parseShard(text: string): Shard | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > shardCountMax || index < 1 || index > count) return undefined;
  return { index, count };
}

export function inShard(runIndex: number, shard: Shard | undefined): boolean {
  return shard === undefined || runIndex % shard.count === shard.index - 1;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
