/** The reset_peer toxic: timeout ms after traffic reaches it, the client sees ECONNRESET. */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, test } from 'vitest';
import { connectClient, type Fixture, setup, untilClosed } from '../helpers.ts';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('faultproxy toxics: reset_peer', () => {
  test('the reply is dropped and the client is reset about timeout ms later', async () => {
    fixture = await setup();
    await fixture.proxy.addToxic({
      name: 'rst',
      type: 'reset_peer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 100 },
    });
    const client = await connectClient(fixture.proxyPort);
    const ending = untilClosed(client);
    const startMs = performance.now();
    client.write('hello');
    const ended = await ending;
    expect(ended.errorCode).toBe('ECONNRESET');
    expect(ended.received).toBe('');
    expect(ended.atMs - startMs).toBeGreaterThanOrEqual(95);
  });
});
