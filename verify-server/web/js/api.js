// JSON calls to pkibridge-server (same origin; the session cookie travels by itself).
// Every non-2xx answer becomes an ApiError carrying the server's error object
// ({"error": {"code", "message", "messageZh", ...extra}}, docs/server-api.md).

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error?.code || `http-${status}`;
    this.messageZh = error?.messageZh || '';
    this.details = error || {};
  }
}

/**
 * api('/api/v1/portal/me') → GET; api(path, {body}) → POST with a JSON body;
 * `query` adds ?key=value pairs (empty values are left out). Resolves with the parsed JSON
 * (null for 204).
 */
export async function api(path, { method, body, query } = {}) {
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const init = { method: method || (body === undefined ? 'GET' : 'POST'), credentials: 'same-origin', headers: {} };
  if (init.method === 'POST') {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, { code: 'network', message: 'the server could not be reached' });
  }
  if (response.status === 204) return null;
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, json?.error);
  return json;
}
