/** The limit_data toxic: the first `bytes` bytes pass, then the connection closes. */
import { afterEach, describe, expect, test } from 'vitest';
import { connectClient, type Fixture, readBytes, setup, untilClosed } from '../helpers.ts';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('faultproxy toxics: limit_data', () => {
  test('a 5-byte limit passes "hello" of "hello world" and then closes cleanly', async () => {
    fixture = await setup();
    await fixture.proxy.addToxic({
      name: 'cap',
      type: 'limit_data',
      stream: 'downstream',
      toxicity: 1,
      attributes: { bytes: 5 },
    });
    const client = await connectClient(fixture.proxyPort);
    const ending = untilClosed(client);
    client.write('hello world');
    const ended = await ending;
    expect(ended.received).toBe('hello');
    expect(ended.errorCode).toBeUndefined();
  });

  test('the count spans chunks: 3 bytes then 3 more pass only 5 in all', async () => {
    fixture = await setup();
    await fixture.proxy.addToxic({
      name: 'cap',
      type: 'limit_data',
      stream: 'downstream',
      toxicity: 1,
      attributes: { bytes: 5 },
    });
    const client = await connectClient(fixture.proxyPort);
    expect(Buffer.concat(await readBytes(client, 3, () => client.write('abc'))).toString()).toBe('abc');
    const ending = untilClosed(client);
    client.write('def');
    expect((await ending).received).toBe('de');
  });
});
