import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import {
  closeReplies,
  errors,
  helpReply,
  parseVerb,
  protocolMarkdown,
  unknownCommandReply,
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
