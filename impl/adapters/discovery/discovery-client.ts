/**
 * Carries out a server's mode C effects over HTTP against the discovery API (see README.md):
 * register/renew, count, deregister. Each outcome becomes one of the typed results in
 * `impl/core/mode-c/effects.ts`; this function never throws.
 */
import http from 'node:http';
import type {
  DiscoveryCallError,
  MissingMember,
  ServerEffect,
  ServerEffectResult,
} from '../../core/mode-c/effects.ts';
import { err, ok } from '../../core/result.ts';
import { type HttpOutcome, requestJson } from './http-json.ts';

export interface DiscoveryClientOptions {
  instanceUrls: readonly string[];
  token: string | undefined;
  timeoutMs: number;
}

/** Sockets per discovery instance: enough for renewals plus a count call in flight. */
const socketsPerInstanceMax = 8;

export class DiscoveryClient {
  #options: DiscoveryClientOptions;
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: socketsPerInstanceMax });

  constructor(options: DiscoveryClientOptions) {
    this.#options = options;
  }

  async execute(effect: ServerEffect): Promise<ServerEffectResult> {
    const base = this.#options.instanceUrls[effect.instanceIndex]!.replace(/\/+$/, '');
    const common = { token: this.#options.token, timeoutMs: this.#options.timeoutMs, agent: this.agent };
    switch (effect.kind) {
      case 'discovery.register': {
        const body = { serverId: effect.serverId, countUrl: effect.countUrl };
        const outcome = await requestJson({ ...common, url: `${base}/v1/members`, method: 'POST', body });
        const failed = this.#error(outcome, effect.instanceIndex);
        if (failed !== undefined) return err(failed);
        const granted = (
          outcome as { body: { leaseMs?: unknown; instances?: unknown; instanceId?: unknown } }
        ).body;
        const leaseMs = granted?.leaseMs;
        if (typeof leaseMs !== 'number' || !(leaseMs > 0))
          return err(this.#bad(effect.instanceIndex, 'no leaseMs'));
        const { instances, instanceId } = granted;
        if (instances !== undefined && (!Number.isInteger(instances) || (instances as number) < 1))
          return err(this.#bad(effect.instanceIndex, 'instances is not a positive integer'));
        if (instanceId !== undefined && typeof instanceId !== 'string')
          return err(this.#bad(effect.instanceIndex, 'instanceId is not text'));
        return ok({
          leaseMs,
          ...(instances === undefined ? {} : { instances: instances as number }),
          ...(instanceId === undefined ? {} : { instanceId }),
        });
      }
      case 'discovery.count': {
        const outcome = await requestJson({ ...common, url: `${base}/v1/count`, method: 'POST' });
        if (outcome.kind === 'response' && outcome.status === 503)
          return err(this.#incomplete(outcome.body, effect.instanceIndex));
        const failed = this.#error(outcome, effect.instanceIndex);
        if (failed !== undefined) return err(failed);
        const body = (outcome as { body: unknown }).body as
          | { total?: unknown; counts?: unknown; broadcastStartedAtMs?: unknown }
          | undefined;
        if (typeof body?.total !== 'number' || typeof body.counts !== 'object' || body.counts === null)
          return err(this.#bad(effect.instanceIndex, 'count answer without total and counts'));
        return ok({
          total: body.total,
          counts: body.counts as Record<string, number>,
          broadcastStartedAtMs: Number(body.broadcastStartedAtMs ?? 0),
        });
      }
      case 'discovery.deregister': {
        const url = `${base}/v1/members/${encodeURIComponent(effect.serverId)}`;
        const outcome = await requestJson({ ...common, url, method: 'DELETE' });
        const failed = this.#error(outcome, effect.instanceIndex);
        return failed === undefined ? ok(null) : err(failed);
      }
    }
  }

  close(): void {
    this.agent.destroy();
  }

  #error(outcome: HttpOutcome, instanceIndex: number): DiscoveryCallError | undefined {
    switch (outcome.kind) {
      case 'timeout':
        return {
          code: 'HC_DISCOVERY_TIMEOUT',
          definite: false,
          instanceIndex,
          timeoutMs: this.#options.timeoutMs,
        };
      case 'unreachable':
        return { code: 'HC_DISCOVERY_UNREACHABLE', definite: true, instanceIndex, message: outcome.message };
      case 'broken':
        return this.#bad(instanceIndex, outcome.message);
      case 'response':
        if (outcome.status === 401)
          return { code: 'HC_DISCOVERY_UNAUTHORIZED', definite: true, instanceIndex };
        if (outcome.status !== 200) return this.#bad(instanceIndex, `status ${outcome.status}`);
        return undefined;
    }
  }

  #incomplete(body: unknown, instanceIndex: number): DiscoveryCallError {
    const warming = body as { code?: unknown; warmInMs?: unknown } | undefined;
    if (warming?.code === 'HC_FANOUT_WARMING_UP')
      return {
        code: 'HC_DISCOVERY_WARMING_UP',
        definite: true,
        instanceIndex,
        warmInMs: Number(warming.warmInMs) || 0,
      };
    const missing = (body as { missing?: unknown } | undefined)?.missing;
    if (!Array.isArray(missing)) return this.#bad(instanceIndex, 'status 503');
    return {
      code: 'HC_DISCOVERY_INCOMPLETE',
      definite: true,
      instanceIndex,
      missing: missing as MissingMember[],
    };
  }

  #bad(instanceIndex: number, message: string): DiscoveryCallError {
    return { code: 'HC_DISCOVERY_BAD_RESPONSE', definite: false, instanceIndex, message };
  }
}
