/**
 * `headcount discovery`'s options: one zod schema, validated and frozen (STYLE §8). The lab and
 * tests build the same object in code.
 */
import { z } from 'zod';
import type { Result } from '../../core/result.ts';
import { err, ok } from '../../core/result.ts';
import { logLevels } from '../logger.ts';
import { parseMemberNetworks } from './member-url.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const positiveMs = z.coerce.number().int().min(1).max(86_400_000);

export const discoveryOptionsSchema = z
  .object({
    /** Address of the discovery API. @default 127.0.0.1 (internal: servers only) */
    host: z.string().min(1).default('127.0.0.1'),
    /** Discovery API port; 0 takes a free one. @default 7100 */
    port: port.default(7100),
    /** A server not renewed for this long is dropped: the declared limit of consistency. @default 3000 */
    leaseMs: positiveMs.default(3_000),
    /** A broadcast waits this long for every member before failing. @default 500 */
    fanoutTimeoutMs: positiveMs.default(500),
    /**
     * How many discovery instances this deployment runs (each keeps its own membership). Told to
     * every registering server, which refuses the lease unless it was given at least that many
     * `--discovery` addresses: a server given one load balancer's address in front of N instances
     * registers with one of them, and counts there would miss the others' members. Absent: not
     * checked (one instance, or a deployment that has not declared its size).
     */
    instances: z.coerce.number().int().min(1).max(16).optional(),
    /** Admin port (/healthz, /readyz, /metrics); absent = off, 0 = a free port. */
    adminPort: port.optional(),
    /** Admin address. @default 127.0.0.1 */
    adminHost: z.string().min(1).default('127.0.0.1'),
    /** Shared control-plane token (or HEADCOUNT_TOKEN); required: an open registry lets anyone inflate the count. */
    token: z
      .string({ error: 'a token is required (--token or HEADCOUNT_TOKEN)' })
      .min(1, 'a token is required (--token or HEADCOUNT_TOKEN)'),
    /**
     * CIDR blocks a member's countUrl must lie in (comma-separated on the command line).
     * @default none: the registering connection's own address and loopback. Set it when servers
     * register through a load balancer or NAT, whose address is not theirs.
     */
    memberNetworks: z
      .preprocess(
        (value) =>
          typeof value === 'string'
            ? value
                .split(',')
                .map((item) => item.trim())
                .filter((item) => item !== '')
            : value,
        z.array(z.string()).min(1, 'give at least one CIDR block, e.g. 10.0.0.0/8'),
      )
      .optional(),
    logLevel: z.enum(logLevels).default('info'),
  })
  .strict();

export type DiscoveryOptions = Readonly<z.infer<typeof discoveryOptionsSchema>>;

export interface DiscoveryConfigError {
  field: string;
  message: string;
}

export function parseDiscoveryOptions(
  raw: Record<string, unknown>,
): Result<DiscoveryOptions, DiscoveryConfigError[]> {
  const parsed = discoveryOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    return err(
      parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), message: issue.message })),
    );
  }
  for (const cidr of parsed.data.memberNetworks ?? []) {
    const networks = parseMemberNetworks([cidr]);
    if (!networks.ok) return err([{ field: 'memberNetworks', message: networks.error }]);
  }
  if (parsed.data.fanoutTimeoutMs >= parsed.data.leaseMs) {
    return err([
      {
        field: 'fanoutTimeoutMs',
        message: `fanoutTimeoutMs (${parsed.data.fanoutTimeoutMs}) must be below leaseMs (${parsed.data.leaseMs}): a broadcast outliving a lease cannot tell dead from slow`,
      },
    ]);
  }
  return ok(Object.freeze(parsed.data));
}
