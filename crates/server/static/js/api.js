// The API client of every page: JSON in and out, the session's CSRF token on writes,
// and back to the login page when the session is gone.

const CSRF_KEY = 'plateau.csrf';

/** An API answer other than 2xx: `status`, and the server's `{error, message}`. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
    this.body = body;
  }
}

/** Keeps the token the login answer gave (the cookie itself is HttpOnly). */
export function rememberSession(session) {
  if (session && session.csrf_token) sessionStorage.setItem(CSRF_KEY, session.csrf_token);
}

export function forgetSession() {
  sessionStorage.removeItem(CSRF_KEY);
}

/**
 * `api('GET', '/api/v1/queues')`, `api('POST', path, body)`. Resolves to the parsed JSON
 * (or null for an empty answer); rejects with ApiError. A 401 sends the browser to `/`
 * unless `{ allowUnauthorized: true }`.
 */
export async function api(method, path, body, options = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (csrf && method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = { message: text }; }
  }
  if (response.status === 401 && !options.allowUnauthorized) {
    forgetSession();
    location.assign('/');
    throw new ApiError(401, parsed);
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/** The logged-in user (`GET /api/v1/session`); refreshes the CSRF token it carries. */
export async function currentUser() {
  const session = await api('GET', '/api/v1/session');
  rememberSession(session);
  return session;
}

/** `?a=1&b=x` from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
