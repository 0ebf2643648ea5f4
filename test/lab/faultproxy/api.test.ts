/**
 * Conformance with Toxiproxy 2.12's API, row by row from a call-by-call measurement of
 * real Toxiproxy 2.12 (row numbers in the test names). Goal: no Toxiproxy client can tell us apart. Method: exact
 * status, content type and body bytes through plain fetch, plus the same calls through
 * toxiproxy-node-client where it exposes them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { type FaultProxy, startFaultProxy } from '../../../lab/faultproxy/index.ts';
import { portOf, startEcho } from './helpers.ts';

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
  requestId: string | null;
}

let faultProxy: FaultProxy;
let echo: Awaited<ReturnType<typeof startEcho>>;
let upstream: string;

async function call(
  method: string,
  path: string,
  body?: string,
  headers?: Record<string, string>,
): Promise<Answer> {
  const response = await fetch(`${faultProxy.url}${path}`, { method, body, headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.text(),
    requestId: response.headers.get('x-toxiproxy-request-id'),
  };
}

const errorBody = (error: string, status: number): string => `${JSON.stringify({ error, status })}\n`;
const plain = 'text/plain; charset=utf-8';

beforeAll(async () => {
  echo = await startEcho();
  upstream = `127.0.0.1:${echo.port}`;
  faultProxy = await startFaultProxy({ port: 0, seed: 3 });
});

afterAll(async () => {
  await faultProxy.close();
  await echo.close();
});

describe('faultproxy API: version, listing and routing', () => {
  test('1: GET /version answers {"version": "2.12.0"} with a newline, and the client reads it', async () => {
    const answer = await call('GET', '/version');
    expect(answer).toMatchObject({ status: 200, contentType: 'application/json;charset=utf-8' });
    expect(answer.body).toBe('{"version": "2.12.0"}\n');
    expect(await new Toxiproxy(faultProxy.url).getVersion()).toBe('{"version": "2.12.0"}\n');
  });

  test('2: GET /proxies with none is {}', async () => {
    expect(await call('GET', '/proxies')).toMatchObject({
      status: 200,
      contentType: 'application/json',
      body: '{}',
    });
  });

  test('every response carries an X-Toxiproxy-Request-Id, different each time', async () => {
    const first = await call('GET', '/version');
    const second = await call('GET', '/nosuchroute');
    expect(first.requestId).toMatch(/^[0-9a-v]{20}$/);
    expect(second.requestId).toMatch(/^[0-9a-v]{20}$/);
    expect(first.requestId).not.toBe(second.requestId);
  });

  test('44: an unknown route is a plain 404 page not found', async () => {
    expect(await call('GET', '/nosuchroute')).toEqual(
      expect.objectContaining({ status: 404, contentType: plain, body: '404 page not found\n' }),
    );
  });

  test('45: a known route with the wrong method is an empty 405', async () => {
    for (const [method, path] of [
      ['PUT', '/proxies'],
      ['GET', '/reset'],
    ] as const) {
      const answer = await call(method, path);
      expect(answer.status).toBe(405);
      expect(answer.body).toBe('');
    }
  });

  test('46: a browser user agent is refused with 403 User agent not allowed', async () => {
    const answer = await call('GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0 (X11)' });
    expect(answer).toMatchObject({ status: 403, contentType: plain, body: 'User agent not allowed\n' });
  });

  test('GET /metrics answers Prometheus text from the proxy registry', async () => {
    const answer = await call('GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('faultproxy_connections_total');
  });
});

describe('faultproxy API: proxies', () => {
  let listen: string;

  test('3 and 10: POST /proxies creates it, enabled, showing the port actually bound', async () => {
    const answer = await call(
      'POST',
      '/proxies',
      JSON.stringify({ name: 't', listen: '127.0.0.1:0', upstream, enabled: true }),
    );
    expect(answer).toMatchObject({ status: 201, contentType: 'application/json' });
    const body = JSON.parse(answer.body) as { listen: string };
    listen = body.listen;
    expect(portOf(listen)).toBeGreaterThan(0);
    expect(answer.body).toBe(
      `{"name":"t","listen":"${listen}","upstream":"${upstream}","enabled":true,"Logger":{},"toxics":[]}`,
    );
  });

  test('4: the same POST again is 409 proxy already exists', async () => {
    const answer = await call('POST', '/proxies', JSON.stringify({ name: 't', listen, upstream }));
    expect(answer).toMatchObject({
      status: 409,
      contentType: plain,
      body: errorBody('proxy already exists', 409),
    });
  });

  test('5: another proxy on a port in use is 500 with Go bind error text, and nothing is created', async () => {
    const answer = await call('POST', '/proxies', JSON.stringify({ name: 'clash', listen, upstream }));
    expect(answer.body).toBe(errorBody(`listen tcp ${listen}: bind: address already in use`, 500));
    expect(answer.status).toBe(500);
    expect((await call('GET', '/proxies/clash')).status).toBe(404);
  });

  test('6: truncated JSON is unexpected EOF, an empty body is EOF', async () => {
    expect((await call('POST', '/proxies', '{"name":"x"')).body).toBe(
      errorBody('bad request body: unexpected EOF', 400),
    );
    expect((await call('POST', '/proxies', '')).body).toBe(errorBody('bad request body: EOF', 400));
  });

  test('7 and 8: a missing name or upstream is 400 missing required field', async () => {
    expect((await call('POST', '/proxies', '{}')).body).toBe(errorBody('missing required field: name', 400));
    expect((await call('POST', '/proxies', '{"name":"x"}')).body).toBe(
      errorBody('missing required field: upstream', 400),
    );
  });

  test('9: without listen it binds a free port on every interface', async () => {
    const answer = await call('POST', '/proxies', JSON.stringify({ name: 'anywhere', upstream }));
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).listen).toMatch(/^(\[::\]|0\.0\.0\.0):\d+$/);
    expect((await call('DELETE', '/proxies/anywhere')).status).toBe(204);
  });

  test('10b: a disabled proxy keeps listen as given', async () => {
    const answer = await call(
      'POST',
      '/proxies',
      JSON.stringify({ name: 'dis', listen: '127.0.0.1:0', upstream, enabled: false }),
    );
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ listen: '127.0.0.1:0', enabled: false });
  });

  test('11 and 12: GET /proxies is keyed by name in order; GET /proxies/t shows its toxics', async () => {
    const index = await call('GET', '/proxies');
    expect(Object.keys(JSON.parse(index.body))).toEqual(['dis', 't']);
    const client = await new Toxiproxy(faultProxy.url).getAll();
    expect(client['t']?.listen).toBe(listen);
    const one = await call('GET', '/proxies/t');
    expect(JSON.parse(one.body)).toMatchObject({ name: 't', toxics: [] });
  });

  test('13: GET /proxies/missing is 404 proxy not found', async () => {
    expect(await call('GET', '/proxies/missing')).toMatchObject({
      status: 404,
      body: errorBody('proxy not found', 404),
    });
  });

  test('32 and 33: POST enabled false disables, PATCH enabled true enables again on the same address', async () => {
    const off = await call('POST', '/proxies/t', '{"enabled":false}');
    expect(off.status).toBe(200);
    expect(JSON.parse(off.body)).toMatchObject({ enabled: false, listen });
    const on = await call('PATCH', '/proxies/t', '{"enabled":true}');
    expect(JSON.parse(on.body)).toMatchObject({ enabled: true, listen });
  });

  test('34: {} changes nothing and name in an update is ignored', async () => {
    const before = (await call('GET', '/proxies/t')).body;
    expect((await call('POST', '/proxies/t', '{}')).body).toBe(before);
    expect(JSON.parse((await call('POST', '/proxies/t', '{"name":"renamed"}')).body).name).toBe('t');
  });

  test('35 and 36: updating a missing proxy is 404; truncated JSON is 400', async () => {
    expect((await call('POST', '/proxies/missing', '{"enabled":false}')).body).toBe(
      errorBody('proxy not found', 404),
    );
    expect((await call('POST', '/proxies/t', '{"enabled":')).body).toBe(
      errorBody('bad request body: unexpected EOF', 400),
    );
  });

  test('a field of the wrong type names the Go struct field and type', async () => {
    const answer = await call('POST', '/proxies', '{"name":"x","upstream":"a:1","enabled":"yes"}');
    expect(answer.body).toBe(
      errorBody(
        'bad request body: json: cannot unmarshal string into Go struct field Proxy.enabled of type bool',
        400,
      ),
    );
  });
});

describe('faultproxy API: toxics', () => {
  const latency = '{"type":"latency","attributes":{"latency":200}}';

  test('14: GET /proxies/t/toxics with none is []', async () => {
    expect(await call('GET', '/proxies/t/toxics')).toMatchObject({ status: 200, body: '[]' });
  });

  test('15: POST a latency toxic fills in name, stream, toxicity and jitter', async () => {
    const answer = await call('POST', '/proxies/t/toxics', latency);
    expect(answer).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(answer.body).toBe(
      '{"attributes":{"latency":200,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}',
    );
  });

  test('16: the same toxic again is 409 toxic already exists', async () => {
    expect(await call('POST', '/proxies/t/toxics', latency)).toMatchObject({
      status: 409,
      body: errorBody('toxic already exists', 409),
    });
  });

  test('17 and 18: an unknown type is invalid toxic type; bad JSON is a bad request body', async () => {
    expect((await call('POST', '/proxies/t/toxics', '{"type":"nosuchtoxic"}')).body).toBe(
      errorBody('invalid toxic type', 400),
    );
    expect((await call('POST', '/proxies/t/toxics', '{}')).body).toBe(errorBody('invalid toxic type', 400));
    expect((await call('POST', '/proxies/t/toxics', '{"type":')).body).toBe(
      errorBody('bad request body: unexpected EOF', 400),
    );
    expect((await call('POST', '/proxies/t/toxics', '')).body).toBe(errorBody('bad request body: EOF', 400));
  });

  test('19: a sideways stream is refused', async () => {
    expect((await call('POST', '/proxies/t/toxics', '{"type":"latency","stream":"sideways"}')).body).toBe(
      errorBody('stream was invalid, can be either upstream or downstream', 400),
    );
  });

  test('20 and 21: stream is case-insensitive, stored as written, and names the default', async () => {
    const mixed = JSON.parse(
      (await call('POST', '/proxies/t/toxics', '{"type":"latency","stream":"UpStream"}')).body,
    );
    expect(mixed).toMatchObject({ name: 'latency_UpStream', stream: 'UpStream' });
    const lower = JSON.parse(
      (await call('POST', '/proxies/t/toxics', '{"type":"latency","stream":"upstream"}')).body,
    );
    expect(lower.name).toBe('latency_upstream');
  });

  test('22: toxicity is stored as given', async () => {
    const high = JSON.parse(
      (await call('POST', '/proxies/t/toxics', '{"type":"noop","name":"n1","toxicity":1.5}')).body,
    );
    const zero = JSON.parse(
      (await call('POST', '/proxies/t/toxics', '{"type":"noop","name":"n0","toxicity":0}')).body,
    );
    expect([high.toxicity, zero.toxicity]).toEqual([1.5, 0]);
  });

  test('23: an attribute of the wrong type is a Go unmarshal error', async () => {
    const answer = await call(
      'POST',
      '/proxies/t/toxics',
      '{"type":"latency","name":"bad","attributes":{"latency":"abc"}}',
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(
      /^bad request body: json: cannot unmarshal string into .* of type int64$/,
    );
  });

  test('24: toxics of a missing proxy are 404 proxy not found', async () => {
    expect((await call('POST', '/proxies/missing/toxics', latency)).body).toBe(
      errorBody('proxy not found', 404),
    );
  });

  test('25 and 26: GET one toxic, or 404 toxic not found', async () => {
    expect(JSON.parse((await call('GET', '/proxies/t/toxics/latency_downstream')).body).attributes).toEqual({
      latency: 200,
      jitter: 0,
    });
    expect((await call('GET', '/proxies/t/toxics/nope')).body).toBe(errorBody('toxic not found', 404));
  });

  test('28: POST or PATCH updates attributes and toxicity; type, stream and name are ignored', async () => {
    const path = '/proxies/t/toxics/latency_downstream';
    const posted = JSON.parse((await call('POST', path, '{"attributes":{"latency":300,"jitter":0}}')).body);
    expect(posted.attributes).toEqual({ latency: 300, jitter: 0 });
    const patched = JSON.parse(
      (await call('PATCH', path, '{"toxicity":0.3,"type":"slicer","stream":"upstream","name":"other"}')).body,
    );
    expect(patched).toEqual({
      attributes: { latency: 300, jitter: 0 },
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 0.3,
    });
  });

  test('29: updating a missing toxic is 404 toxic not found', async () => {
    expect((await call('PATCH', '/proxies/t/toxics/nope', '{}')).body).toBe(
      errorBody('toxic not found', 404),
    );
  });

  test('toxics list upstream ones first, and the client reads them', async () => {
    const list = JSON.parse((await call('GET', '/proxies/t/toxics')).body) as { name: string }[];
    expect(list.map((toxic) => toxic.name)).toEqual([
      'latency_UpStream',
      'latency_upstream',
      'latency_downstream',
      'n1',
      'n0',
    ]);
    const toxic = await (await new Toxiproxy(faultProxy.url).get('t')).getToxic('latency_downstream');
    expect(toxic.toxicity).toBe(0.3);
  });

  test('30 and 31: DELETE a toxic is 204, then 404', async () => {
    const first = await call('DELETE', '/proxies/t/toxics/latency_downstream');
    expect(first).toMatchObject({ status: 204, body: '' });
    expect((await call('DELETE', '/proxies/t/toxics/latency_downstream')).body).toBe(
      errorBody('toxic not found', 404),
    );
  });

  test('37: POST /reset removes every toxic and re-enables every proxy', async () => {
    await call('POST', '/proxies/t', '{"enabled":false}');
    expect(await call('POST', '/reset')).toMatchObject({ status: 204, body: '' });
    const proxy = JSON.parse((await call('GET', '/proxies/t')).body);
    expect(proxy).toMatchObject({ enabled: true, toxics: [] });
    expect(JSON.parse((await call('GET', '/proxies/dis')).body).enabled).toBe(true);
  });
});

describe('faultproxy API: populate and delete', () => {
  test('38: /populate creates proxies and keeps an identical existing one', async () => {
    const t = JSON.parse((await call('GET', '/proxies/t')).body);
    const body = JSON.stringify([
      { name: 't', listen: t.listen, upstream },
      { name: 'p2', listen: '127.0.0.1:0', upstream },
    ]);
    const answer = await call('POST', '/populate', body);
    expect(answer).toMatchObject({ status: 201, contentType: 'application/json' });
    const proxies = JSON.parse(answer.body).proxies as { name: string; listen: string }[];
    expect(proxies.map((p) => p.name)).toEqual(['t', 'p2']);
    expect(proxies[0]?.listen).toBe(t.listen);
  });

  test('the client populates too', async () => {
    const proxies = await new Toxiproxy(faultProxy.url).populate([
      { name: 'p3', listen: '127.0.0.1:0', upstream },
    ]);
    expect(proxies['p3']?.enabled).toBe(true);
  });

  test('39 to 42: /populate errors are JSON with proxies null, and [] is {"proxies":null}', async () => {
    const missing = await call('POST', '/populate', JSON.stringify([{ name: 'a', upstream }, { name: 'b' }]));
    expect(missing).toMatchObject({
      status: 400,
      contentType: 'application/json',
      body: '{"error":"missing required field: upstream at proxy 2","status":400,"proxies":null}',
    });
    expect((await call('GET', '/proxies/a')).status).toBe(404);
    const object = JSON.parse((await call('POST', '/populate', '{}')).body);
    expect(object.error).toMatch(/^bad request body: json: cannot unmarshal object into /);
    expect((await call('POST', '/populate', '[{')).body).toBe(
      '{"error":"bad request body: unexpected EOF","status":400,"proxies":null}',
    );
    expect(await call('POST', '/populate', '[]')).toMatchObject({ status: 201, body: '{"proxies":null}' });
  });

  test('43: DELETE a proxy is 204, then 404', async () => {
    expect(await call('DELETE', '/proxies/p2')).toMatchObject({ status: 204, body: '' });
    expect((await call('DELETE', '/proxies/p2')).body).toBe(errorBody('proxy not found', 404));
  });
});
