/**
 * Path traversal against every prefix the server answers on. The only route that serves files is
 * the dashboard at /app/ (src/web/dashboard.ts, from a list read at start-up; its own traversal
 * cases are in tests/dashboard-static.test.ts). Here the same tricks go to the server root and
 * to the other prefixes (/api, /twilio, /healthz, /metrics), as fetch sends them and as raw bytes
 * on a socket (fetch normalises `..` away): encoded dots and slashes, backslashes, double
 * encoding, overlong UTF-8, null bytes. Nothing outside the dashboard's files is ever served.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** Strings that appear in files that must never be served. */
const SECRETS = ['"name": "voice-agent-server"', 'root:x:0:0', 'ADMIN_API_KEY', 'compilerOptions', '-----BEGIN', 'SQLite format'];
const TARGETS = ['package.json', 'etc/passwd', 'tsconfig.json', '.env', 'data/app.db', 'src/config.ts'];
const PREFIXES = ['', '/app', '/api', '/twilio', '/healthz', '/metrics', '/static', '/web'];
const UP = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '..%00', '%c0%ae%c0%ae', '..%c0%af', '..%5c', '..\\', '%2e%2e%5c'];
const SEP = ['/', '%2f', '%2F', '%5c', '\\', '%252f', '//'];

describe('path traversal', () => {
  let server: TestServer;
  let tenantKey: string;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000' });
    tenantKey = (await server.newTenant('T')).apiKey;
  });
  afterAll(() => server.stop());

  /** Every combination of prefix, climb, separator and target: a few thousand paths. */
  const attempts = () => {
    const out = new Set<string>();
    for (const prefix of PREFIXES)
      for (const up of UP)
        for (const sep of SEP)
          for (const target of TARGETS) {
            const climb = Array.from({ length: 4 }, () => up).join(sep);
            out.add(`${prefix}/${climb}${sep}${target}`);
          }
    for (const prefix of PREFIXES) for (const extra of ['/%00', '/index.html%00.json', '/.env', '/.git/config', '/%2e%2e', '/..%2f', '/%ff%fe', '/%E0%A4%A', '/.%2e/.%2e/package.json', '/;/../package.json', '/..;/package.json']) out.add(prefix + extra);
    return [...out];
  };

  const expectNothingServed = (path: string, status: number, body: string) => {
    // 404/400/405/401 and friends, or a redirect (or 503 from /twilio/*, Twilio not being configured here): never a file.
    expect((status >= 300 && status < 500) || (status === 503 && /^\/?twilio\//i.test(path.replace(/^\//, ''))), `${path} → ${status}`).toBe(true);
    for (const secret of SECRETS) expect(body, `${path} → ${status}`).not.toContain(secret);
  };

  it('serves nothing outside the dashboard files, whatever fetch sends (with and without a key)', async () => {
    const paths = attempts();
    expect(paths.length).toBeGreaterThan(2000);
    for (let i = 0; i < paths.length; i += 32) {
      await Promise.all(
        paths.slice(i, i + 32).map(async (path) => {
          const headers: Record<string, string> = i % 64 === 0 ? { authorization: `Bearer ${tenantKey}` } : {};
          const res = await fetch(server.url + path, { redirect: 'manual', headers }).catch((err: Error) => ({ status: 0, text: async () => err.message }));
          if (res.status === 0) return; // fetch itself refused the URL: nothing sent
          expectNothingServed(path, res.status, await res.text());
        }),
      );
    }
  });

  it('serves nothing outside the dashboard files for raw request lines (no client normalisation)', async () => {
    const raws = [
      '/../package.json', '/../../../../etc/passwd', '/app/../../package.json', '/app/../package.json', '/api/../package.json',
      '/twilio/../../package.json', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/..\\..\\package.json',
      '/app/..\\..\\package.json', '/app/%2e%2e%5c%2e%2e%5cpackage.json', '/app/js/../../../package.json', '//etc/passwd',
      '/app//../../package.json', '/./../package.json', '/app/./../../package.json', '/app/%00/../../package.json',
      'package.json', '../package.json', '*', 'http://127.0.0.1/../package.json', '/app/..%252f..%252fpackage.json',
    ];
    for (const raw of raws) {
      const answer = await rawGet(raw);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      // Node's HTTP parser rejects some request lines outright (400, or the connection closed).
      if (status === 0) continue;
      expectNothingServed(raw, status, answer);
    }
    // A null byte in the request line is refused by the HTTP parser itself.
    const nul = await rawGet('/app/index.html\0.json');
    expect(nul === '' || /^HTTP\/1\.1 400/.test(nul), JSON.stringify(nul.slice(0, 40))).toBe(true);
  });

  it('still serves the dashboard and the API after all that', async () => {
    expect((await fetch(`${server.url}/app/`)).status).toBe(200);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(server.logs.filter((l) => l.msg === 'unhandled error')).toEqual([]);
  });

  function rawGet(path: string): Promise<string> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
      let data = '';
      socket.setTimeout(5000, () => socket.destroy());
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
      socket.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(data) : reject(err)));
    });
  }
});
