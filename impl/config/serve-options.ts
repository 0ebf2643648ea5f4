/**
 * `headcount serve`'s options: one zod schema, one validated and frozen object (STYLE §8).
 * Every field says its unit and default and why; `parseServeOptions` lists every problem by
 * flag. The lab builds the same object in code, so a server in the lab and one from the CLI are
 * configured identically.
 */
import { z } from 'zod';
import { logLevels } from '../adapters/logger.ts';
import { idStrategies } from '../core/ids/server-id.ts';
import { workerIdMax } from '../core/ids/snowflake.ts';
import { acceptHandlesDefault, acceptHandlesMax } from '../adapters/accept-handles.ts';
import { lineBytesMaxCeiling, serverLimitsDefault } from '../core/limits.ts';
import type { Result } from '../core/result.ts';
import { err, ok } from '../core/result.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const durationMs = z.coerce.number().int().min(0).max(86_400_000);
const positiveMs = z.coerce.number().int().min(1).max(86_400_000);
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * A discovery base URL: plain `http://host:port` (the control-plane client speaks no TLS; put a
 * TLS proxy in front instead), no credentials (the token is the credential). Checked at start,
 * so a typo is exit 2 naming `--discovery` rather than a crash at the first call.
 */
export function isDiscoveryUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return url.protocol === 'http:' && url.hostname !== '' && url.username === '' && url.password === '';
}

const discoveryUrlMessage =
  'each URL must be http://host:port (no https, no credentials), e.g. http://127.0.0.1:7100';

/** What `impl/adapters/redis/connect.ts` can connect to; anything else is exit 2 naming `--redis`. */
export function isRedisTarget(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === 'memory') return true;
  for (const scheme of ['redis-sentinel://', 'redis-cluster://']) {
    if (trimmed.startsWith(scheme)) return trimmed.length > scheme.length;
  }
  return trimmed.split(',').every((item) => {
    const value = item.trim();
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  });
}

const redisTargetMessage =
  'must be redis://[user:password@]host:port, rediss://..., redis-sentinel://h:p,h:p/master, redis-cluster://h:p,h:p, a comma list of redis:// URLs, or memory';
