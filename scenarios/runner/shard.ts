/**
 * `--shard I/N`: run a deterministic 1/N of all runs. Runs are numbered in plan order (files
 * sorted by path, then modes, sweep points in file order, then seeds) and run k belongs to shard
 * (k mod N) + 1, so the N shards partition the runs exactly and each gets a similar mix of
 * scenarios. Seeds do not depend on the shard (see seed.ts), so shards can run on different
 * machines given the same --seed, and `headcount report` merges their folders.
 *
 * Without `--shard`, a Kubernetes Indexed Job names the shard through the environment: the Job
 * controller sets `JOB_COMPLETION_INDEX` (0-based) in every pod, and the manifest sets
 * `HEADCOUNT_SHARD_COUNT` to the Job's `completions`, since Kubernetes gives the pod no count.
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

/** Set by the Kubernetes Job controller in each pod of an Indexed Job: 0, 1, ... completions - 1. */
export const shardIndexEnv = 'JOB_COMPLETION_INDEX';
/** Set by our manifests (and CI matrices) to the number of shards, which Kubernetes does not pass. */
export const shardCountEnv = 'HEADCOUNT_SHARD_COUNT';

export type ShardFromEnv = { ok: true; shard: Shard | undefined } | { ok: false; message: string };

/**
 * The shard named by the environment, or undefined when neither variable is set. One without the
 * other is an error: running the whole sweep in every pod would multiply the work silently.
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>>): ShardFromEnv {
  const indexText = env[shardIndexEnv];
  const countText = env[shardCountEnv];
  if (indexText === undefined && countText === undefined) return { ok: true, shard: undefined };
  if (indexText === undefined || countText === undefined) {
    const missing = indexText === undefined ? shardIndexEnv : shardCountEnv;
    return {
      ok: false,
      message: `${shardIndexEnv} and ${shardCountEnv} go together; ${missing} is not set (or pass --shard I/N)`,
    };
  }
  const index = /^\d+$/.test(indexText.trim()) ? Number(indexText) + 1 : Number.NaN;
  const shard = parseShard(`${index}/${countText}`);
  if (shard === undefined) {
    return {
      ok: false,
      message: `${shardIndexEnv}=${indexText} with ${shardCountEnv}=${countText} is not a shard: need 0 <= index < count <= ${shardCountMax}`,
    };
  }
  return { ok: true, shard };
}
