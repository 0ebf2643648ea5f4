/** The bandwidth toxic: 3000 bytes at 10 KB/s take about 300 ms. */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, test } from 'vitest';
import { connectClient, type Fixture, readBytes, setup } from '../helpers.ts';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('faultproxy toxics: bandwidth', () => {
  test('3000 bytes at a rate of 10 KB/s take at least 250 ms and arrive intact', async () => {
    fixture = await setup();
    await fixture.proxy.addToxic({
      name: 'thin',
      type: 'bandwidth',
      stream: 'downstream',
      toxicity: 1,
      attributes: { rate: 10 },
    });
    const client = await connectClient(fixture.proxyPort);
    const payload = Buffer.alloc(3000, 'x');
    const startMs = performance.now();
    const pieces = await readBytes(client, payload.length, () => client.write(payload));
    const elapsedMs = performance.now() - startMs;
    expect(Buffer.concat(pieces).equals(payload)).toBe(true);
    expect(elapsedMs).toBeGreaterThanOrEqual(250);
    expect(elapsedMs).toBeLessThan(3000);
    client.destroy();
  });
});
