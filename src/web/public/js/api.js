/**
 * The dashboard's only way to the server: the JSON API with `Authorization: Bearer <tenant key>`.
 *
 * The key lives in sessionStorage (this tab only, gone when the tab closes) and is sent in a
 * header by this code, never in a cookie: a page on another site cannot make the browser send
 * it, so the API needs no CSRF defence, and there is no session to steal from a cookie jar.
 */
const KEY = 'voice-agent.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  signIn(key) {
    sessionStorage.setItem(KEY, key);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    window.dispatchEvent(new Event('signed-out'));
  },
};

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function headers(extra = {}) {
  const h = { accept: 'application/json', ...extra };
  if (session.key) h.authorization = `Bearer ${session.key}`;
  return h;
}

async function failure(res) {
  let body;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const error = body?.error;
  if (res.status === 401) session.signOut();
  return new ApiError(res.status, error?.code ?? 'error', error?.message ?? `The server answered ${res.status}.`, error?.details);
}

/** `api('GET', '/agents')` → parsed JSON (undefined for 204); throws ApiError with the server's message. */
export async function api(method, path, body, options = {}) {
  const init = { method, headers: headers(), credentials: 'omit', cache: 'no-store', signal: options.signal };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api${path}`, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return undefined;
  return res.json();
}

/**
 * Server-sent events read with fetch, so the request carries the Authorization header
 * (EventSource cannot send headers, and a key in the URL would end up in logs and history).
 * Yields `{event, data}` per message; comments (keep-alives) are skipped.
 */
export async function* serverEvents(path, { signal } = {}) {
  const res = await fetch(`/api${path}`, { headers: headers({ accept: 'text/event-stream' }), credentials: 'omit', cache: 'no-store', signal });
  if (!res.ok) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = text;
          else if (field === 'data') data.push(text);
        }
        if (data.length) yield { event, data: data.join('\n') };
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
