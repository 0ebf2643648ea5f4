/**
 * The cluster's links through a Toxiproxy-compatible fault proxy, driven only through
 * `toxiproxy-node-client` (so a real Toxiproxy works the same): `TOXIPROXY_URL` when set, else the
 * embedded `startFaultProxy` (lab/faultproxy). One proxy per link, named so a person reading the
 * proxy's `/proxies` knows what it is: `redis-s1`, `discovery0-s1`, `clients-s1`.
 *
 * A cut is the proxy disabled (live connections closed, new ones refused), like Toxiproxy's
 * `down`; a black hole is a `timeout` toxic with timeout 0 (bytes held, nothing closed); latency
 * is a `latency` toxic on both streams. Every fault is named so `heal` can remove exactly it.
 * Standing toxics (the scenario's latency, its connection stalls) are not faults: `heal` keeps them.
 */
import { Toxiproxy, type Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import { type FaultProxy, startFaultProxy } from '../faultproxy/index.ts';

export interface FaultLinks {
  /** The Toxiproxy API URL in use. */
  readonly url: string;
  readonly embedded: boolean;
  /** Creates (or replaces) a proxy; returns its listen port. */
  add(name: string, upstream: string): Promise<number>;
  has(name: string): boolean;
  /** Disables the proxy: live connections close, new ones are refused. */
  cut(name: string): Promise<void>;
  /** Holds every byte one way (a `timeout` toxic, timeout 0): the peer hangs, nothing closes. */
  blackhole(name: string, stream: 'upstream' | 'downstream'): Promise<void>;
  /** Adds `latencyMs` (+/- jitterMs) each way. */
  delay(name: string, latencyMs: number, jitterMs?: number): Promise<void>;
  /**
   * The link's standing latency (the scenario's `network` settings): `latencyMs` +/- `jitterMs`
   * on one stream. Not a fault: `heal` keeps it.
   */
  baseline(
    name: string,
    stream: 'upstream' | 'downstream',
    latencyMs: number,
    jitterMs: number,
  ): Promise<void>;
  /**
   * Loss as TCP shows it (the scenario's `lossModel: connection`): a `timeout` toxic (timeout 0)
   * on the upstream stream with toxicity `share`, drawn per connection as Toxiproxy draws it, so
   * that share of the link's connections carries nothing to the peer until it closes. Not a
   * fault: `heal` keeps it.
   */
  stall(name: string, share: number): Promise<void>;
  /** Re-enables the proxy and removes the lab's fault toxics from it (not its baseline). */
  heal(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultLinks(seed: number): Promise<FaultLinks> {
  const external = process.env.TOXIPROXY_URL;
  let embedded: FaultProxy | undefined;
  if (external === undefined || external === '') embedded = await startFaultProxy({ port: 0, seed });
  const url = embedded?.url ?? (external as string);
  const client = new Toxiproxy(url);
  const proxies = new Map<string, ToxiproxyProxy>();
  const get = (name: string): ToxiproxyProxy => {
    const proxy = proxies.get(name);
    if (proxy === undefined)
      throw new Error(`no lab proxy named ${name}; known: ${[...proxies.keys()].join(', ')}`);
    return proxy;
  };
  // Each fault's toxics get their own name, so overlapping faults on one link (generated faults
  // do overlap) add up instead of colliding; a heal removes every fault toxic of the link, so
  // overlapping faults on one link heal together at the first heal.
  let toxicCounter = 0;
  // The proxies the lab disabled (a cut), so a heal re-enables only those.
  const disabled = new Set<string>();
  // The toxics the lab added, per proxy: `heal` removes these and only these.
  const added = new Map<string, Set<string>>();
  const addToxic = async (name: string, body: Parameters<ToxiproxyProxy['addToxic']>[0]) => {
    await get(name).addToxic(body);
    const names = added.get(name) ?? new Set<string>();
    names.add(body.name);
    added.set(name, names);
  };
  // One DELETE per toxic, all at once (the client's `getToxic().remove()` costs a GET first).
  const removeLabToxics = async (proxy: ToxiproxyProxy) => {
    const names = [...(added.get(proxy.name) ?? [])];
    added.delete(proxy.name);
    await Promise.all(
      names.map(async (toxicName) => {
        const response = await fetch(
          `${url}/proxies/${encodeURIComponent(proxy.name)}/toxics/${encodeURIComponent(toxicName)}`,
          { method: 'DELETE' },
        );
        await response.arrayBuffer();
        if (!response.ok && response.status !== 404)
          throw new Error(`removing toxic ${toxicName} from ${proxy.name}: HTTP ${response.status}`);
      }),
    );
  };
  return {
    url,
    embedded: embedded !== undefined,
    add: async (name, upstream) => {
      const old = proxies.get(name);
      if (old !== undefined) await old.remove();
      const proxy = await client.createProxy({ name, listen: '127.0.0.1:0', upstream });
      proxies.set(name, proxy);
      return Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
    },
    has: (name) => proxies.has(name),
    cut: async (name) => {
      const proxy = get(name);
      disabled.add(name);
      await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    },
    blackhole: async (name, stream) => {
      await addToxic(name, {
        name: `lab_blackhole_${stream}_${++toxicCounter}`,
        type: 'timeout',
        stream,
        toxicity: 1,
        attributes: { timeout: 0 },
      });
    },
    delay: async (name, latencyMs, jitterMs = 0) => {
      await Promise.all(
        (['upstream', 'downstream'] as const).map((stream) =>
          addToxic(name, {
            name: `lab_latency_${stream}_${++toxicCounter}`,
            type: 'latency',
            stream,
            toxicity: 1,
            attributes: { latency: Math.round(latencyMs), jitter: Math.round(jitterMs) },
          }),
        ),
      );
    },
    baseline: async (name, stream, latencyMs, jitterMs) => {
      await get(name).addToxic({
        name: `lab_baseline_${stream}`,
        type: 'latency',
        stream,
        toxicity: 1,
        attributes: { latency: Math.round(latencyMs), jitter: Math.round(jitterMs) },
      });
    },
    stall: async (name, share) => {
      await get(name).addToxic({
        name: 'lab_stall_upstream',
        type: 'timeout',
        stream: 'upstream',
        toxicity: share,
        attributes: { timeout: 0 },
      });
    },
    heal: async (name) => {
      const proxy = get(name);
      await removeLabToxics(proxy);
      // One request less per heal when the proxy was never cut (latency, black holes).
      if (disabled.delete(name))
        await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    },
    close: async () => {
      if (embedded !== undefined) await embedded.close();
      else for (const proxy of proxies.values()) await proxy.remove().catch(() => {});
      proxies.clear();
    },
  };
}
