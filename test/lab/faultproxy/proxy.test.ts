/**
 * A proxy on real loopback sockets, driven through toxiproxy-node-client in front of an echo
 * server: toxics reach live connections, and disabling cuts connections and the listener.
 * Wall-clock assertions are one-sided and tolerant (Toxiproxy's AssertDeltaTime spirit).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { performance } from 'node:perf_hooks';
import {
  connectClient,
  type Fixture,
  readBytes,
  roundTripMs,
  setup,
  sleepMs,
  tryConnect,
  untilClosed,
} from './helpers.ts';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('faultproxy: proxy', () => {
  test('a 100 ms latency toxic adds at least 100 ms to a round trip, and removing it takes it away', async () => {
    fixture = await setup();
    const client = await connectClient(fixture.proxyPort);
    expect(await roundTripMs(client)).toBeLessThan(90);
    const toxic = await fixture.proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    expect(await roundTripMs(client)).toBeGreaterThanOrEqual(99);
    await toxic.remove();
    expect(await roundTripMs(client)).toBeLessThan(90);
    client.destroy();
  });

  test('updating a latency toxic changes the delay on a live connection', async () => {
    fixture = await setup();
    const client = await connectClient(fixture.proxyPort);
    const toxic = await fixture.proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 30, jitter: 0 },
    });
    expect(await roundTripMs(client)).toBeGreaterThanOrEqual(29);
    await toxic.update({ ...toxic.toJson(), attributes: { latency: 150, jitter: 0 } });
    expect(await roundTripMs(client)).toBeGreaterThanOrEqual(149);
    client.destroy();
  });

  test('a timeout toxic added to a live connection silences it, and removing it closes it', async () => {
    fixture = await setup();
    const client = await connectClient(fixture.proxyPort);
    await roundTripMs(client);
    const toxic = await fixture.proxy.addToxic({
      name: 'hold',
      type: 'timeout',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    const ending = untilClosed(client);
    client.write('lost\n');
    await sleepMs(150);
    await toxic.remove();
    expect((await ending).received).toBe('');
  });

  test('a bandwidth toxic added to a live connection slows it', async () => {
    fixture = await setup();
    const client = await connectClient(fixture.proxyPort);
    await roundTripMs(client);
    await fixture.proxy.addToxic({
      name: 'thin',
      type: 'bandwidth',
      stream: 'downstream',
      toxicity: 1,
      attributes: { rate: 10 },
    });
    const startMs = performance.now();
    await readBytes(client, 2000, () => client.write(Buffer.alloc(2000, 'y')));
    expect(performance.now() - startMs).toBeGreaterThanOrEqual(150);
    client.destroy();
  });

  test('4 MiB through a sliced link arrive intact and in order, past the 1 MiB link buffer limit', async () => {
    fixture = await setup();
    await fixture.proxy.addToxic({
      name: 'cut',
      type: 'slicer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { average_size: 65536, size_variation: 1024, delay: 0 },
    });
    const client = await connectClient(fixture.proxyPort);
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 1) payload[i] = i % 251;
    const pieces = await readBytes(client, payload.length, () => client.write(payload));
    expect(Buffer.concat(pieces).equals(payload)).toBe(true);
    client.destroy();
  });

  test('a toxic with toxicity 0 never applies', async () => {
    fixture = await setup();
    await fixture.proxy.addToxic({
      name: 'never',
      type: 'latency',
      stream: 'downstream',
      toxicity: 0,
      attributes: { latency: 500, jitter: 0 },
    });
    const client = await connectClient(fixture.proxyPort);
    expect(await roundTripMs(client)).toBeLessThan(200);
    client.destroy();
  });

  test('disabling a proxy cuts live connections and refuses new ones; enabling restores it on the same port', async () => {
    fixture = await setup();
    const client = await connectClient(fixture.proxyPort);
    await roundTripMs(client);
    const ended = untilClosed(client);
    const disabled = await fixture.proxy.update({
      enabled: false,
      listen: fixture.proxy.listen,
      upstream: fixture.proxy.upstream,
    });
    expect(disabled.enabled).toBe(false);
    await ended;
    expect(await tryConnect(fixture.proxyPort)).toBe('ECONNREFUSED');
    const enabled = await fixture.proxy.update({
      enabled: true,
      listen: fixture.proxy.listen,
      upstream: fixture.proxy.upstream,
    });
    expect(enabled.listen).toBe(fixture.proxy.listen);
    const again = await connectClient(fixture.proxyPort);
    expect(await roundTripMs(again)).toBeLessThan(90);
    again.destroy();
  });

  test('metrics count connections and bytes per proxy and per toxic', async () => {
    fixture = await setup(1, 'counted');
    await fixture.proxy.addToxic({
      name: 'n',
      type: 'noop',
      stream: 'upstream',
      toxicity: 1,
      attributes: {},
    } as never);
    const client = await connectClient(fixture.proxyPort);
    await roundTripMs(client, 'twelve bytes');
    client.destroy();
    const text = await (await fetch(`${fixture.faultProxy.url}/metrics`)).text();
    expect(text).toContain('faultproxy_connections_total{proxy="counted"} 1');
    expect(text).toMatch(
      /toxiproxy_proxy_received_bytes_total\{direction="upstream",proxy="counted",[^}]*\} 12/,
    );
    expect(text).toContain(
      'faultproxy_toxic_bytes_total{proxy="counted",toxic="n",type="noop",direction="upstream"} 12',
    );
  });
});
