import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetName } from '../src/web/dashboard.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** The dashboard's static route: what it serves, the headers it sends, and what it never serves. */
describe('dashboard files', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const get = (path: string, init: RequestInit = {}) => fetch(server.url + path, { redirect: 'manual', ...init });
  const expectSecurityHeaders = (res: Response) => {
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('permissions-policy')).toContain('microphone=(self)');
  };

  it('redirects / and /app to /app/, which serves the page with its security headers', async () => {
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/app/');
    expectSecurityHeaders(root);
    const noSlash = await get('/app');
    expect(noSlash.status).toBe(301);
    expect(noSlash.headers.get('location')).toBe('/app/');
    const page = await get('/app/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expectSecurityHeaders(page);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="js/app.js"></script>');
    expect(html).not.toMatch(/<script>|<script type="module">|\sstyle=|\son[a-z]+=/); // nothing inline for the CSP to refuse
  });

  it('serves scripts, styles and the worklet with their types, ETags and 304s; small enough for a fast first paint', async () => {
    let total = 0;
    for (const [path, type] of [
      ['/app/js/app.js', 'text/javascript; charset=utf-8'],
      ['/app/js/phone/worklet.js', 'text/javascript; charset=utf-8'],
      ['/app/app.css', 'text/css; charset=utf-8'],
      ['/app/icon.svg', 'image/svg+xml'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expectSecurityHeaders(res);
      total += (await res.arrayBuffer()).byteLength;
      const again = await get(path, { headers: { 'if-none-match': res.headers.get('etag')! } });
      expect(again.status).toBe(304);
    }
    // index + app.js + css + icon: what the first paint needs (views load on demand).
    expect(total + (await (await get('/app/')).arrayBuffer()).byteLength).toBeLessThan(40_000);
  });

  it('never serves anything outside the dashboard folder', async () => {
    const attempts = [
      '/app/../package.json',
      '/app/%2e%2e/package.json',
      '/app/%2e%2e%2fpackage.json',
      '/app/js/..%2f..%2f..%2f..%2fpackage.json',
      '/app/..%5c..%5cpackage.json',
      '/app/%252e%252e/package.json',
      '/app/js/%2e%2e/%2e%2e/%2e%2e/%2e%2e/src/config.ts',
      '/app/.hidden',
      '/app//etc/passwd',
      '/app/%00index.html',
      '/app/index.html%00.js',
      '/app/%E0%A4%A',
      '/app/../../../../etc/passwd',
      '/app/nope.js',
    ];
    for (const path of attempts) {
      const res = await get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      const body = await res.text();
      expect(body, path).not.toContain('"name": "voice-agent-server"');
      expect(body, path).not.toContain('root:');
    }
    // Raw sockets keep `..` as sent (fetch normalises it away).
    const raw = await rawGet('/app/../../package.json');
    expect(raw).toMatch(/^HTTP\/1\.1 404/);
    expect(raw).not.toContain('voice-agent-server');
  });

  it('names only plain files inside the folder', () => {
    expect(assetName('/')).toBe('index.html');
    expect(assetName('/js/app.js')).toBe('js/app.js');
    for (const bad of ['/../x', '/js/../../x', '/%2e%2e/x', '/a%5cb', '/a%00b', '//x', '/.env', '/js/.x', '/%E0%A4%A', 'x']) expect(assetName(bad), bad).toBeUndefined();
  });

  it('answers other methods on dashboard paths with 405', async () => {
    const res = await get('/app/', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves the 18 knowledge categories with titles to signed-in clients', async () => {
    const tenant = await server.newTenant();
    const res = await tenant.get('/api/categories');
    expect(res.status).toBe(200);
    expect(res.body.categories).toHaveLength(18);
    expect(res.body.categories[1]).toMatchObject({ key: 'hours', title: 'Opening hours' });
    expect((await tenant.withKey(undefined).get('/api/categories')).status).toBe(401);
  });

  async function rawGet(path: string): Promise<string> {
    const { connect } = await import('node:net');
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
  }
});
