/**
 * Parsing the proxy bodies of `POST /proxies`, `POST|PATCH /proxies/{name}` and `/populate` into
 * plain values, with Toxiproxy's defaults and error texts. Addresses stay strings here; the
 * proxy resolves them when it listens or dials.
 */
import { apiErrors, fail, type Result } from './api-error.ts';
import { decodeFields, decodeFirstValue, type GoField } from './go-json.ts';

export interface ProxySpec {
  readonly name: string;
  /** `host:port` to listen on; empty means every interface, a free port. */
  readonly listen: string;
  /** `host:port` to connect to for each client. */
  readonly upstream: string;
  readonly enabled: boolean;
}

const proxyFields: readonly GoField[] = [
  { key: 'name', type: 'string' },
  { key: 'listen', type: 'string' },
  { key: 'upstream', type: 'string' },
  { key: 'enabled', type: 'bool' },
];

const populateElementType = 'struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }';

function merge(defaults: ProxySpec, fields: Record<string, unknown>): ProxySpec {
  return { ...defaults, ...fields } as ProxySpec;
}

function required(spec: ProxySpec, suffix: string): Result<ProxySpec> {
  if (spec.name.length === 0) return fail(apiErrors.missingField(`name${suffix}`));
  if (spec.upstream.length === 0) return fail(apiErrors.missingField(`upstream${suffix}`));
  return { ok: true, value: spec };
}

const empty: ProxySpec = { name: '', listen: '', upstream: '', enabled: true };

export function parseProxyCreate(body: string): Result<ProxySpec> {
  const decoded = decodeFirstValue(body);
  if (!decoded.ok) return fail(apiErrors.badRequestBody(decoded.message));
  const fields = decodeFields(decoded.value, proxyFields, 'Proxy', 'toxiproxy.Proxy');
  if (!fields.ok) return fail(apiErrors.badRequestBody(fields.message));
  return required(merge(empty, fields.value), '');
}

/** An update starts from the proxy as it is; `name` in the body is ignored. */
export function parseProxyUpdate(body: string, current: ProxySpec): Result<ProxySpec> {
  const decoded = decodeFirstValue(body);
  if (!decoded.ok) return fail(apiErrors.badRequestBody(decoded.message));
  const fields = decodeFields(decoded.value, proxyFields, 'Proxy', 'toxiproxy.Proxy');
  if (!fields.ok) return fail(apiErrors.badRequestBody(fields.message));
  return { ok: true, value: { ...merge(current, fields.value), name: current.name } };
}

/** Every entry is checked before any proxy is touched, as Toxiproxy does. */
export function parsePopulate(body: string): Result<ProxySpec[]> {
  const decoded = decodeFirstValue(body);
  if (!decoded.ok) return fail(apiErrors.badRequestBody(decoded.message));
  const list = decoded.value === null ? [] : decoded.value;
  if (!Array.isArray(list)) {
    const kind = typeof list === 'object' ? 'object' : typeof list === 'boolean' ? 'bool' : typeof list;
    return fail(
      apiErrors.badRequestBody(
        `json: cannot unmarshal ${kind} into Go value of type []${populateElementType}`,
      ),
    );
  }
  const specs: ProxySpec[] = [];
  for (const [index, element] of list.entries()) {
    const fields = decodeFields(element, proxyFields, 'Proxy', populateElementType);
    if (!fields.ok) return fail(apiErrors.badRequestBody(fields.message));
    const spec = required(merge(empty, fields.value), ` at proxy ${index + 1}`);
    if (!spec.ok) return spec;
    specs.push(spec.value);
  }
  return { ok: true, value: specs };
}
