/**
 * Mode C on a server: the `ModeCBackend` (impl/core/mode-c/) driven over HTTP. It registers
 * with every discovery instance, serves this server's count on the admin port at `/count`
 * (token-checked) for their broadcasts, and asks one instance per WHO, failing over to the
 * next. A refused token is logged (never the token itself) and WHO answers `ERR unavailable`;
 * the server keeps running so a fixed token heals it without a restart.
 */
import type { WhoReply } from '../../core/counting-backend.ts';
import type {
  DiscoveryCallError,
  RegisterResult,
  ServerEffect,
  ServerEffectResult,
} from '../../core/mode-c/effects.ts';
import { ModeCBackend } from '../../core/mode-c/mode-c-backend.ts';
import { sendJson } from '../admin-http.ts';
import { DiscoveryClient } from '../discovery/discovery-client.ts';
import { bearerMatches } from '../discovery/token.ts';
import { methodNotAllowed } from '../http-surface.ts';
import { redactUrl } from '../logger.ts';
import type { ModeFactory, ModeRuntime } from './mode-runtime.ts';

export const createModeRuntime: ModeFactory = async (context) => {
  const { options, logger, metrics, clock } = context;
  const instanceUrls = options.discovery.map((url) => url.replace(/\/+$/, ''));
  if (options.token === undefined)
    logger.error(
      'mode c has no token (--token or HEADCOUNT_TOKEN): discovery will refuse us and WHO will be unavailable',
    );
  const client = new DiscoveryClient({
    instanceUrls,
    token: options.token,
    timeoutMs: options.discoveryTimeoutMs,
  });
  const callDuration = metrics.histogram('headcount_discovery_call_duration_seconds');
  const callFailures = metrics.counter('headcount_discovery_failures_total');
  const failovers = metrics.counter('headcount_discovery_failovers_total');
  const whoAnswers = metrics.counter('headcount_who_answers_total');
  const whoUnavailable = metrics.counter('headcount_who_unavailable_total');
  const whoStaleness = metrics.gauge('headcount_who_staleness_seconds');
  const lastCodeByInstance = new Map<number, string | undefined>();
  /** Instances whose address reached the same instance as another: logged once each. */
  const sameInstanceLogged = new Set<number>();
  let backend: ModeCBackend | undefined;

  const observer = {
    failover: (fromIndex: number, toIndex: number) => {
      failovers.inc();
      logger.debug(
        { from: redactUrl(instanceUrls[fromIndex]!), to: redactUrl(instanceUrls[toIndex]!) },
        'discovery failover',
      );
    },
    leaseRefused: (error: DiscoveryCallError) => {
      if (error.code !== 'HC_DISCOVERY_SAME_INSTANCE' || sameInstanceLogged.has(error.instanceIndex)) return;
      sameInstanceLogged.add(error.instanceIndex);
      logger.error(
        {
          instance: redactUrl(instanceUrls[error.instanceIndex]!),
          sameAs: redactUrl(instanceUrls[error.sameAsIndex]!),
          code: error.code,
        },
        'two --discovery addresses reach the same instance (a load balancer?): refusing that lease; name each instance once',
      );
    },
    answered: (reply: WhoReply) => {
      if (reply.kind === 'count') {
        whoAnswers.inc({ source: reply.source });
        whoStaleness.set(reply.ageMs / 1000);
      } else
        whoUnavailable.inc({
          reason: reply.reason.includes('token refused') ? 'token' : 'no-complete-count',
        });
    },
  };

  /** Logs a change of an instance's registration state once, not every renewal. */
  const noteRegistration = (instanceIndex: number, code: string | undefined) => {
    if (lastCodeByInstance.get(instanceIndex) === code && lastCodeByInstance.has(instanceIndex)) return;
    lastCodeByInstance.set(instanceIndex, code);
    const instance = redactUrl(instanceUrls[instanceIndex]!);
    if (code === undefined) logger.info({ instance }, 'registered with discovery');
    else if (code === 'HC_DISCOVERY_TOPOLOGY')
      logger.error(
        { instance, code, addressCount: instanceUrls.length },
        "discovery runs more instances than --discovery names (a load balancer in front of them?): not joining; give every instance's address",
      );
    else if (code === 'HC_DISCOVERY_UNAUTHORIZED')
      logger.error(
        { instance, code },
        'discovery refused our token: WHO answers ERR unavailable until it matches',
      );
    else logger.warn({ instance, code }, 'cannot register with discovery');
  };

  const execute = async (effect: ServerEffect): Promise<ServerEffectResult> => {
    const startedAtMs = clock.nowMs();
    const result = await client.execute(effect);
    const op = effect.kind.slice('discovery.'.length);
    callDuration.observe({ op }, (clock.nowMs() - startedAtMs) / 1000);
    if (!result.ok) callFailures.inc({ op, reason: result.error.code });
    if (effect.kind === 'discovery.register')
      noteRegistration(effect.instanceIndex, registrationCode(result as RegisterResult, instanceUrls.length));
    return result;
  };

  const runtime: ModeRuntime<ServerEffect, ServerEffectResult> = {
    backend: (serverId) => {
      backend = new ModeCBackend(
        { serverId, instanceUrls, callTimeoutMs: options.discoveryTimeoutMs },
        observer,
      );
      return backend;
    },
    execute,
    needsAdmin: true,
    routes: () => ({
      '/count': (request, response) => {
        if (request.method !== 'GET' && request.method !== 'HEAD')
          return methodNotAllowed(response, ['GET', 'HEAD']);
        if (!bearerMatches(request, options.token))
          return sendJson(response, 401, { code: 'HC_UNAUTHENTICATED' });
        if (backend === undefined) return sendJson(response, 503, { error: 'starting' });
        // countMax lets discovery refuse a count this server could never hold (a bad answer).
        return sendJson(response, 200, {
          serverId: backend.serverId,
          count: backend.localCount,
          countMax: options.maxConnections,
        });
      },
    }),
    started: ({ adminUrl }) => {
      if (adminUrl === undefined || backend === undefined) return;
      backend.setCountUrl(options.countUrl ?? `${adminUrl}/count`, clock.nowMs());
    },
    close: async () => client.close(),
  };
  return runtime as unknown as ModeRuntime;
};

/** The registration's outcome as the backend will judge it: a lease from a larger deployment is refused. */
function registrationCode(result: RegisterResult, addressCount: number): string | undefined {
  if (!result.ok) return result.error.code;
  const instances = result.value.instances;
  return instances !== undefined && instances > addressCount ? 'HC_DISCOVERY_TOPOLOGY' : undefined;
}
