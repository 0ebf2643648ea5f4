/** The timeout toxic: silence then a close after timeout ms; with 0, silence until it is removed. */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, test } from 'vitest';
import { connectClient, type Fixture, setup, sleepMs, untilClosed } from '../helpers.ts';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('faultproxy toxics: timeout', () => {
  test('timeout 100 drops the data and closes the connection after about 100 ms', async () => {
    fixture = await setup();
    await fixture.proxy.addToxic({
      name: 't',
      type: 'timeout',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 100 },
    });
    const startMs = performance.now();
    const client = await connectClient(fixture.proxyPort);
    const ending = untilClosed(client);
    client.write('hello');
    const ended = await ending;
    expect(ended.received).toBe('');
    expect(ended.atMs - startMs).toBeGreaterThanOrEqual(95);
  });

  test('timeout 0 holds the connection silent until the toxic is removed, which closes it', async () => {
    fixture = await setup();
    const toxic = await fixture.proxy.addToxic({
      name: 't',
      type: 'timeout',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    const client = await connectClient(fixture.proxyPort);
    let closed = false;
    const ending = untilClosed(client).then((ended) => {
      closed = true;
      return ended;
    });
    client.write('hello');
    await sleepMs(200);
    expect(closed).toBe(false);
    await toxic.remove();
    const ended = await ending;
    expect(ended.received).toBe('');
  });
});
