/**
 * `headcount deploy k8s`'s options: one zod schema, validated and frozen (STYLE §8). The server's
 * own settings (`maxConnections`, `drainMs`, the Redis URL forms) are checked by the server's
 * schema, so a manifest can never carry a value `headcount serve` would refuse, and their
 * defaults are read from it rather than written again here.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { serveOptionsSchema } from '../../impl/config/serve-options.ts';
import type { Result } from '../../impl/core/result.ts';
import { err, ok } from '../../impl/core/result.ts';
import { shardCountMax } from '../../scenarios/runner/shard.ts';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The server's defaults, exactly as `headcount serve` applies them. */
export const serveDefaults = serveOptionsSchema.parse({});

/** More pods than this in one load Job is a fleet we have not planned for; split the test instead. */
export const loadPodsMax = 1_000;
/** More server replicas than this is past anything the design was measured at. */
export const replicasMax = 1_000;

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const deployK8sOptionsSchema = z
  .object({
    /** Which overlays to write: `a`, `c`, or both when absent. */
    mode: z.enum(['a', 'c']).optional(),
    /** Folder for the kustomize layout. @default ops/k8s (the checked-in copy) */
    out: z.string().min(1).default('ops/k8s'),
    /** Container image for every pod. @default headcount:<package version> (built from ops/container/Containerfile) */
    image: z.string().min(1).default(`headcount:${packageVersion}`),
    /** Server pods. @default 3 (one per zone in a three-zone region) */
    replicas: count(1, replicasMax).default(3),
    /** `headcount serve --max-connections`; sizes the descriptor budget and the memory request. */
    maxConnections: serveOptionsSchema.shape.maxConnections,
    /** `headcount serve --drain-ms`; the grace period is set above it. */
    drainMs: serveOptionsSchema.shape.drainMs,
    /** Mode A: Redis URL (`redis://`, `rediss://`, `redis-sentinel://h1:26379,h2:26379/master`). @default redis://redis:6379 (a Service named redis) */
    redis: z
      .string()
      .regex(
        /^(rediss?:\/\/\S+|redis-cluster:\/\/\S+|redis-sentinel:\/\/[^/\s]+\/\S+)$/,
        'expected redis://, rediss://, redis-cluster:// or redis-sentinel://host:port,.../masterName ("memory" is a one-process demo: each pod would count alone)',
      )
      .default('redis://redis:6379'),
    /** Sweep: the scenario file the Indexed Job runs (a path inside the image). @default scenarios/ttl-sweep.yaml */
    sweepFile: z.string().min(1).default('scenarios/ttl-sweep.yaml'),
    /** Sweep: shards, one pod each. @default 4 */
    shards: count(1, shardCountMax).default(4),
    /** Sweep: the root seed every shard shares, so the shards partition one sweep. @default 1 */
    seed: count(0, 0xffff_ffff).default(1),
    /** Load test: pods driving load at once. @default 4 */
    loadPods: count(1, loadPodsMax).default(4),
    /** Load test: held connections across all pods; a multiple of loadPods. @default 20000 */
    loadConnections: count(1, 10_000_000).default(20_000),
    /** Load test: measured time. @default 60000 */
    loadDurationMs: count(1_000, 86_400_000).default(60_000),
  })
  .strict();

export type DeployK8sOptions = Readonly<z.infer<typeof deployK8sOptionsSchema>>;

export interface DeployConfigError {
  field: string;
  message: string;
}

export function parseDeployK8sOptions(
  raw: Record<string, unknown>,
): Result<DeployK8sOptions, DeployConfigError[]> {
  const parsed = deployK8sOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    return err(
      parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), message: issue.message })),
    );
  }
  const options = parsed.data;
  const problems: DeployConfigError[] = [];
  if (options.loadConnections % options.loadPods !== 0) {
    problems.push({
      field: 'loadConnections',
      message: `${options.loadConnections} connections do not split evenly over ${options.loadPods} pods; every pod runs the same command, so use a multiple of --load-pods`,
    });
  }
  if (problems.length > 0) return err(problems);
  return ok(Object.freeze(options));
}
