import { readFileSync } from 'node:fs';
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  closeReplies,
  errors,
  helpReply,
  parseVerb,
  protocolMarkdown,
  unknownCommandReply,
  verbOfBytes,
  verbTable,
} from '../../../impl/core/protocol.ts';

test('docs/PROTOCOL.md is the document generated from the verb table (run `npx headcount protocol > docs/PROTOCOL.md`)', () => {
  expect(readFileSync('docs/PROTOCOL.md', 'utf8')).toBe(protocolMarkdown());
});

test('HELP lists the commands in the documented order', () => {
  expect(helpReply).toBe('COMMANDS WHO WHERE WHY INFO HELP QUIT');
});

test('an unknown word is cut to 32 characters and its non-printable characters become ?', () => {
  expect(unknownCommandReply(`${'é'.repeat(40)} x`)).toBe(`ERR unknown command ${'?'.repeat(32)}`);
});

test('every error and close line the server sends is the one the protocol document names', () => {
  const doc = protocolMarkdown();
  for (const line of [...Object.values(errors), ...Object.values(closeReplies)]) {
    expect(doc).toContain(`\`${line}`);
  }
  expect(errors).toEqual({
    lineTooLong: 'ERR line too long',
    invalidBytes: 'ERR invalid bytes',
    serverFull: 'ERR server full',
    unavailable: 'ERR unavailable',
  });
  expect(closeReplies).toEqual({
    idle: 'BYE idle',
    maxAge: 'BYE max age',
    draining: 'BYE shutting down',
    leaseLost: 'BYE lease lost',
  });
});

test('a verb is recognised whatever its case, up to the five letters of WHERE, and nothing longer is', () => {
  expect(parseVerb('where')).toBe('WHERE');
  expect(parseVerb('Quit')).toBe('QUIT');
  expect(parseVerb('WHEREX')).toBeUndefined();
  expect(parseVerb('')).toBeUndefined();
});

test('an unknown command echoes only its first word, split at a space or a tab', () => {
  expect(unknownCommandReply('FOO\tbar')).toBe('ERR unknown command FOO');
  expect(unknownCommandReply('FOO bar')).toBe('ERR unknown command FOO');
});

test('the printable range kept in an echoed word is space to ~', () => {
  expect(unknownCommandReply('a~!\u007f\u001fz')).toBe('ERR unknown command a~!??z');
});

describe('verbs read from bytes', () => {
  /** The rule as it was first written: ASCII, at most five characters, upper-cased, looked up. */
  function referenceVerb(text: string): string | undefined {
    const names = verbTable.map((spec) => spec.verb as string);
    if (text.length > 5 || !/^[\x20-\x7e\t]*$/.test(text)) return undefined;
    return names.find((name) => name === text.toUpperCase());
  }
  const caseOf = (text: string, upper: boolean[]) =>
    [...text].map((char, index) => (upper[index] ? char.toUpperCase() : char.toLowerCase())).join('');
  const printable = fc.string({
    unit: fc.integer({ min: 0x09, max: 0x7e }).map((code) => String.fromCharCode(code)),
  });
  const nearVerbs = fc
    .tuple(
      fc.constantFrom(
        ...verbTable.map((spec) => spec.verb),
        'WH',
        'WHYY',
        'QUITS',
        'WHERE',
        '@HY',
        'WH[',
        'WH{',
      ),
      fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    )
    .map(([text, upper]) => caseOf(text, upper));

  propertyTest.prop([fc.oneof(printable, nearVerbs), printable, printable])(
    'verbOfBytes over any slice of bytes names the verb parseVerb and the original rule name for its text',
    (text, before, after) => {
      const bytes = Buffer.from(`${before}${text}${after}`, 'latin1');
      const verb = verbOfBytes(bytes, before.length, before.length + text.length);
      expect(verb).toBe(parseVerb(text));
      expect(verb).toBe(referenceVerb(text));
    },
  );

  test('a letter is folded only from its own two cases: [ { @ ` and non-ASCII characters name no verb', () => {
    expect(parseVerb('wh{')).toBeUndefined();
    expect(parseVerb('WH[')).toBeUndefined();
    expect(parseVerb('`HY')).toBeUndefined();
    expect(verbOfBytes(Buffer.from('qu\u0131t', 'latin1'), 0, 4)).toBeUndefined(); // not ASCII: no letter
    expect(verbOfBytes(Buffer.from('@WHY'), 0, 4)).toBeUndefined();
    expect(verbOfBytes(Buffer.from('WHY@'), 0, 4)).toBeUndefined();
    expect(verbOfBytes(Buffer.from('wHeRe'), 0, 5)).toBe('WHERE');
    expect(verbOfBytes(Buffer.from('xWHYx'), 1, 4)).toBe('WHY');
    expect(verbOfBytes(Buffer.from('WHERE!'), 0, 6)).toBeUndefined();
  });
});
