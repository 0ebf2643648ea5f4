/**
 * Mode C's effects and results as data: what the two sans-I/O cores ask their host to do, and
 * every outcome the host may feed back. The real adapters (`impl/adapters/discovery/`,
 * `impl/adapters/modes/c.ts`) carry them out over HTTP; the simulator carries them out over its
 * simulated network. Both must produce exactly these results, so this file is the contract.
 *
 *   server (ModeCBackend)                         discovery instance i (DiscoveryCore)
 *   ─────────────────────                         ────────────────────────────────────
 *   discovery.register ──── upsert lease ───────►  register(serverId, countUrl)
 *   discovery.count ─────── "how many?" ─────────► requestCount() ── member.count ──► every member
 *   discovery.deregister ── graceful stop ──────►  deregister(serverId)
 *
 * Deadlines belong to the cores, not to the hosts: a core arms its own deadline for each effect
 * (`nextDeadlineMs`) and ignores a result that arrives after it gave up. A host may still apply a
 * timeout of its own (to free sockets) and report it as a `*_TIMEOUT` error; a result for an
 * opId the core has forgotten is dropped silently.
 *
 * Rule: a host never throws; every failure is one of the error values below (STYLE §7). When in
 * doubt whether the other side acted, the error is indefinite (`definite: false`).
 */
import type { Effect } from '../counting-backend.ts';
import type { Result } from '../result.ts';

// ---- Server side: a headcount server talking to discovery instance `instanceIndex` -------------

/**
 * Register with instance `instanceIndex`, or renew the lease there: it is an upsert, so a
 * renewal that reaches a restarted (empty) instance registers the server again. `countUrl` is the
 * server's admin endpoint (`http://host:port/count`) that the instance will ask for the count.
 */
export interface RegisterEffect extends Effect {
  kind: 'discovery.register';
  instanceIndex: number;
  serverId: string;
  countUrl: string;
}

/**
 * Ask instance `instanceIndex` for the fleet's total. The instance runs one fan-out that starts
 * after it received this request and answers only if every live member answered.
 */
export interface CountEffect extends Effect {
  kind: 'discovery.count';
  instanceIndex: number;
}

/** Graceful stop: leave instance `instanceIndex`'s membership now rather than at lease expiry. */
export interface DeregisterEffect extends Effect {
  kind: 'discovery.deregister';
  instanceIndex: number;
  serverId: string;
}

export type ServerEffect = RegisterEffect | CountEffect | DeregisterEffect;

/** The lease the instance granted; the server renews at least three times within `leaseMs`. */
export interface RegisterOk {
  leaseMs: number;
  /**
   * How many instances the deployment runs, when the instance was told (`--instances`). A server
   * given fewer addresses than this cannot be registered with every instance: see
   * `HC_DISCOVERY_TOPOLOGY`.
   */
  instances?: number;
  /**
   * The answering process's identity (new at each start), when it sends one. Two of a server's
   * addresses answering with the same identity reach one instance: see `HC_DISCOVERY_SAME_INSTANCE`.
   */
  instanceId?: string;
}

/**
 * A complete count: `counts` has one entry per live member at the broadcast, and `total` is
 * their sum. `broadcastStartedAtMs` is on the instance's clock (for logs only, never compared
 * with the server's clock).
 */
export interface CountOk {
  total: number;
  counts: Record<string, number>;
  broadcastStartedAtMs: number;
}

