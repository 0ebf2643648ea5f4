/**
 * Parsing toxic bodies. This is the one place where the wire attribute names (`latency`,
 * `jitter`, `rate`, `delay`, `timeout`...) become our unit-named fields (`latencyMs`, `jitterMs`,
 * `rateKBps`, `delayUs`, `timeoutMs`...), using each toxic's `attributes` table. The checks run
 * in Toxiproxy's order, which decides which error a body with several faults gets: body, stream,
 * type, duplicate name, then attributes.
 */
import { apiErrors, fail, type Result } from './api-error.ts';
import { decodeFields, decodeFirstValue, type GoField } from './go-json.ts';
import type { Direction } from './toxic-entry.ts';
import type { ToxicKind } from './toxic.ts';
import { toxicKinds } from './toxics/registry.ts';

export interface ToxicSpec {
  readonly name: string;
  readonly type: string;
  readonly stream: string;
  readonly direction: Direction;
  readonly toxicity: number;
  readonly kind: ToxicKind;
  readonly attrs: Readonly<Record<string, number>>;
}

const wrapperFields: readonly GoField[] = [
  { key: 'name', type: 'string' },
  { key: 'type', type: 'string' },
  { key: 'stream', type: 'string' },
  { key: 'toxicity', type: 'float32' },
];

/** `upstream` or `downstream` in any case, as Toxiproxy's `ParseDirection` accepts. */
export function parseDirection(stream: string): Direction | undefined {
  const lower = stream.toLowerCase();
  return lower === 'upstream' || lower === 'downstream' ? lower : undefined;
}

function attributesOf(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === 'attributes');
  return key === undefined ? undefined : record[key];
}

/** Decodes wire attributes over `base` (unit-named), converting names once, here. */
export function decodeAttributes(
  kind: ToxicKind,
  raw: unknown,
  base: Readonly<Record<string, number>>,
): Result<Record<string, number>> {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    const kindName = Array.isArray(raw) ? 'array' : typeof raw === 'boolean' ? 'bool' : typeof raw;
    return fail(
      apiErrors.badRequestBody(
        `json: cannot unmarshal ${kindName} into Go struct field .attributes of type *toxics.${kind.type}`,
      ),
    );
  }
  const goFields = kind.attributes.map((spec) => ({ key: spec.wire, type: spec.goType }));
  const fields = decodeFields(raw ?? null, goFields, '.attributes', kind.type);
  if (!fields.ok) return fail(apiErrors.badRequestBody(fields.message));
  const attrs: Record<string, number> = {};
  for (const spec of kind.attributes) {
    const value = fields.value[spec.wire];
    attrs[spec.field] = typeof value === 'number' ? value : (base[spec.field] ?? 0);
    const given = attrs[spec.field]!;
    if (!Number.isSafeInteger(given) || given < 0 || given > spec.max)
      return fail(
        apiErrors.outOfRange(
          `attribute ${spec.wire} of a ${kind.type} toxic is ${given}; it must be 0..${spec.max}`,
        ),
      );
  }
  return { ok: true, value: attrs };
}

export function parseToxicCreate(body: string, nameTaken: (name: string) => boolean): Result<ToxicSpec> {
  const decoded = decodeFirstValue(body);
  if (!decoded.ok) return fail(apiErrors.badRequestBody(decoded.message));
  const fields = decodeFields(decoded.value, wrapperFields, 'ToxicWrapper', 'toxics.ToxicWrapper');
  if (!fields.ok) return fail(apiErrors.badRequestBody(fields.message));
  const stream = (fields.value['stream'] as string | undefined) ?? 'downstream';
  const direction = parseDirection(stream);
  if (direction === undefined) return fail(apiErrors.invalidStream);
  const type = (fields.value['type'] as string | undefined) ?? '';
  const name = (fields.value['name'] as string | undefined) || `${type}_${stream}`;
  const kind = toxicKinds.get(type);
  if (kind === undefined) return fail(apiErrors.invalidToxicType);
  if (nameTaken(name)) return fail(apiErrors.toxicExists);
  const attrs = decodeAttributes(kind, attributesOf(decoded.value), {});
  if (!attrs.ok) return attrs;
  const toxicity = (fields.value['toxicity'] as number | undefined) ?? 1;
  if (!validToxicity(toxicity)) return fail(toxicityError(toxicity));
  return { ok: true, value: { name, type, stream, direction, toxicity, kind, attrs: attrs.value } };
}

export interface ToxicUpdate {
  readonly toxicity: number;
  readonly attrs: Readonly<Record<string, number>>;
}

/** Only attributes and toxicity change; missing ones keep their values; name, type, stream are ignored. */
export function parseToxicUpdate(
  body: string,
  current: { kind: ToxicKind; toxicity: number; attrs: Readonly<Record<string, number>> },
): Result<ToxicUpdate> {
  const decoded = decodeFirstValue(body);
  if (!decoded.ok) return fail(apiErrors.badRequestBody(decoded.message));
  const fields = decodeFields(decoded.value, [{ key: 'toxicity', type: 'float32' }], '', 'struct');
  if (!fields.ok) return fail(apiErrors.badRequestBody(fields.message));
  const attrs = decodeAttributes(current.kind, attributesOf(decoded.value), current.attrs);
  if (!attrs.ok) return attrs;
  const toxicity = (fields.value['toxicity'] as number | undefined) ?? current.toxicity;
  if (!validToxicity(toxicity)) return fail(toxicityError(toxicity));
  return { ok: true, value: { toxicity, attrs: attrs.value } };
}

/**
 * A probability: Toxiproxy stores 1.5 as given (it acts as 1), so values above 1 stay accepted
 * for compatibility; a negative one is refused.
 */
function validToxicity(toxicity: number): boolean {
  return Number.isFinite(toxicity) && toxicity >= 0;
}

function toxicityError(toxicity: number) {
  return apiErrors.outOfRange(`toxicity is ${toxicity}; it must be a probability, 0 or more (1 = always)`);
}
