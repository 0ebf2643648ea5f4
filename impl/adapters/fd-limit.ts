/**
 * The process's soft file-descriptor limit (`ulimit -n`), read once at start. At the limit a
 * naive server crashes (accept and even `process.memoryUsage()` fail with EMFILE), so the TCP
 * adapter caps clients below it, keeping `fdReserve` descriptors for Redis, HTTP, logs and /proc.
 */
import { readFileSync } from 'node:fs';

/** Descriptors kept free for everything that is not a client. */
export const fdReserve = 64;

export function softFdLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (match === null || match[1] === 'unlimited') return undefined;
    return Number(match[1]);
  } catch {
    return undefined;
  }
}

/** How many clients fit under the descriptor limit, or Infinity when it is unknown. */
export function clientsWithinFdLimit(): number {
  const limit = softFdLimit();
  return limit === undefined ? Number.POSITIVE_INFINITY : Math.max(1, limit - fdReserve);
}
