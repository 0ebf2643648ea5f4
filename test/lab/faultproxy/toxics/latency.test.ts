/**
 * The latency toxic: the delay calculation is pure and seeded (unit-tested with fast-check), and
 * on real sockets the same seed gives the same sequence of jittered round trips.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { afterEach, describe, expect, test } from 'vitest';
import { toxicRandom } from '../../../../lab/faultproxy/random-streams.ts';
import { latencyDelayMs } from '../../../../lab/faultproxy/toxics/latency.ts';
import { connectClient, type Fixture, roundTripMs, setup } from '../helpers.ts';

const fixtures: Fixture[] = [];

afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.close();
});

describe('faultproxy toxics: latency', () => {
  propertyTest.prop([fc.nat(10_000), fc.nat(1_000), fc.nat()])(
    'a jittered delay lies in [latency - jitter, latency + jitter)',
    (latencyMs, jitterMs, seed) => {
      const random = toxicRandom(seed, 'p', 't');
      for (let draw = 0; draw < 20; draw += 1) {
        const delayMs = latencyDelayMs(latencyMs, jitterMs, random);
        expect(delayMs).toBeGreaterThanOrEqual(latencyMs - jitterMs);
        expect(delayMs).toBeLessThan(latencyMs + Math.max(jitterMs, 1));
      }
    },
  );

  test('the same seed, proxy and toxic give the same delays; another seed or toxic gives others', () => {
    const draws = (seed: number, toxic: string): number[] => {
      const random = toxicRandom(seed, 'redis', toxic);
      return Array.from({ length: 8 }, () => latencyDelayMs(100, 50, random));
    };
    expect(draws(7, 'jitter')).toEqual(draws(7, 'jitter'));
    expect(draws(8, 'jitter')).not.toEqual(draws(7, 'jitter'));
    expect(draws(7, 'other')).not.toEqual(draws(7, 'jitter'));
  });

  // Seed 1 draws delays of about 92, 139, 18 and 186 ms here: far enough apart that a loaded
  // machine's late timers cannot reorder them, so comparing the order is a sharp, stable test.
  test('seeded jitter is reproducible through the proxy: two runs with one seed order their round trips alike', async () => {
    const run = async (): Promise<number[]> => {
      const fixture = await setup(1, 'jittery');
      fixtures.push(fixture);
      await fixture.proxy.addToxic({
        name: 'jitter',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 100, jitter: 90 },
      });
      const client = await connectClient(fixture.proxyPort);
      const roundTrips: number[] = [];
      for (let trip = 0; trip < 4; trip += 1) roundTrips.push(await roundTripMs(client));
      client.destroy();
      return roundTrips;
    };
    const rankOrder = (values: number[]): number[] =>
      values.map((_, index) => index).sort((a, b) => values[a]! - values[b]!);
    const first = await run();
    const second = await run();
    expect(rankOrder(second)).toEqual(rankOrder(first));
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(100);
    expect(Math.min(...first, ...second)).toBeGreaterThanOrEqual(10);
  });
});
