import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { helpReply, protocolMarkdown, unknownCommandReply } from '../../../impl/core/protocol.ts';

test('docs/PROTOCOL.md is the document generated from the verb table (run `npx headcount protocol > docs/PROTOCOL.md`)', () => {
  expect(readFileSync('docs/PROTOCOL.md', 'utf8')).toBe(protocolMarkdown());
});

test('HELP lists the commands in the documented order', () => {
  expect(helpReply).toBe('COMMANDS WHO WHERE WHY INFO HELP QUIT');
});

test('an unknown word is cut to 32 characters and its non-printable characters become ?', () => {
  expect(unknownCommandReply(`${'é'.repeat(40)} x`)).toBe(`ERR unknown command ${'?'.repeat(32)}`);
});
