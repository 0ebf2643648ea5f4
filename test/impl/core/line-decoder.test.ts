/**
 * The decoder is fed every input three ways (STYLE §10, h11's `tr`): all at once, one byte at a
 * time, and followed by the start of the next line. Properties then check the same over
 * arbitrary bytes and chunkings.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { LineDecoder } from '../../../impl/core/line-decoder.ts';

type Item = string | { invalid: true } | { tooLong: true };

function decode(chunks: Uint8Array[], lineBytesMax = 1024): Item[] {
  const decoder = new LineDecoder(lineBytesMax);
  const items: Item[] = [];
  const visitor = {
    line: (text: string) => items.push(text) > 0,
    invalid: () => items.push({ invalid: true }) > 0,
  };
  for (const chunk of chunks) {
    if (decoder.push(chunk, visitor) === 'too-long') {
      items.push({ tooLong: true });
      break;
    }
  }
  return items;
}

const bytes = (text: string) => Buffer.from(text, 'latin1');
const byteByByte = (text: string) => [...bytes(text)].map((byte) => Uint8Array.of(byte));

function threeWays(text: string, lineBytesMax = 1024): Item[][] {
  return [
    decode([bytes(text)], lineBytesMax),
    decode(byteByByte(text), lineBytesMax),
    decode([bytes(`${text}WH`)], lineBytesMax),
  ];
}

describe('line decoder', () => {
  test.each([
    ['WHO\n', ['WHO']],
    ['WHO\r\n', ['WHO']],
    ['  who \t\n', ['who']],
    ['\n\r\n  \t \n', []],
    ['WHY\nWHERE\n', ['WHY', 'WHERE']],
    ['WHO\rX\n', [{ invalid: true }]],
    ['A\u0000B\nWHY\n', [{ invalid: true }, 'WHY']],
    ['caf\u00e9\n', [{ invalid: true }]],
    ['a\tb\n', ['a\tb']],
  ])('%j decodes to %j however it is chunked', (input, expected) => {
    for (const items of threeWays(input)) expect(items).toEqual(expected);
  });

  test('a line longer than lineBytesMax is reported once the partial line is too long, before any newline', () => {
    const decoder = new LineDecoder(8);
    const visitor = { line: () => true, invalid: () => true };
    expect(decoder.push(bytes('123456789'), visitor)).toBe('too-long');
  });

  test('a line of exactly lineBytesMax bytes followed by \\r\\n is accepted', () => {
    for (const items of threeWays('12345678\r\n', 8)) expect(items).toEqual(['12345678']);
  });

  test('lines before an overlong line in the same chunk are still reported', () => {
    expect(decode([bytes('WHY\n0123456789\nWHO\n')], 8)).toEqual(['WHY', { tooLong: true }]);
  });

  test('after a too-long line every further chunk is ignored', () => {
    const decoder = new LineDecoder(4);
    const lines: string[] = [];
    const visitor = { line: (text: string) => lines.push(text) > 0, invalid: () => true };
    decoder.push(bytes('xxxxxx'), visitor);
    expect(decoder.push(bytes('WHY\n'), visitor)).toBe('too-long');
    expect(lines).toEqual([]);
  });

  test('the partial line held between chunks never exceeds lineBytesMax + 1', () => {
    const decoder = new LineDecoder(16);
    const visitor = { line: () => true, invalid: () => true };
    for (let index = 0; index < 16; index += 1) decoder.push(bytes('a'), visitor);
    decoder.push(bytes('\r'), visitor);
    expect(decoder.partialBytes).toBe(17);
    expect(decoder.push(bytes('a'), visitor)).toBe('too-long');
    expect(decoder.partialBytes).toBe(0);
  });
});

const chunkings = (data: Uint8Array) =>
  fc.array(fc.integer({ min: 0, max: data.length }), { maxLength: 12 }).map((cuts) => {
    const points = [...new Set([0, ...cuts, data.length])].sort((a, b) => a - b);
    return points.slice(1).map((end, index) => data.subarray(points[index]!, end));
  });

describe('line decoder: pausing', () => {
  test('a visitor that returns false stops decoding after that line and resume carries on in order', () => {
    const decoder = new LineDecoder(64);
    const lines: string[] = [];
    let room = 2;
    const visitor = {
      line: (text: string) => {
        lines.push(text);
        room -= 1;
        return room > 0;
      },
      invalid: () => true,
    };
    expect(decoder.push(bytes('A\nB\nC\nD'), visitor)).toBe('paused');
    expect(lines).toEqual(['A', 'B']);
    expect(decoder.backlogBytes).toBe(3);
    expect(decoder.push(bytes('\nE\n'), visitor)).toBe('paused');
    room = 10;
    expect(decoder.resume(visitor)).toBe('ok');
    expect(lines).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(decoder.backlogBytes).toBe(0);
  });
});

describe('line decoder properties', () => {
  propertyTest.prop([
    fc.uint8Array({ maxLength: 300 }).chain((data) => fc.tuple(fc.constant(data), chunkings(data))),
  ])(
    'any bytes split into any chunks decode to the same items as unsplit, and never throw',
    ([data, chunks]) => {
      expect(decode(chunks, 40)).toEqual(decode([data], 40));
    },
  );

  propertyTest.prop([fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 200 })])(
    'a line of more than lineBytesMax printable bytes always gives the too-long error',
    (lineBytesMax, extra) => {
      const line = 'x'.repeat(lineBytesMax + extra);
      for (const items of [
        decode([bytes(`${line}\n`)], lineBytesMax),
        decode(byteByByte(line), lineBytesMax),
      ]) {
        expect(items.at(-1)).toEqual({ tooLong: true });
      }
    },
  );
});
