/** The slow_close toxic: the close reaches the client delay ms late; without it, at once. */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, test } from 'vitest';
import { connectClient, type Fixture, setup, untilClosed } from '../helpers.ts';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function closeDelayMs(port: number): Promise<number> {
  const client = await connectClient(port);
  const ending = untilClosed(client);
  const startMs = performance.now();
  client.end();
  return (await ending).atMs - startMs;
}

describe('faultproxy toxics: slow_close', () => {
  test('with delay 300 the connection closes at least 300 ms after the client ends it', async () => {
    fixture = await setup();
    expect(await closeDelayMs(fixture.proxyPort)).toBeLessThan(150);
    await fixture.proxy.addToxic({
      name: 'lag',
      type: 'slow_close',
      stream: 'downstream',
      toxicity: 1,
      attributes: { delay: 300 },
    });
    expect(await closeDelayMs(fixture.proxyPort)).toBeGreaterThanOrEqual(295);
  });
});
