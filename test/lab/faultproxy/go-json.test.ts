/**
 * Go-compatible body decoding: the error texts Toxiproxy clients see for empty, truncated and
 * mistyped bodies, and that any JSON value decodes to itself whatever follows it.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { decodeFields, decodeFirstValue } from '../../../lab/faultproxy/go-json.ts';

describe('faultproxy go-json: decodeFirstValue', () => {
  test('an empty or blank body is EOF', () => {
    expect(decodeFirstValue('')).toEqual({ ok: false, message: 'EOF' });
    expect(decodeFirstValue(' \n\t')).toEqual({ ok: false, message: 'EOF' });
  });

  test('a truncated object, array, string or literal is unexpected EOF', () => {
    for (const body of ['{"name":"x"', '[{', '"abc', '{"a":[1,2', 'tru', '{"enabled":']) {
      expect(decodeFirstValue(body)).toEqual({ ok: false, message: 'unexpected EOF' });
    }
  });

  test('garbage is an invalid character', () => {
    const decoded = decodeFirstValue('xyz');
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.message).toMatch(/^invalid character 'x'/);
  });

  test('only the first value counts, as with a Go json.Decoder', () => {
    expect(decodeFirstValue('{"a":1} trailing')).toEqual({ ok: true, value: { a: 1 } });
  });

  propertyTest.prop([fc.jsonValue(), fc.constantFrom('', ' ', '\n{"next":1}')])(
    'any JSON value decodes to itself, whatever follows it',
    (value, suffix) => {
      const decoded = decodeFirstValue(JSON.stringify(value) + suffix);
      expect(decoded).toEqual({ ok: true, value: JSON.parse(JSON.stringify(value)) });
    },
  );

  propertyTest.prop([fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 })])(
    'every strict prefix of a JSON object is unexpected EOF',
    (record) => {
      const text = JSON.stringify(record);
      const cut = Math.max(1, Math.floor(text.length / 2));
      expect(decodeFirstValue(text.slice(0, cut))).toEqual({ ok: false, message: 'unexpected EOF' });
    },
  );
});

describe('faultproxy go-json: decodeFields', () => {
  const fields = [
    { key: 'name', type: 'string' },
    { key: 'latency', type: 'int64' },
  ] as const;

  test('keys match case-insensitively, unknown keys and nulls are ignored', () => {
    expect(decodeFields({ NAME: 'a', other: 1, latency: null }, fields, 'S', 's.S')).toEqual({
      ok: true,
      value: { name: 'a' },
    });
  });

  test('a wrong kind names the JSON kind, the Go field path and the Go type', () => {
    expect(decodeFields({ latency: 'abc' }, fields, '.attributes', 'x')).toEqual({
      ok: false,
      message: 'json: cannot unmarshal string into Go struct field .attributes.latency of type int64',
    });
    expect(decodeFields({ latency: 1.5 }, fields, '.attributes', 'x')).toEqual({
      ok: false,
      message: 'json: cannot unmarshal number 1.5 into Go struct field .attributes.latency of type int64',
    });
  });

  test('a non-object names the Go value type', () => {
    expect(decodeFields([1], fields, 'Proxy', 'toxiproxy.Proxy')).toEqual({
      ok: false,
      message: 'json: cannot unmarshal array into Go value of type toxiproxy.Proxy',
    });
  });
});
