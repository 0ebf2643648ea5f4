/**
 * The stable id's file: created once, written atomically (temporary file, fsync, rename, fsync
 * of the directory), reused on every start. A file that exists but does not hold a valid id is
 * corrupt: we say so and never overwrite it, because a silently new id would double-count this
 * server in mode A until the old entry expires.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Result } from '../core/result.ts';
import { err, ok } from '../core/result.ts';
import { isValidStableId } from '../core/ids/server-id.ts';

export type IdFileError =
  | { code: 'HC_ID_FILE_CORRUPT'; definite: true; path: string; message: string }
  | { code: 'HC_ID_FILE_UNREADABLE'; definite: true; path: string; message: string }
  | { code: 'HC_ID_FILE_UNWRITABLE'; definite: true; path: string; message: string };

/** An id file holds one id and a newline; anything larger is not ours. */
const idFileBytesMax = 128;

export function loadOrCreateStableId(
  path: string,
  create: () => string,
): Result<{ id: string; created: boolean }, IdFileError> {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > idFileBytesMax)
      return err(corrupt(path, `it is ${bytes.length} bytes; an id file is at most ${idFileBytesMax}`));
    text = bytes.toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      return err({
        code: 'HC_ID_FILE_UNREADABLE',
        definite: true,
        path,
        message: `cannot read id file ${path}: ${code}`,
      });
    }
    return writeNew(path, create());
  }
  const id = text.trim();
  if (!isValidStableId(id)) return err(corrupt(path, 'it does not hold a valid UUID'));
  return ok({ id, created: false });
}

function corrupt(path: string, why: string): IdFileError {
  return {
    code: 'HC_ID_FILE_CORRUPT',
    definite: true,
    path,
    message: `id file ${path} is corrupt: ${why}. It was left untouched; restore it, or delete it to take a new id (this server will then count as a new one until its old entry expires).`,
  };
}

function writeNew(path: string, id: string): Result<{ id: string; created: boolean }, IdFileError> {
  const temporary = join(dirname(path), `.${process.pid}.${Date.now()}.id.tmp`);
  try {
    const fd = openSync(temporary, 'wx', 0o644);
    try {
      writeSync(fd, `${id}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    syncDirectory(dirname(path));
    return ok({ id, created: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return err({
      code: 'HC_ID_FILE_UNWRITABLE',
      definite: true,
      path,
      message: `cannot write id file ${path}: ${code}`,
    });
  }
}

function syncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}
