/**
 * The Toxiproxy 2.x API as a table of routes and handlers that turn a request (method, path,
 * body) into a `Reply`; `http-server.ts` does the sockets. Handlers that change state run one at
 * a time, as Toxiproxy holds its collection lock, so a toxic is never added to a chain that a
 * removal is still rebuilding.
 */
import { parseHostPort } from './address.ts';
import { apiErrors, type ApiError, fail, type Result } from './api-error.ts';
import { upstreamLoop } from './loop-guard.ts';
import type { FaultProxyMetrics } from './metrics.ts';
import { parsePopulate, parseProxyCreate, parseProxyUpdate, type ProxySpec } from './proxy-spec.ts';
import { FaultyProxy } from './proxy.ts';
import { type Reply, replies } from './reply.ts';
import { toxicToJson } from './toxic-entry.ts';
import { parseToxicCreate, parseToxicUpdate } from './toxic-spec.ts';

/** The Toxiproxy release whose answers we reproduce (its API as measured call by call; the conformance test lists every row). */
export const toxiproxyVersion = '2.12.0';

export interface ApiRequest {
  readonly method: string;
  /** Path segments, percent-decoded, e.g. ['proxies', 'redis', 'toxics']. */
  readonly segments: readonly string[];
  readonly body: string;
}

type Handler = (request: ApiRequest, params: readonly string[]) => Promise<Reply> | Reply;

interface Route {
  readonly pattern: readonly (string | null)[];
  readonly methods: Readonly<Record<string, Handler>>;
}

/**
 * Proxies at most: each enabled one holds a listening descriptor, and 10,000 of them were seen
 * to pin a process at its limit. A lab cluster uses a few per server.
 */
export const proxiesMaxDefault = 256;

/** Toxics per proxy at most: every chunk passes through each, so a long chain is a slow link. */
export const toxicsPerProxyMaxDefault = 32;

export interface ApiLimits {
  readonly proxiesMax: number;
  readonly toxicsPerProxyMax: number;
}

/** Where a proxy's bind-everything warning goes (the lab binds loopback only). */
export type Warn = (fields: Record<string, unknown>, message: string) => void;

export class FaultProxyApi {
  private readonly proxies = new Map<string, FaultyProxy>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly routes: readonly Route[];

  constructor(
    private readonly rootSeed: number,
    private readonly metrics: FaultProxyMetrics,
    private readonly limits: ApiLimits = {
      proxiesMax: proxiesMaxDefault,
      toxicsPerProxyMax: toxicsPerProxyMaxDefault,
    },
    private readonly warn: Warn = () => {},
  ) {
    const proxyUpdate: Handler = (r, [name]) => this.serial(() => this.proxyUpdate(name!, r.body));
    const toxicUpdate: Handler = (r, [p, t]) => this.serial(() => this.toxicUpdate(p!, t!, r.body));
    this.routes = [
      { pattern: ['reset'], methods: { POST: () => this.serial(() => this.reset()) } },
      {
        pattern: ['proxies'],
        methods: { GET: () => this.proxyIndex(), POST: (r) => this.serial(() => this.proxyCreate(r.body)) },
      },
      { pattern: ['populate'], methods: { POST: (r) => this.serial(() => this.populate(r.body)) } },
      {
        pattern: ['proxies', null],
        methods: {
          GET: (_r, [name]) => this.withProxy(name!, (proxy) => replies.json(200, proxy.toJson())),
          POST: proxyUpdate,
          PATCH: proxyUpdate,
          DELETE: (_r, [name]) => this.serial(() => this.proxyDelete(name!)),
        },
      },
      {
        pattern: ['proxies', null, 'toxics'],
        methods: {
          GET: (_r, [name]) =>
            this.withProxy(name!, (proxy) => replies.json(200, proxy.toxics().map(toxicToJson))),
          POST: (r, [name]) => this.serial(() => this.toxicCreate(name!, r.body)),
        },
      },
      {
        pattern: ['proxies', null, 'toxics', null],
        methods: {
          GET: (_r, [p, t]) => this.toxicShow(p!, t!),
          POST: toxicUpdate,
          PATCH: toxicUpdate,
          DELETE: (_r, [p, t]) => this.serial(() => this.toxicDelete(p!, t!)),
        },
      },
      {
        pattern: ['version'],
        methods: {
          GET: () => ({
            status: 200,
            headers: { 'Content-Type': 'application/json;charset=utf-8' },
            body: `{"version": "${toxiproxyVersion}"}\n`,
          }),
        },
      },
    ];
  }