/** Errors of a call from a server to a discovery instance. */
export type DiscoveryCallError =
  /** No answer within the call's timeout: the instance may have acted (e.g. registered us). */
  | { code: 'HC_DISCOVERY_TIMEOUT'; definite: false; instanceIndex: number; timeoutMs: number }
  /** Connection refused or reset before the request was sent: nothing happened there. */
  | { code: 'HC_DISCOVERY_UNREACHABLE'; definite: true; instanceIndex: number; message: string }
  /** HTTP 401: the instance refused our token. Fix `--token` / `HEADCOUNT_TOKEN` on both sides. */
  | { code: 'HC_DISCOVERY_UNAUTHORIZED'; definite: true; instanceIndex: number }
  /** The instance's fan-out could not reach every live member: no number exists for this moment. */
  | {
      code: 'HC_DISCOVERY_INCOMPLETE';
      definite: true;
      instanceIndex: number;
      /** Members that did not answer at that instance, and why. */
      missing: MissingMember[];
    }
  /** The instance started less than one lease ago and cannot know every member yet. */
  | { code: 'HC_DISCOVERY_WARMING_UP'; definite: true; instanceIndex: number; warmInMs: number }
  /**
   * The instance is one of `instances`, but this server was given only `addressCount` addresses:
   * it stands behind a load balancer (or a short list) and cannot hold a lease with every
   * instance, so counts elsewhere would miss it. The server refuses the lease (never joins).
   */
  | {
      code: 'HC_DISCOVERY_TOPOLOGY';
      definite: true;
      instanceIndex: number;
      instances: number;
      addressCount: number;
    }
  /**
   * This address reached the instance that already holds our live lease through address
   * `sameAsIndex` (a balancer routed us there, or one instance is named twice): some other
   * instance is missing us, so the lease is refused and, unless a later renewal reaches another
   * instance, the fence takes us out of the fleet before that instance could count without us.
   */
  | { code: 'HC_DISCOVERY_SAME_INSTANCE'; definite: true; instanceIndex: number; sameAsIndex: number }
  /** A 5xx, a malformed body, or a connection cut mid-answer: the instance may have acted. */
  | { code: 'HC_DISCOVERY_BAD_RESPONSE'; definite: false; instanceIndex: number; message: string };

export type DiscoveryCallErrorCode = DiscoveryCallError['code'];

export type RegisterResult = Result<RegisterOk, DiscoveryCallError>;
export type CountResult = Result<CountOk, DiscoveryCallError>;
export type DeregisterResult = Result<null, DiscoveryCallError>;
export type ServerEffectResult = RegisterResult | CountResult | DeregisterResult;

// ---- Discovery side: a discovery instance asking one member for its count ---------------------

/**
 * Ask member `serverId` for its local count at `countUrl` (its admin `/count`). The answer must
 * name the same `serverId`: a new server listening on a dead member's address is not that member.
 */
export interface MemberCountEffect extends Effect {
  kind: 'member.count';
  serverId: string;
  countUrl: string;
}

export type DiscoveryEffect = MemberCountEffect;

/** What a member's `/count` answers. */
export interface MemberCountOk {
  serverId: string;
  count: number;
}

/** Errors of asking one member. All are harmless to repeat: asking for a count changes nothing. */
export type MemberCallError =
  | { code: 'HC_MEMBER_TIMEOUT'; definite: false; serverId: string; timeoutMs: number }
  | { code: 'HC_MEMBER_UNREACHABLE'; definite: true; serverId: string; message: string }
  /** The member refused the instance's token (the fleet's tokens disagree). */
  | { code: 'HC_MEMBER_UNAUTHORIZED'; definite: true; serverId: string }
  /** Someone else answers at that address (the member died and its port was reused). */
  | { code: 'HC_MEMBER_WRONG_ID'; definite: true; serverId: string; answeredId: string }
  | { code: 'HC_MEMBER_BAD_RESPONSE'; definite: false; serverId: string; message: string };

export type MemberCallErrorCode = MemberCallError['code'];

export type MemberCountResult = Result<MemberCountOk, MemberCallError>;

// ---- What a count request to the discovery core resolves to -----------------------------------

/** A member that did not answer in a broadcast, and why. */
export interface MissingMember {
  serverId: string;
  code: MemberCallErrorCode;
}

export type FanoutError =
  /** Some live members did not answer before the fan-out deadline, or answered with an error. */
  | { code: 'HC_FANOUT_INCOMPLETE'; definite: true; missing: MissingMember[]; broadcastStartedAtMs: number }
  /** Too many count requests already wait for the next broadcast (`requestsWaitingMax`). */
  | { code: 'HC_FANOUT_BUSY'; definite: true; requestsWaitingMax: number }
  /**
   * The instance started less than one lease ago: members may not have re-registered yet, so a
   * sum could miss some. Ask another instance; this one answers in `warmInMs`.
   */
  | { code: 'HC_FANOUT_WARMING_UP'; definite: true; warmInMs: number };

export type FanoutOutcome = Result<CountOk, FanoutError>;
