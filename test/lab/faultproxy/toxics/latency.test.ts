/**
 * The latency toxic: the delay calculation is pure and seeded (unit-tested with fast-check), and
 * on real sockets the same seed gives the same sequence of jittered round trips.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { afterEach, describe, expect, test } from 'vitest';
import { toxicRandom } from '../../../../lab/faultproxy/random-streams.ts';
import { latencyDelayMs } from '../../../../lab/faultproxy/toxics/latency.ts';
import { connectClient, type Fixture, roundTripMs, setup, untilClosed } from '../helpers.ts';

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

  // The expected delays come from the seed through the same pure function (about 92, 139, 18
  // and 186 ms for seed 1). Each trip must take at least its delay; the upper margin is wide
  // because the machine is shared, yet narrow enough that the 18 ms trip would fail without jitter.
  test('round trips through the proxy follow the seeded jitter draws', async () => {
    const fixture = await setup(1, 'jittery');
    fixtures.push(fixture);
    const client = await connectClient(fixture.proxyPort);
    // A first trip without the toxic, so the upstream dial is not part of any measured trip.
    await roundTripMs(client);
    await fixture.proxy.addToxic({
      name: 'jitter',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 90 },
    });
    const random = toxicRandom(1, 'jittery', 'jitter');
    random.nextRatio(); // the connection's toxicity draw comes first
    for (let trip = 0; trip < 4; trip += 1) {
      const delayMs = latencyDelayMs(100, 90, random);
      const roundTrip = await roundTripMs(client);
      expect(roundTrip).toBeGreaterThanOrEqual(delayMs - 1);
      expect(roundTrip).toBeLessThan(delayMs + 70);
    }
    client.destroy();
  });

  test('seeded toxicity draws are reproducible: the same connections get the toxic in two runs', async () => {
    const run = async (): Promise<string[]> => {
      const fixture = await setup(5, 'coin');
      fixtures.push(fixture);
      await fixture.proxy.addToxic({
        name: 'cut',
        type: 'limit_data',
        stream: 'downstream',
        toxicity: 0.5,
        attributes: { bytes: 1 },
      });
      const received: string[] = [];
      for (let connection = 0; connection < 8; connection += 1) {
        const client = await connectClient(fixture.proxyPort);
        const ending = untilClosed(client);
        // The whole echo means no toxic: hang up. With the toxic, one byte comes and the proxy closes.
        let bytes = 0;
        client.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes >= 5) client.destroy();
        });
        client.write('hello');
        received.push((await ending).received);
      }
      return received;
    };
    const first = await run();
    expect(new Set(first)).toEqual(new Set(['h', 'hello']));
    expect(await run()).toEqual(first);
  });
});
