/**
 * Request ids in the shape Toxiproxy's `hlog.RequestIDHandler` uses (an xid): 12 bytes (seconds,
 * a per-process machine id, the pid, a counter) as 20 characters of lowercase base32hex. Ids are
 * for correlating logs only; they come from outside the seeded streams so they never shift a draw.
 */
import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghijklmnopqrstuv';
const machineId = randomBytes(3);
let counter = randomBytes(3).readUIntBE(0, 3);

export function encodeBase32Hex(bytes: Uint8Array): string {
  let text = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) text += alphabet[(buffer << (5 - bits)) & 31];
  return text;
}

export function nextRequestId(nowMs: number): string {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.floor(nowMs / 1000) >>> 0, 0);
  machineId.copy(bytes, 4);
  bytes.writeUInt16BE(process.pid & 0xffff, 7);
  counter = (counter + 1) & 0xffffff;
  bytes.writeUIntBE(counter, 9, 3);
  return encodeBase32Hex(bytes);
}
