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

describe('line decoder: edges', () => {
  test.each([
    ['~ and space are the printable ends', ' !~\n', ['!~']],
    ['DEL (0x7f) is not printable', 'a\u007fb\n', [{ invalid: true }]],
    ['0x1f just below space is not printable', 'a\u001fb\n', [{ invalid: true }]],
    ['a line of only \\r is blank', '\r\n', []],
    ['a long line (over 16 bytes) decodes as well as a short one', `${'x'.repeat(40)}\n`, ['x'.repeat(40)]],
  ])('%s', (_what, input, expected) => {
    for (const items of threeWays(input)) expect(items).toEqual(expected);
  });

  test('a lineBytesMax that is not a positive whole number is a programmer error', () => {
    expect(() => new LineDecoder(0)).toThrow();
    expect(() => new LineDecoder(1.5)).toThrow();
  });

  test('a line of exactly lineBytesMax bytes is accepted and one byte more is too long, however chunked', () => {
    for (const items of threeWays('abcd\n', 4)) expect(items).toEqual(['abcd']);
    for (const items of threeWays('abcde\n', 4)) expect(items[0]).toEqual({ tooLong: true });
    expect(decode([bytes('abcd\r')], 4)).toEqual([]);
    expect(decode([bytes('abcde\r')], 4)).toEqual([{ tooLong: true }]);
  });

  test('a partial line is counted and reported as held bytes until its newline', () => {
    const decoder = new LineDecoder(16);
    const visitor = { line: () => true, invalid: () => true };
    expect(decoder.push(bytes('WH'), visitor)).toBe('ok');
    expect(decoder.push(bytes('O'), visitor)).toBe('ok');
    expect(decoder.partialBytes).toBe(3);
    expect(decoder.push(bytes('\n'), visitor)).toBe('ok');
    expect(decoder.partialBytes).toBe(0);
    expect(decoder.failed).toBe(false);
  });

  test('a failed decoder stays failed: push and resume both say too-long and hold nothing', () => {
    const decoder = new LineDecoder(4);
    const visitor = { line: () => true, invalid: () => true };
    expect(decoder.push(bytes('abcdefg'), visitor)).toBe('too-long');
    expect(decoder.failed).toBe(true);
    expect(decoder.partialBytes).toBe(0);
    expect(decoder.resume(visitor)).toBe('too-long');
    expect(decoder.push(bytes('WHO\n'), visitor)).toBe('too-long');
  });

  test('a paused decoder keeps later chunks in order behind the backlog and resume decodes them all', () => {
    const decoder = new LineDecoder(16);
    const lines: string[] = [];
    let room = 1;
    const visitor = {
      line: (text: string) => {
        lines.push(text);
        room -= 1;
        return room > 0;
      },
      invalid: () => true,
    };
    expect(decoder.push(bytes('A\nB\n'), visitor)).toBe('paused');
    expect(decoder.backlogBytes).toBe(2);
    expect(decoder.push(bytes('C\n'), visitor)).toBe('paused');
    expect(decoder.backlogBytes).toBe(4);
    room = 10;
    expect(decoder.resume(visitor)).toBe('ok');
    expect(lines).toEqual(['A', 'B', 'C']);
    expect(decoder.backlogBytes).toBe(0);
    expect(decoder.resume(visitor)).toBe('ok');
  });

  test('an invalid line that leaves no room pauses decoding like a valid one', () => {
    const decoder = new LineDecoder(16);
    const items: string[] = [];
    const visitor = {
      line: (text: string) => items.push(text) > 0,
      invalid: () => items.push('invalid') < 0,
    };
    expect(decoder.push(bytes('\u0001\nWHY\n'), visitor)).toBe('paused');
    expect(items).toEqual(['invalid']);
    expect(decoder.resume(visitor)).toBe('ok');
    expect(items).toEqual(['invalid', 'WHY']);
  });

  test('a pause on the last line of a chunk leaves no backlog', () => {
    const decoder = new LineDecoder(16);
    expect(decoder.push(bytes('WHY\n'), { line: () => false, invalid: () => true })).toBe('ok');
    expect(decoder.backlogBytes).toBe(0);
  });
});

describe('line decoder: visitors with a verb method', () => {
  test('a line naming a verb reaches verb() read from its bytes; every other line reaches line() as text', () => {
    const decoder = new LineDecoder(1024);
    const seen: string[] = [];
    const visitor = {
      line: (text: string) => seen.push(`line ${text}`) > 0,
      verb: (verb: string) => seen.push(`verb ${verb}`) > 0,
      invalid: () => seen.push('invalid') > 0,
    };
    decoder.push(bytes(' why\t\r\nWHYY\nwh\u0000\nwhe'), visitor);
    decoder.push(bytes('re\nQUIT now\n'), visitor);
    expect(seen).toEqual(['verb WHY', 'line WHYY', 'invalid', 'verb WHERE', 'line QUIT now']);
  });

  test('verb() returning false pauses decoding like line() does', () => {
    const decoder = new LineDecoder(1024);
    const seen: string[] = [];
    const visitor = { line: () => true, verb: (verb: string) => seen.push(verb) < 0, invalid: () => true };
    expect(decoder.push(bytes('WHY\nHELP\n'), visitor)).toBe('paused');
    expect(seen).toEqual(['WHY']);
    expect(decoder.resume(visitor)).toBe('ok'); // the pause came at the end of the input
    expect(seen).toEqual(['WHY', 'HELP']);
  });
});
