/**
 * The protocol as one table (h11's `_state.py`): each verb, what it answers, and what happens to
 * the connection after it. `headcount protocol` prints this table as the protocol document, so
 * the document cannot drift from the code.
 */

export type Verb = 'WHO' | 'WHERE' | 'WHY' | 'HELP' | 'INFO' | 'QUIT';

export interface VerbSpec {
  verb: Verb;
  reply: string;
  /** What the connection does after the reply. */
  after: 'stay-open' | 'close';
}

export const verbTable: readonly VerbSpec[] = Object.freeze([
  {
    verb: 'WHO',
    reply: 'a decimal integer: clients connected across the fleet (or `ERR unavailable <reason>` in mode C)',
    after: 'stay-open',
  },
  { verb: 'WHERE', reply: "this server's globally unique id", after: 'stay-open' },
  { verb: 'WHY', reply: '`42`', after: 'stay-open' },
  {
    verb: 'INFO',
    reply: 'one line of JSON: serverId, mode, localConnections, version, uptimeMs, whoSource, whoAgeMs',
    after: 'stay-open',
  },
  { verb: 'HELP', reply: '`COMMANDS WHO WHERE WHY INFO HELP QUIT`', after: 'stay-open' },
  { verb: 'QUIT', reply: '`BYE`', after: 'close' },
] satisfies VerbSpec[]);

const verbs: ReadonlyMap<string, Verb> = new Map(verbTable.map((spec) => [spec.verb, spec.verb]));

/**
 * Each verb as lower-case ASCII bytes, for `verbOfBytes`: a line read off the wire is matched
 * from its bytes, without making a string, an upper-case copy and a map lookup (the hot path: a
 * pipelined WHY). `byte | 0x20` lower-cases a letter and turns no other byte into one.
 */
const verbBytes = verbTable.map((spec) => ({
  verb: spec.verb,
  lower: Uint8Array.from(new TextEncoder().encode(spec.verb), (byte) => byte | 0x20),
}));

export const helpReply = `COMMANDS ${verbTable.map((spec) => spec.verb).join(' ')}`;
export const whyReply = '42';
export const byeReply = 'BYE';

/** Unknown words are echoed back cut to this many characters, so a reply stays short. */
export const unknownWordCharsMax = 32;

/** The verb a trimmed line names, or undefined. Verbs are case-insensitive; arguments are not allowed. */
export function parseVerb(line: string): Verb | undefined {
  return verbs.get(line.length <= 5 ? line.toUpperCase() : '');
}

/** `parseVerb` of the line held in bytes [start, end) of printable ASCII, without making a string. */
export function verbOfBytes(bytes: Uint8Array, start: number, end: number): Verb | undefined {
  for (let index = 0; index < verbBytes.length; index += 1) {
    const entry = verbBytes[index]!;
    if (sameLetters(entry.lower, bytes, start, end)) return entry.verb;
  }
  return undefined;
}

function sameLetters(lower: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (lower.length !== end - start) return false;
  for (let index = 0; index < lower.length; index += 1) {
    if ((bytes[start + index]! | 0x20) !== lower[index]) return false;
  }
  return true;
}

/** `ERR unknown command <first word>`, the word cut and made printable. */
export function unknownCommandReply(line: string): string {
  const firstWord = line.split(/[ \t]/, 1)[0] ?? '';
  const cut = firstWord.slice(0, unknownWordCharsMax).replace(/[^\x20-\x7e]/g, '?');
  return `ERR unknown command ${cut}`;
}

export const errors = Object.freeze({
  lineTooLong: 'ERR line too long',
  invalidBytes: 'ERR invalid bytes',
  serverFull: 'ERR server full',
  unavailable: 'ERR unavailable',
});

export const closeReplies = Object.freeze({
  idle: 'BYE idle',
  maxAge: 'BYE max age',
  draining: 'BYE shutting down',
  leaseLost: 'BYE lease lost',
});

/** The protocol document, generated from the table. */
export function protocolMarkdown(): string {
  const rows = verbTable.map((spec) => `| \`${spec.verb}\` | ${spec.reply} | ${spec.after} |`);
  return [
    '# The headcount line protocol',
    '',
    'Clients send ASCII lines ending in `\\n` (a `\\r` before it is dropped). Verbs are case-insensitive;',
    'spaces and tabs around them are trimmed; empty lines are ignored. Replies are single lines ending',
    'in `\\n`, in request order, never interleaved.',
    '',
    '| verb | reply | then |',
    '|---|---|---|',
    ...rows,
    '',
    '| condition | reply | then |',
    '|---|---|---|',
    '| any other line | `ERR unknown command <first word>` (cut to 32 characters, non-printable bytes as `?`) | stay-open |',
    '| a byte outside printable ASCII and tab | `ERR invalid bytes` | stay-open |',
    '| a line longer than `--max-line-bytes` (as soon as the partial line is too long) | `ERR line too long` | close |',
    '| the server is at `--max-connections` | `ERR server full` | close |',
    '| idle for `--idle-timeout-ms` | `BYE idle` | close |',
    '| older than `--max-connection-age-ms` (after pending replies) | `BYE max age` | close |',
    '| the server drains on SIGTERM after `--drain-ms` | `BYE shutting down` | close |',
    '| mode C: the server holds no lease with any discovery instance (it held a lease and was cut off for longer than it; before its first lease its client port is closed); owed WHOs get `ERR unavailable lease lost`; new clients get this line at once | `BYE lease lost` | close |',
    '',
  ].join('\n');
}
