/**
 * Carries out the discovery core's `member.count` effects: GET the member's admin `/count` with
 * the shared token. The answer must name the member asked and hold a count the member could
 * hold: an integer from 0 to its stated `countMax` (its `--max-connections`), itself at most
 * `memberCountMax`. Anything else is that member's bad answer, a typed error; never an exception.
 */
import http from 'node:http';
import type { MemberCallError, MemberCountEffect, MemberCountResult } from '../../core/mode-c/effects.ts';
import { err, ok } from '../../core/result.ts';
import { requestJson } from './http-json.ts';

/**
 * The largest count any member may answer: `--max-connections` allows at most a million, and
 * `membersMax` (10,000) such counts still sum exactly in a double (1e10 < 2^53).
 */
export const memberCountMax = 1_000_000;

/** Open sockets per member; a broadcast needs one, a second covers a slow previous answer. */
export const socketsPerMemberMax = 4;

export class MemberClient {
  readonly agent: http.Agent;
  #token: string | undefined;
  #timeoutMs: number;

  /**
   * `agent`: the HTTP agent member calls go out on; by default a keep-alive one with
   * `socketsPerMemberMax` sockets per member. A caller may pass its own (the lab routes each
   * instance's calls through its own fault-proxy link, so a partition can cut one instance from
   * one member).
   */
  constructor(
    token: string | undefined,
    timeoutMs: number,
    agent = new http.Agent({ keepAlive: true, maxSockets: socketsPerMemberMax }),
  ) {
    this.#token = token;
    this.#timeoutMs = timeoutMs;
    this.agent = agent;
  }

  async execute(effect: MemberCountEffect): Promise<MemberCountResult> {
    const { serverId } = effect;
    const outcome = await requestJson({
      url: effect.countUrl,
      method: 'GET',
      token: this.#token,
      timeoutMs: this.#timeoutMs,
      agent: this.agent,
    });
    const fail = (error: MemberCallError) => err(error);
    if (outcome.kind === 'timeout')
      return fail({ code: 'HC_MEMBER_TIMEOUT', definite: false, serverId, timeoutMs: this.#timeoutMs });
    if (outcome.kind === 'unreachable')
      return fail({ code: 'HC_MEMBER_UNREACHABLE', definite: true, serverId, message: outcome.message });
    if (outcome.kind === 'broken')
      return fail({ code: 'HC_MEMBER_BAD_RESPONSE', definite: false, serverId, message: outcome.message });
    if (outcome.status === 401) return fail({ code: 'HC_MEMBER_UNAUTHORIZED', definite: true, serverId });
    const body = outcome.body as { serverId?: unknown; count?: unknown; countMax?: unknown } | undefined;
    const bad = (message: string) =>
      fail({ code: 'HC_MEMBER_BAD_RESPONSE', definite: false, serverId, message });
    if (outcome.status !== 200) return bad(`status ${outcome.status}`);
    if (typeof body !== 'object' || body === null || typeof body.serverId !== 'string')
      return bad('answer without a serverId');
    const problem = countProblem(body.count, body.countMax);
    if (problem !== undefined) return bad(problem);
    if (body.serverId !== serverId)
      return fail({ code: 'HC_MEMBER_WRONG_ID', definite: true, serverId, answeredId: body.serverId });
    return ok({ serverId, count: body.count as number });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Why `count` is not a count this member could hold, or undefined when it is one. */
export function countProblem(count: unknown, countMax: unknown): string | undefined {
  const bound =
    countMax === undefined
      ? memberCountMax
      : Number.isInteger(countMax) && (countMax as number) >= 0 && (countMax as number) <= memberCountMax
        ? (countMax as number)
        : undefined;
  if (bound === undefined)
    return `countMax ${String(countMax).slice(0, 40)} is not an integer in 0..${memberCountMax}`;
  if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > bound)
    return `count ${String(count).slice(0, 40)} is not an integer in 0..${bound}`;
  return undefined;
}