export const serveOptionsSchema = z
  .object({
    /** Address to listen on for clients. @default 127.0.0.1 (safe; use 0.0.0.0 behind a load balancer) */
    host: z.string().min(1).default('127.0.0.1'),
    /** Client port; 0 takes a free one. @default 7000 */
    port: port.default(7000),
    /** How WHO counts: `local` (this server), `a` (Redis registry), `c` (discovery fan-out). @default local */
    mode: z.enum(['local', 'a', 'c']).default('local'),
    /** Id strategy. @default uuid (the design's default: a restart is a new server) */
    id: z.enum(idStrategies as [string, ...string[]]).default('uuid'),
    /** Where `--id stable` keeps its id. @default ./headcount.id */
    idFile: z.string().min(1).default('headcount.id'),
    /** Snowflake worker id (10 bits). In mode A it is leased from Redis when not given. */
    workerId: count(0, workerIdMax).optional(),
    /**
     * Admin HTTP port (/healthz, /readyz, /metrics); 0 = off (mode C then takes a free one, since
     * discovery must reach it); `auto` = a free port, reported in the `listening` line. @default 0
     */
    adminPort: z.union([z.literal('auto'), port]).default(0),
    /** Admin HTTP address. @default 127.0.0.1: metrics and health are not for the public */
    adminHost: z.string().min(1).default('127.0.0.1'),
    /** Clients at once; extra ones get `ERR server full`. @default 10000 (ulimit -n is 20000 here) */
    maxConnections: count(1, 1_000_000).default(serverLimitsDefault.connectionsMax),
    /** Clients at once from one address; 0 = no limit. @default 0 */
    maxConnectionsPerIp: count(0, 1_000_000).default(0),
    /** Idle clients are closed with `BYE idle` after this long; 0 = never. @default 300000 */
    idleTimeoutMs: durationMs.default(serverLimitsDefault.idleTimeoutMs),
    /** Clients older than this get `BYE max age` so a load balancer can rebalance; 0 = off. @default 0 */
    maxConnectionAgeMs: durationMs.default(serverLimitsDefault.connectionAgeMsMax),
    /** Longest line; a longer one gets `ERR line too long` and a close. @default 1024 */
    maxLineBytes: count(1, lineBytesMaxCeiling).default(serverLimitsDefault.lineBytesMax),
    /** Replies waiting on a WHO answer before we stop reading that client. @default 64 */
    maxPendingReplies: count(1, 100_000).default(serverLimitsDefault.pendingRepliesMax),
    /** Unsent reply bytes per client before we stop decoding its input. @default 16384 */
    maxOutputBytes: count(1024, 64 * 1024 * 1024).default(serverLimitsDefault.outputBytesMax),
    /** A client that has not read its replies for this long is dropped. @default 10000 */
    writeStallMs: positiveMs.default(serverLimitsDefault.writeStallMs),
    /**
     * Descriptors of the listening socket the loop polls, so connections accepted per loop turn
     * (libuv takes one per descriptor per turn). More lets newcomers in faster during a connect
     * storm; each is one descriptor. @default 4 (why: accept-handles.ts)
     */
    acceptHandles: count(1, acceptHandlesMax).default(acceptHandlesDefault),
    /** On SIGTERM/SIGINT, open clients get this long before they are cut. @default 5000 */
    drainMs: durationMs.default(serverLimitsDefault.drainMs),
    logLevel: z.enum(logLevels).default('info'),

    // Mode A
    /** Redis URL (`redis://`, `rediss://`, `redis-sentinel://`, comma list for Cluster) or `memory` (ioredis-mock, demo only). */
    redis: z.string().min(1).refine(isRedisTarget, redisTargetMessage).default('redis://127.0.0.1:6379'),
    /** Key prefix; keys carry a Cluster hash tag `{prefix}`. @default headcount */
    redisPrefix: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9:_.-]+$/)
      .default('headcount'),
    /** An entry not refreshed for this long stops counting. @default 5000 (the design's) */
    ttlMs: positiveMs.default(5_000),
    /** Re-publish interval; keep it well under ttl (a warning says so otherwise). @default 1000 */
    heartbeatMs: positiveMs.default(1_000),
    /** Coalesce count changes within this window; 0 = publish every change. @default 0 */
    publishDelayMs: durationMs.default(0),
    /** A WHO read slower than this answers the last known total. @default 200 */
    whoTimeoutMs: positiveMs.default(200),
    /** Serve WHO from a total at most this old; 0 = read every time. @default 0 */
    whoCacheMs: durationMs.default(0),
    /**
     * Redis reconnect attempts and failed-write retries back off up to this, starting at a 20th
     * of it. @default 1000 (a healed Redis is written to within a second)
     */
    redisRetryMaxMs: positiveMs.default(1_000),

    // Mode C
    /** Discovery instances' base URLs, e.g. `http://127.0.0.1:7100,http://127.0.0.1:7101`. */
    discovery: z.array(z.string().refine(isDiscoveryUrl, discoveryUrlMessage)).default([]),
    /** Shared control-plane token (or HEADCOUNT_TOKEN). Never logged. */
    token: z.string().optional(),
    /** How long one discovery call may take before the next instance is asked. @default 1000 */
    discoveryTimeoutMs: positiveMs.default(1_000),
    /**
     * The URL discovery instances call for this server's count, when they reach it by another
     * address than the admin port's own (a proxy, a NAT). @default the admin URL + `/count`
     */
    countUrl: z.string().refine(isDiscoveryUrl, 'must be an http:// or https:// URL').optional(),
  })
  .strict();

export type ServeOptions = Readonly<z.infer<typeof serveOptionsSchema>>;

export interface ConfigError {
  field: string;
  message: string;
}

export function parseServeOptions(raw: Record<string, unknown>): Result<ServeOptions, ConfigError[]> {
  const parsed = serveOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    return err(
      parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), message: issue.message })),
    );
  }
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) return err(problems);
  return ok(Object.freeze(parsed.data));
}

/** Related options checked together (TigerBeetle's comptime blocks). */
function crossCheck(options: z.infer<typeof serveOptionsSchema>): ConfigError[] {
  const problems: ConfigError[] = [];
  if (options.mode === 'c' && options.discovery.length === 0) {
    problems.push({ field: 'discovery', message: 'mode c needs at least one --discovery URL' });
  }
  if (options.port !== 0 && options.adminPort === options.port && options.adminHost === options.host) {
    problems.push({ field: 'adminPort', message: 'the admin port cannot be the client port' });
  }
  return problems;
}

/** Warnings: allowed but risky pairs, logged so the lab can show what they do (STYLE §5). */
export function serveWarnings(options: ServeOptions): string[] {
  const warnings: string[] = [];
  if (options.mode === 'a' && options.heartbeatMs >= options.ttlMs) {
    warnings.push(
      `heartbeatMs (${options.heartbeatMs}) >= ttlMs (${options.ttlMs}): a live server's entry can expire between heartbeats and drop out of WHO`,
    );
  }
  return warnings;
}

/** `ttlMs` → `--ttl-ms`. */
export function flagOf(field: string): string {
  return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
