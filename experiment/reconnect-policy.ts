/**
 * How a client whose connection broke (its server crashed, drained or closed it) comes back: the
 * one definition the simulator's clients, the lab's clients and the reconnect-storm bench use.
 *
 *   immediate       at once (after the network's delay): the storm arrives as one wave
 *   backoff-jitter  exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 *                   Backoff And Jitter"): attempt k waits uniform(0, min(capMs, baseMs x 2^k))
 *   spread          one uniform draw over [0, spreadMs): the wave is flattened over a window
 *
 * Pure: the caller hands in the uniform draw (`random01` in [0, 1)), so the simulator stays
 * deterministic under its seed and a property test can range over every draw.
 */
import { z } from 'zod';

export const reconnectPolicyKinds = ['immediate', 'backoff-jitter', 'spread'] as const;
export type ReconnectPolicyKind = (typeof reconnectPolicyKinds)[number];

export const reconnectPolicySchema = z.object({
  kind: z.enum(reconnectPolicyKinds).default('immediate'),
  /** backoff-jitter: the first attempt's ceiling (ms). */
  baseMs: z.number().positive().default(100),
  /** backoff-jitter: no attempt waits longer than this (ms). */
  capMs: z.number().positive().default(10_000),
  /** spread: the window the reconnects are spread over (ms). */
  spreadMs: z.number().positive().default(5_000),
});

export type ReconnectPolicy = z.infer<typeof reconnectPolicySchema>;

/** The longest an attempt may wait: 0, the jitter ceiling of attempt `attempt`, or the window. */
export function reconnectCeilingMs(policy: ReconnectPolicy, attempt: number): number {
  switch (policy.kind) {
    case 'immediate':
      return 0;
    case 'backoff-jitter':
      return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 52));
    case 'spread':
      return policy.spreadMs;
  }
}

/**
 * The wait before reconnect attempt `attempt` (0 = the first after the break) with the uniform
 * draw `random01` in [0, 1): in [0, ceiling), 0 for `immediate`.
 */
export function reconnectDelayMs(policy: ReconnectPolicy, attempt: number, random01: number): number {
  return random01 * reconnectCeilingMs(policy, attempt);
}
