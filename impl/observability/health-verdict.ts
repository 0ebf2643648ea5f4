/**
 * Decides whether the headcount service as a whole can serve, from one round of `/readyz` probes
 * (the I/O lives in `impl/adapters/health-aggregator.ts`; this file only judges results).
 *
 * The service can serve when at least one server is ready. In mode C a ready server still needs
 * a discovery instance to count the fleet, so there it also needs one ready discovery instance.
 * Mode C is recognised when any target answers with `role: "discovery"` or `mode: "c"`, or when
 * the operator says so (`--require-discovery`), which covers the case where every discovery
 * instance is down and so cannot announce itself.
 */
import { z } from 'zod';

/** Extra fields (serverId, ...) pass through to the aggregator's answer. */
export const readyzBodySchema = z.looseObject({
  ready: z.boolean(),
  role: z.enum(['server', 'discovery']),
  // A string, not an enum: a newer mode must not make every probe of it fail.
  mode: z.string().optional(),
  reasons: z.array(z.string()).default([]),
});

export type ReadyzBody = z.infer<typeof readyzBodySchema>;

export type ProbeErrorCode = 'HC_PROBE_TIMEOUT' | 'HC_PROBE_CONNECT' | 'HC_PROBE_BODY';

export type ProbeResult =
  | { target: string; ok: true; httpStatus: number; body: ReadyzBody; latencyMs: number }
  | { target: string; ok: false; code: ProbeErrorCode; message: string; latencyMs: number };

export interface HealthVerdict {
  serving: boolean;
  modeC: boolean;
  readyServerCount: number;
  readyDiscoveryCount: number;
  /** Why the service cannot serve; empty when it can. */
  reasons: string[];
}

/** A target counts as ready only if its status and its body agree: 200 and `ready: true`. */
export function isReady(result: ProbeResult): boolean {
  return result.ok && result.httpStatus === 200 && result.body.ready;
}

function readyCount(results: readonly ProbeResult[], role: ReadyzBody['role']): number {
  return results.filter((result) => isReady(result) && result.ok && result.body.role === role).length;
}

export function healthVerdict(results: readonly ProbeResult[], requireDiscovery: boolean): HealthVerdict {
  const announcesModeC = results.some(
    (result) => result.ok && (result.body.role === 'discovery' || result.body.mode?.toLowerCase() === 'c'),
  );
  const modeC = requireDiscovery || announcesModeC;
  const readyServerCount = readyCount(results, 'server');
  const readyDiscoveryCount = readyCount(results, 'discovery');
  const reasons: string[] = [];
  if (readyServerCount === 0) reasons.push('no ready server');
  if (modeC && readyDiscoveryCount === 0) reasons.push('mode C and no ready discovery instance');
  return { serving: reasons.length === 0, modeC, readyServerCount, readyDiscoveryCount, reasons };
}
