/**
 * Decoding request bodies the way Toxiproxy's Go server does, so that error texts match: Go's
 * `json.Decoder` reads the first JSON value and ignores what follows, says `EOF` for an empty body
 * and `unexpected EOF` for a truncated one, and names the JSON kind and the Go type when a field
 * has the wrong type. Object keys match struct fields case-insensitively, as in Go.
 */
export type Decoded<T> = { ok: true; value: T } | { ok: false; message: string };

const whitespace = new Set([' ', '\t', '\n', '\r']);

/** Where the first JSON value in `text` ends, or the Go error text. */
function firstValueEnd(text: string, start: number): Decoded<number> {
  const first = text[start];
  if (first === '{' || first === '[') {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i += 1) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i += 1;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth += 1;
      else if (ch === '}' || ch === ']') {
        depth -= 1;
        if (depth === 0) return { ok: true, value: i + 1 };
      }
    }
    return { ok: false, message: 'unexpected EOF' };
  }
  if (first === '"') {
    for (let i = start + 1; i < text.length; i += 1) {
      if (text[i] === '\\') i += 1;
      else if (text[i] === '"') return { ok: true, value: i + 1 };
    }
    return { ok: false, message: 'unexpected EOF' };
  }
  let end = start;
  while (end < text.length && /[A-Za-z0-9+\-.]/.test(text[end]!)) end += 1;
  const token = text.slice(start, end);
  const partial = ['true', 'false', 'null'].some((word) => word.startsWith(token) && word !== token);
  const partialNumber = /^-?\d/.test(token) ? /[-.eE+]$/.test(token) : token === '-';
  if (end === text.length && (partial || partialNumber)) return { ok: false, message: 'unexpected EOF' };
  return { ok: true, value: Math.max(end, start + 1) };
}

function syntaxMessage(error: unknown, slice: string): string {
  const text = error instanceof Error ? error.message : '';
  const position = /position (\d+)/.exec(text);
  const token = /token '?(.)/.exec(text);
  const ch = position ? slice[Number(position[1])] : token?.[1];
  return `invalid character '${ch ?? slice[0] ?? ''}' looking for beginning of value`;
}

/** The first JSON value of a body, decoded as Go's `json.NewDecoder(body).Decode` would. */
export function decodeFirstValue(body: string): Decoded<unknown> {
  let start = 0;
  while (start < body.length && whitespace.has(body[start]!)) start += 1;
  if (start === body.length) return { ok: false, message: 'EOF' };
  const end = firstValueEnd(body, start);
  if (!end.ok) return end;
  const slice = body.slice(start, end.value);
  try {
    return { ok: true, value: JSON.parse(slice) as unknown };
  } catch (error) {
    return { ok: false, message: syntaxMessage(error, slice) };
  }
}

/** The JSON kind as Go's `UnmarshalTypeError` names it. */
export function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  return typeof value;
}

export type GoFieldType = 'string' | 'bool' | 'float32' | 'int64' | 'int';

export interface GoField {
  /** The JSON key (Go's `json:"..."` tag). */
  readonly key: string;
  readonly type: GoFieldType;
}

function fits(value: unknown, type: GoFieldType): boolean {
  if (type === 'string') return typeof value === 'string';
  if (type === 'bool') return typeof value === 'boolean';
  if (type === 'float32') return typeof value === 'number';
  return typeof value === 'number' && Number.isInteger(value);
}

/**
 * Picks the declared fields out of a decoded object, like Go decoding into a struct: unknown keys
 * are ignored, `null` leaves a field unset, keys match case-insensitively (an exact match wins),
 * and a value of the wrong kind gives `json: cannot unmarshal <kind> into Go struct field <path>
 * of type <type>`.
 */
export function decodeFields(
  value: unknown,
  fields: readonly GoField[],
  structPath: string,
  goValueType: string,
): Decoded<Record<string, unknown>> {
  if (value === null) return { ok: true, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      message: `json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goValueType}`,
    };
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const result: Record<string, unknown> = {};
  for (const field of fields) {
    const key = keys.includes(field.key)
      ? field.key
      : keys.find((k) => k.toLowerCase() === field.key.toLowerCase());
    if (key === undefined) continue;
    const fieldValue = record[key];
    if (fieldValue === null) continue;
    if (!fits(fieldValue, field.type)) {
      // Go names the number itself when a fraction does not fit an integer field.
      const intField = field.type === 'int64' || field.type === 'int';
      const kind = intField && typeof fieldValue === 'number' ? `number ${fieldValue}` : jsonKind(fieldValue);
      return {
        ok: false,
        message: `json: cannot unmarshal ${kind} into Go struct field ${structPath}.${field.key} of type ${field.type}`,
      };
    }
    result[field.key] = fieldValue;
  }
  return { ok: true, value: result };
}