  async handle(request: ApiRequest): Promise<Reply> {
    for (const route of this.routes) {
      const params = match(route.pattern, request.segments);
      if (params === undefined) continue;
      const handler = route.methods[request.method];
      // gorilla/mux answers a known path with an unknown method by an empty 405.
      return handler === undefined ? replies.empty(405) : handler(request, params);
    }
    return replies.notFound();
  }

  /** Stops every proxy (used on shutdown). */
  closeAll(): void {
    for (const proxy of this.proxies.values()) proxy.stop();
  }

  private serial(work: () => Promise<Reply> | Reply): Promise<Reply> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  private withProxy(
    name: string,
    then: (proxy: FaultyProxy) => Promise<Reply> | Reply,
  ): Promise<Reply> | Reply {
    const proxy = this.proxies.get(name);
    return proxy === undefined ? replies.error(apiErrors.proxyNotFound) : then(proxy);
  }

  private proxyIndex(): Reply {
    const names = [...this.proxies.keys()].sort();
    return replies.json(
      200,
      Object.fromEntries(names.map((name) => [name, this.proxies.get(name)!.toJson()])),
    );
  }

  private async proxyCreate(body: string): Promise<Reply> {
    const spec = parseProxyCreate(body);
    if (!spec.ok) return replies.error(spec.error);
    if (this.proxies.has(spec.value.name)) return replies.error(apiErrors.proxyExists);
    if (this.proxies.size >= this.limits.proxiesMax) return replies.error(this.tooManyProxies());
    const proxy = this.newProxy(spec.value);
    if (spec.value.enabled) {
      const started = await this.startChecked(proxy);
      if (!started.ok) return replies.error(started.error);
    }
    this.proxies.set(proxy.name, proxy);
    return replies.json(201, proxy.toJson());
  }

  private tooManyProxies(): ApiError {
    return apiErrors.tooMany(`too many proxies: ${this.limits.proxiesMax} exist (proxiesMax)`);
  }

  /**
   * Starts a proxy, then refuses it (stopped again) if its upstream leads back to its own
   * listen address; warns when it listens on every interface, as Toxiproxy does by default.
   */
  private async startChecked(proxy: FaultyProxy): Promise<Result<void>> {
    const wasEnabled = proxy.enabled;
    const started = await proxy.start();
    if (!started.ok || wasEnabled) return started;
    const others = [...this.proxies.values()].filter((other) => other.enabled && other !== proxy);
    const loop = upstreamLoop(proxy, [...others, proxy]);
    if (loop !== undefined) {
      proxy.stop();
      return fail(
        apiErrors.upstreamLoop(
          `upstream ${proxy.upstream} leads back to this proxy's listen address ${proxy.listen} (via ${loop.join(' -> ')}): every connection would loop`,
        ),
      );
    }
    if (bindsEveryInterface(proxy.listen))
      this.warn(
        { proxy: proxy.name, listen: proxy.listen },
        'proxy listens on every interface: anyone who can reach this host can use it (give listen 127.0.0.1:PORT)',
      );
    return started;
  }

  private newProxy(spec: ProxySpec): FaultyProxy {
    return new FaultyProxy(spec, { rootSeed: this.rootSeed, metrics: this.metrics });
  }

  private proxyUpdate(name: string, body: string): Promise<Reply> | Reply {
    return this.withProxy(name, async (proxy) => {
      const spec = parseProxyUpdate(body, proxy);
      if (!spec.ok) return replies.error(spec.error);
      // Toxiproxy's Proxy.Update: a new address restarts the proxy, then `enabled` decides.
      if (spec.value.listen !== proxy.listen || spec.value.upstream !== proxy.upstream) {
        proxy.stop();
        proxy.listen = spec.value.listen;
        proxy.upstream = spec.value.upstream;
      }
      if (spec.value.enabled && !proxy.enabled) {
        const started = await this.startChecked(proxy);
        if (!started.ok) return replies.error(started.error);
      } else if (!spec.value.enabled && proxy.enabled) {
        proxy.stop();
      }
      return replies.json(200, proxy.toJson());
    });
  }

