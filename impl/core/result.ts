/**
 * Operating errors are values, not exceptions (STYLE §7). Every error carries a stable `code`
 * and says whether the operation definitely did not happen (`definite: true`) or may have
 * happened anyway (a timed-out write may still have landed).
 */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
