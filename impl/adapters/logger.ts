/**
 * JSON-line logs on stdout (pino). Secrets never reach a log line: any field whose name looks
 * like a secret is redacted, and URLs are logged through `redactUrl`.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

const redactedPaths = [
  'token',
  'password',
  'secret',
  '*.token',
  '*.password',
  '*.secret',
  'headers.authorization',
];

export function createLogger(level: LogLevel, name = 'headcount'): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  });
}

/** `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):([^@]*)@/, '//$1:***@');
  }
}
