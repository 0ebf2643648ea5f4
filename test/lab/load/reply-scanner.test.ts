import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { replyBytesMax } from '../../../lab/load/limits.ts';
import {
  classifyReply,
  LineSplitter,
  type LineSink,
  replyBad,
  replyBye,
  replyErr,
  replyOk,
} from '../../../lab/load/reply-scanner.ts';

function collector(): LineSink & { lines: string[]; overlong: number } {
  return {
    lines: [],
    overlong: 0,
    onLine(buffer, start, end) {
      this.lines.push(buffer.toString('latin1', start, end));
    },
    onOverlongLine() {
      this.overlong++;
    },
  };
}

function feed(chunks: readonly string[]): string[] {
  const splitter = new LineSplitter();
  const sink = collector();
  for (const chunk of chunks) splitter.push(Buffer.from(chunk, 'latin1'), sink);
  return sink.lines;
}

describe('lab/load: LineSplitter', () => {
  test('all at once, one byte at a time, and followed by the start of the next line give the same lines', () => {
    const stream = '42\r\n17\ntest-server-1\n';
    expect(feed([stream])).toEqual(['42\r', '17', 'test-server-1']);
    expect(feed([...stream])).toEqual(['42\r', '17', 'test-server-1']);
    expect(feed([`${stream}ER`])).toEqual(['42\r', '17', 'test-server-1']);
  });

  test.prop([
    fc.array(fc.stringMatching(/^[ -~]{0,40}$/), { maxLength: 20 }),
    fc.array(fc.nat(), { maxLength: 10 }),
  ])('any split of a stream of lines yields exactly those lines', (lines, cuts) => {
    const stream = lines.map((line) => `${line}\n`).join('');
    const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
    const chunks = [0, ...points, stream.length]
      .slice(1)
      .map((end, index, ends) => stream.slice(index === 0 ? 0 : ends[index - 1], end));
    expect(feed(chunks)).toEqual(lines);
  });

  test('a line longer than replyBytesMax spread over chunks is reported as overlong', () => {
    const splitter = new LineSplitter();
    const sink = collector();
    splitter.push(Buffer.alloc(replyBytesMax - 1, 0x41), sink);
    splitter.push(Buffer.alloc(10, 0x41), sink);
    expect(sink.overlong).toBe(1);
    expect(sink.lines).toEqual([]);
  });
});

describe('lab/load: classifyReply', () => {
  const classify = (line: string, verbCode: number, check: boolean) =>
    classifyReply(Buffer.from(line, 'latin1'), 0, line.length, verbCode, check);
  const [who, where, why, ping] = [0, 1, 2, 3];

  test('ERR lines are error replies and BYE lines are goodbyes, with or without --check', () => {
    expect(classify('ERR unavailable no quorum', who, false)).toBe(replyErr);
    expect(classify('BYE shutting down', why, true)).toBe(replyBye);
    expect(classify('-ERR unknown command', ping, false)).toBe(replyErr);
  });

  test('with --check, WHY must be 42, WHO an integer, WHERE non-empty, PING +PONG', () => {
    expect(classify('42\r', why, true)).toBe(replyOk);
    expect(classify('41', why, true)).toBe(replyBad);
    expect(classify('1234', who, true)).toBe(replyOk);
    expect(classify('12a', who, true)).toBe(replyBad);
    expect(classify('node-7', where, true)).toBe(replyOk);
    expect(classify('', where, true)).toBe(replyBad);
    expect(classify('+PONG\r', ping, true)).toBe(replyOk);
    expect(classify('+PANG', ping, true)).toBe(replyBad);
  });

  test('without --check, any other line is accepted', () => {
    expect(classify('41', why, false)).toBe(replyOk);
  });
});
