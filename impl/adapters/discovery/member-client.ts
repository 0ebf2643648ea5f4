/**
 * Carries out the discovery core's `member.count` effects: GET the member's admin `/count` with
 * the shared token. The answer must name the member asked; anything else is a typed error.
 */
import http from 'node:http';
import type { MemberCallError, MemberCountEffect, MemberCountResult } from '../../core/mode-c/effects.ts';
import { err, ok } from '../../core/result.ts';
import { requestJson } from './http-json.ts';

/** Open sockets per member; a broadcast needs one, a second covers a slow previous answer. */
const socketsPerMemberMax = 4;

export class MemberClient {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: socketsPerMemberMax });
  #token: string | undefined;
  #timeoutMs: number;

  constructor(token: string | undefined, timeoutMs: number) {
    this.#token = token;
    this.#timeoutMs = timeoutMs;
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
    const body = outcome.body as { serverId?: unknown; count?: unknown } | undefined;
    if (outcome.status !== 200 || typeof body?.serverId !== 'string' || !Number.isInteger(body.count))
      return fail({
        code: 'HC_MEMBER_BAD_RESPONSE',
        definite: false,
        serverId,
        message: `status ${outcome.status}`,
      });
    if (body.serverId !== serverId)
      return fail({ code: 'HC_MEMBER_WRONG_ID', definite: true, serverId, answeredId: body.serverId });
    return ok({ serverId, count: body.count as number });
  }

  close(): void {
    this.agent.destroy();
  }
}
