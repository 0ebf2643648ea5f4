/**
 * The shape of a scenario file, as zod schemas. A file answers one product question: it names
 * the fleet (`cluster`, `network`), the load (`workload`), what goes wrong (`faults`), how long
 * and how many times to run (`durationMs`, `seeds`), what to vary (`sweep`), and what must hold
 * (`expect`). `quick` overrides any of these for the small CI-sized run.
 *
 * Rule: every field is optional unless a run cannot mean anything without it; an omitted field
 * takes the engine's documented default (`experiment/config.ts`), so the file states only what the
 * question is about. Objects are strict: a misspelt field is an error naming it and its line.
 * scenarios/README.md documents every field; keep it in step with this file.
 */
import { z } from 'zod';
import {
  faultDirections,
  faultKinds,
  partitionPeers,
  targetedFaultKinds,
  zoneOutages,
} from '../../experiment/faults/fault-table.ts';
import { reconnectPolicyKinds } from '../../experiment/reconnect-policy.ts';
import { durationMs, positiveRatio, probability } from './units.ts';

/** A fleet larger than this is a capacity question for the real engine, not a scenario. */
export const serversMax = 1_000;
/** Seeds per sweep point; more belongs in a sharded run with explicit seed lists. */
export const seedsMax = 1_000;
/** Simulated length of one run: a week bounds memory for series and windows. */
export const durationMsMax = 7 * 86_400_000;

export const modeName = z.enum(['local', 'a', 'c']);
export const engineName = z.enum(['sim', 'real']);
const count = (max: number) => z.int().min(0).max(max);
const rate = z.number().min(0).max(1_000_000);

const link = z.strictObject({
  baseMs: durationMs.optional(),
  jitterMs: durationMs.optional(),
  jitter: z.enum(['uniform', 'exponential']).optional(),
  lossProbability: probability.optional(),
  /** `message` or `connection` (experiment/config.ts's `lossModel` defines both). */
  lossModel: z.enum(['message', 'connection']).optional(),
});

export const clusterSchema = z.strictObject({
  /** One mode to run (`local`, `a`, `c`); or `modes` to run each. */
  mode: modeName.optional(),
  modes: z.array(modeName).min(1).optional(),
  servers: z.int().min(1).max(serversMax).optional(),
  idStrategy: z.enum(['uuid', 'stable', 'uuidv7', 'snowflake', 'stable-shared']).optional(),
  ttlMs: durationMs.optional(),
  heartbeatMs: durationMs.optional(),
  /** heartbeatMs as a share of ttlMs (`1/5` -> heartbeat = ttl / 5); excludes heartbeatMs. */
  heartbeatPerTtl: positiveRatio.optional(),
  publishDelayMs: durationMs.optional(),
  whoCacheMs: durationMs.optional(),
  discovery: z
    .strictObject({
      instances: z.int().min(1).max(16).optional(),
      /** `per-instance` (each server registers with every instance) or `behind-lb` (one LB address). */
      topology: z.enum(['per-instance', 'behind-lb']).optional(),
      leaseMs: durationMs.optional(),
      fanoutTimeoutMs: durationMs.optional(),
    })
    .optional(),
  effectTimeoutMs: durationMs.optional(),
  /** Zones the nodes are spread over, round robin; Redis stands in zone 0. */
  zones: z.int().min(1).max(16).optional(),
  connectionsMax: z.int().min(1).optional(),
  clockOffsetMsMax: durationMs.optional(),
  /** Mode A's Redis: `topology` (`single`, `sentinel`) and the failover model (experiment/config.ts). */
  redis: z
    .strictObject({
      topology: z.enum(['single', 'sentinel']).optional(),
      replicationLagMs: durationMs.optional(),
      downAfterMs: durationMs.optional(),
      electionMs: durationMs.optional(),
      reconnectMsMax: durationMs.optional(),
    })
    .optional(),
});