  private proxyDelete(name: string): Reply {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) return replies.error(apiErrors.proxyNotFound);
    proxy.stop();
    this.proxies.delete(name);
    return replies.empty(204);
  }

  private async populate(body: string): Promise<Reply> {
    const specs = parsePopulate(body);
    if (!specs.ok) return populateReply(specs.error, null);
    const applied: FaultyProxy[] = [];
    for (const spec of specs.value) {
      const existing = this.proxies.get(spec.name);
      if (existing !== undefined && existing.listen === spec.listen && existing.upstream === spec.upstream) {
        applied.push(existing);
        continue;
      }
      if (existing === undefined && this.proxies.size >= this.limits.proxiesMax)
        return populateReply(this.tooManyProxies(), applied.length > 0 ? applied : null);
      existing?.stop();
      this.proxies.delete(spec.name);
      const proxy = this.newProxy(spec);
      if (spec.enabled) {
        const started = await this.startChecked(proxy);
        if (!started.ok) return populateReply(started.error, applied.length > 0 ? applied : null);
      }
      this.proxies.set(proxy.name, proxy);
      applied.push(proxy);
    }
    return populateReply(undefined, applied.length > 0 ? applied : null);
  }

  private async reset(): Promise<Reply> {
    for (const proxy of this.proxies.values()) {
      const started = await this.startChecked(proxy);
      if (!started.ok) return replies.error(started.error);
      await proxy.removeAllToxics();
    }
    return replies.empty(204);
  }

  private toxicCreate(proxyName: string, body: string): Promise<Reply> | Reply {
    return this.withProxy(proxyName, (proxy) => {
      const spec = parseToxicCreate(body, (name) => proxy.findToxic(name) !== undefined);
      if (!spec.ok) return replies.error(spec.error);
      if (proxy.toxics().length >= this.limits.toxicsPerProxyMax)
        return replies.error(
          apiErrors.tooMany(
            `too many toxics: this proxy has ${this.limits.toxicsPerProxyMax} (toxicsPerProxyMax)`,
          ),
        );
      return replies.json(200, toxicToJson(proxy.addToxic(spec.value)));
    });
  }

  private toxicShow(proxyName: string, toxicName: string): Promise<Reply> | Reply {
    return this.withProxy(proxyName, (proxy) => {
      const entry = proxy.findToxic(toxicName);
      return entry === undefined
        ? replies.error(apiErrors.toxicNotFound)
        : replies.json(200, toxicToJson(entry));
    });
  }

  private toxicUpdate(proxyName: string, toxicName: string, body: string): Promise<Reply> | Reply {
    return this.withProxy(proxyName, async (proxy) => {
      const entry = proxy.findToxic(toxicName);
      if (entry === undefined) return replies.error(apiErrors.toxicNotFound);
      const update = parseToxicUpdate(body, entry);
      if (!update.ok) return replies.error(update.error);
      return replies.json(200, toxicToJson(await proxy.updateToxic(entry, update.value)));
    });
  }

  private toxicDelete(proxyName: string, toxicName: string): Promise<Reply> | Reply {
    return this.withProxy(proxyName, async (proxy) => {
      const entry = proxy.findToxic(toxicName);
      if (entry === undefined) return replies.error(apiErrors.toxicNotFound);
      await proxy.removeToxic(entry);
      return replies.empty(204);
    });
  }
}

function match(pattern: readonly (string | null)[], segments: readonly string[]): string[] | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index]!;
    if (part === null) {
      if (segment === '') return undefined;
      params.push(segment);
    } else if (part !== segment) return undefined;
  }
  return params;
}

/** `/populate` answers JSON even on error, with the error first and `proxies` last. */
function populateReply(error: ApiError | undefined, proxies: FaultyProxy[] | null): Reply {
  const list = proxies === null ? null : proxies.map((proxy) => proxy.toJson());
  if (error === undefined) return replies.json(201, { proxies: list });
  return replies.json(error.status, { error: error.message, status: error.status, proxies: list });
}

function bindsEveryInterface(listen: string): boolean {
  const address = parseHostPort(listen);
  return (
    typeof address !== 'string' &&
    (address.host === undefined || address.host === '0.0.0.0' || address.host === '::')
  );
}
