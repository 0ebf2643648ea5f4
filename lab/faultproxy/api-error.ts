/**
 * The errors of the Toxiproxy-compatible API. Each has a stable code for our logs and tests, and
 * the status and message Toxiproxy 2.12 answers with (its `apiError`); the HTTP layer turns them
 * into `{"error":"...","status":N}` once, at the edge.
 */
export interface ApiError {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly message: string;
}

export type ApiErrorCode =
  | 'HC_FP_BAD_REQUEST_BODY'
  | 'HC_FP_MISSING_FIELD'
  | 'HC_FP_PROXY_NOT_FOUND'
  | 'HC_FP_PROXY_EXISTS'
  | 'HC_FP_INVALID_STREAM'
  | 'HC_FP_INVALID_TOXIC_TYPE'
  | 'HC_FP_TOXIC_EXISTS'
  | 'HC_FP_TOXIC_NOT_FOUND'
  | 'HC_FP_LISTEN_FAILED'
  | 'HC_FP_OUT_OF_RANGE'
  | 'HC_FP_TOO_MANY'
  | 'HC_FP_UPSTREAM_LOOP';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const apiErrors = {
  badRequestBody: (detail: string): ApiError => ({
    code: 'HC_FP_BAD_REQUEST_BODY',
    status: 400,
    message: `bad request body: ${detail}`,
  }),
  missingField: (what: string): ApiError => ({
    code: 'HC_FP_MISSING_FIELD',
    status: 400,
    message: `missing required field: ${what}`,
  }),
  proxyNotFound: { code: 'HC_FP_PROXY_NOT_FOUND', status: 404, message: 'proxy not found' },
  proxyExists: { code: 'HC_FP_PROXY_EXISTS', status: 409, message: 'proxy already exists' },
  invalidStream: {
    code: 'HC_FP_INVALID_STREAM',
    status: 400,
    message: 'stream was invalid, can be either upstream or downstream',
  },
  invalidToxicType: { code: 'HC_FP_INVALID_TOXIC_TYPE', status: 400, message: 'invalid toxic type' },
  toxicExists: { code: 'HC_FP_TOXIC_EXISTS', status: 409, message: 'toxic already exists' },
  toxicNotFound: { code: 'HC_FP_TOXIC_NOT_FOUND', status: 404, message: 'toxic not found' },
  listenFailed: (message: string): ApiError => ({ code: 'HC_FP_LISTEN_FAILED', status: 500, message }),
  // Ours, not Toxiproxy's (it has no such limits); same shape, so its clients show them as errors.
  outOfRange: (detail: string): ApiError => ({
    code: 'HC_FP_OUT_OF_RANGE',
    status: 400,
    message: `bad request body: ${detail}`,
  }),
  tooMany: (detail: string): ApiError => ({ code: 'HC_FP_TOO_MANY', status: 409, message: detail }),
  upstreamLoop: (detail: string): ApiError => ({ code: 'HC_FP_UPSTREAM_LOOP', status: 400, message: detail }),
} as const satisfies Record<string, ApiError | ((detail: string) => ApiError)>;

export function fail<T>(error: ApiError): Result<T> {
  return { ok: false, error };
}