export const networkSchema = z.strictObject({
  /** Defaults for every link class, each of which may override them. */
  baseMs: durationMs.optional(),
  jitterMs: durationMs.optional(),
  jitter: z.enum(['uniform', 'exponential']).optional(),
  lossProbability: probability.optional(),
  lossModel: z.enum(['message', 'connection']).optional(),
  redis: link.optional(),
  discovery: link.optional(),
  clients: link.optional(),
  redisOpMs: durationMs.optional(),
});

const sessionLength = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('exponential'), meanMs: durationMs }),
  z.strictObject({ kind: z.literal('lognormal'), medianMs: durationMs, sigma: z.number().positive() }),
  z.strictObject({ kind: z.literal('pareto'), minMs: durationMs, alpha: z.number().positive() }),
]);

export const workloadSchema = z.strictObject({
  arrivals: z
    .strictObject({
      /** Poisson arrivals per second. */
      ratePerSec: rate.optional(),
      /** Steps and spikes: from `fromMs` on, `ratePerSec`; overrides ratePerSec. */
      schedule: z.array(z.strictObject({ fromMs: durationMs, ratePerSec: rate })).optional(),
      /** No arrivals from this instant on (lets counts return to zero). */
      stopAtMs: durationMs.optional(),
    })
    .optional(),
  sessions: sessionLength.optional(),
  initialClients: count(1_000_000).optional(),
  loadBalancer: z
    .strictObject({
      policy: z.enum(['round-robin', 'least-connections', 'random']).optional(),
      /** Servers close connections older than this (0 = never). */
      connectionAgeMsMax: durationMs.optional(),
      /** Servers close connections idle for this long (0 = never). */
      idleTimeoutMs: durationMs.optional(),
    })
    .optional(),
  reconnect: z.boolean().optional(),
  /** When a broken client comes back (experiment/reconnect-policy.ts; default at once). */
  reconnectPolicy: z
    .strictObject({
      kind: z.enum(reconnectPolicyKinds).optional(),
      baseMs: durationMs.optional(),
      capMs: durationMs.optional(),
      spreadMs: durationMs.optional(),
    })
    .optional(),
  who: z.strictObject({ ratePerSec: rate.optional(), timeoutMs: durationMs.optional() }).optional(),
  clientsMax: z.int().min(1).optional(),
});

/** The kinds and their parameters are the fault table's (experiment/faults/fault-table.ts). */
export const faultKind = z.enum(faultKinds);

export const faultEventSchema = z.strictObject({
  atMs: durationMs,
  kind: faultKind,
  /** `server-<i>`, `redis`, `discovery-<j>`, `zone-<k>`; redis faults default to `redis`, spikes to `all`. */
  target: z
    .string()
    .regex(
      /^(server-\d+|redis|discovery-\d+|zone-\d+|all)$/,
      'expected server-<i>, redis, discovery-<j>, zone-<k> or all',
    )
    .optional(),
  durationMs: durationMs.optional(),
  peer: z.enum(partitionPeers).optional(),
  direction: z.enum(faultDirections).optional(),
  extraMs: durationMs.optional(),
  /** Clock jumps may go backwards: plain signed milliseconds. */
  deltaMs: z.number().optional(),
  /** zone-outage: `crash` (every node dies) or `partition` (the zone is cut off). */
  outage: z.enum(zoneOutages).optional(),
});

export const faultsSchema = z.strictObject({
  timeline: z.array(faultEventSchema).optional(),
  rates: z
    .strictObject({
      /** Expected faults per simulated hour, by kind. */
      perHour: z.partialRecord(faultKind, z.number().min(0).max(10_000)).optional(),
      /** Mean fault duration (partition, outage, down time). */
      durationMsMean: durationMs.optional(),
    })
    .optional(),
  /** Every fault has healed by this instant; nothing new starts after it. */
  healAtMs: durationMs.optional(),
});

export const comparison = z.union([z.number(), z.string().min(1)]);

export const expectationSchema = z
  .strictObject({
    /** An arithmetic expression over the run's result, e.g. `who.wrong` or `staleWindowMs.max / ttlMs`. */
    metric: z.string().min(1),
    /** Which runs it applies to: mode, or a swept parameter, or a config field. */
    where: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
    /** `each` run must pass, or the `mean`/`median`/`min`/`max`/`sum` over the runs must. */
    over: z.enum(['each', 'mean', 'median', 'min', 'max', 'sum']).optional(),
    /** Bounds: a number, a duration, or an expression over the run's config (`ttlMs + heartbeatMs + 1s`). */
    max: comparison.optional(),
    min: comparison.optional(),
    /** `warn` reports a failure without failing the run (a finding, not a regression). */
    severity: z.enum(['fail', 'warn']).optional(),
    /** Why this must hold, shown next to a failure. */
    because: z.string().optional(),
  })
  .refine((value) => value.max !== undefined || value.min !== undefined, {
    message: 'an expectation needs max or min (or both)',
  });

export const sweepSchema = z.record(
  z.string().regex(/^[A-Za-z]\w*(\.\w+)*$/, 'a sweep key is a dotted path such as cluster.ttlMs'),
  z
    .array(z.union([z.number(), z.string()]))
    .min(1)
    .max(100),
);

/** The part of a file that `quick` may override. */
export const bodyShape = {
  engines: z.array(engineName).min(1).optional(),
  durationMs: durationMs.pipe(z.number().min(1).max(durationMsMax)),
  seeds: z.union([
    z.int().min(1).max(seedsMax),
    z.array(z.int().min(0).max(0xffff_ffff)).min(1).max(seedsMax),
  ]),
  cluster: clusterSchema,
  network: networkSchema.optional(),
  workload: workloadSchema.optional(),
  faults: faultsSchema.optional(),
  sweep: sweepSchema.optional(),
  expect: z.array(expectationSchema).optional(),
  /** Real engine only: the factor applied to every duration (0.1 = ten times faster). */
  real: z
    .strictObject({
      timeScale: z.number().positive().max(1).optional(),
      /** Servers as child processes: a server's memory is measured alone (the capacity question). */
      processes: z.boolean().optional(),
    })
    .optional(),
};

export const scenarioSchema = z
  .strictObject({
    /** The product question this file answers, in one sentence. */
    question: z.string().min(10),
    /** Defaults to the file's base name. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/)
      .optional(),
    ...bodyShape,
    quick: z.strictObject(bodyShape).partial().optional(),
  })
  .superRefine((value, ctx) => {
    const cluster = value.cluster;
    if (cluster.mode === undefined && cluster.modes === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster'],
        message: 'give cluster.mode or cluster.modes (e.g. [a, c])',
      });
    }
    if (cluster.mode !== undefined && cluster.modes !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'modes'],
        message: 'give cluster.mode or cluster.modes, not both',
      });
    }
    if (cluster.heartbeatMs !== undefined && cluster.heartbeatPerTtl !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'heartbeatPerTtl'],
        message: 'give cluster.heartbeatMs or cluster.heartbeatPerTtl, not both',
      });
    }
    for (const [index, event] of (value.faults?.timeline ?? []).entries()) {
      if (event.target === undefined && targetedFaultKinds.has(event.kind)) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', 'timeline', index, 'target'],
          message: `a ${event.kind} needs a target (server-<i> or discovery-<j>)`,
        });
      }
    }
  });

export type ScenarioFile = z.infer<typeof scenarioSchema>;
export type Cluster = z.infer<typeof clusterSchema>;
export type Network = z.infer<typeof networkSchema>;
export type Workload = z.infer<typeof workloadSchema>;
export type Faults = z.infer<typeof faultsSchema>;
export type FaultEventSpec = z.infer<typeof faultEventSchema>;
export type Expectation = z.infer<typeof expectationSchema>;
export type ModeName = z.infer<typeof modeName>;
export type EngineName = z.infer<typeof engineName>;
