import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { projectRoot } from '../paths.js';

/**
 * The owner's dashboard: plain HTML, CSS and ES modules from src/web/public, served at /app/
 * by this same server (`/` redirects there). No framework, no bundler, no build step: the folder
 * is resolved from the project root, so it is found the same way under tsx (src/) and after
 * `npm run build` (dist/), as the SQL migrations are; the Docker image copies it next to them.
 *
 * The files are read once at start-up into memory (they are a few tens of kilobytes) and served
 * by exact name from that list, so no request path can reach anything else on disk.
 */
export const DASHBOARD_PATH = '/app';
export const dashboardDir = join(projectRoot, 'src', 'web', 'public');
/** Where the dashboard serves @twilio/voice-sdk's browser bundle (the CSP allows no other origin's scripts). */
export const TWILIO_SDK_ASSET = 'vendor/twilio.min.js';

/** The package's prebuilt browser bundle (`dist/twilio.min.js`, it defines `globalThis.Twilio.Device`); undefined if not installed. */
export function twilioSdkBundle(): string | undefined {
  try {
    // The package exports only its entry points (es5/twilio.js for require); the bundle sits beside them.
    const path = join(dirname(createRequire(import.meta.url).resolve('@twilio/voice-sdk')), '..', 'dist', 'twilio.min.js');
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Every servable file under `dir`, by its path relative to it with `/` separators; dotfiles are skipped. */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else if (entry.isFile() && TYPES[extname(entry.name)]) {
        const body = readFileSync(path);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
        assets.set(`${prefix}${entry.name}`, { body, type: TYPES[extname(entry.name)]!, etag });
      }
    }
  };
  walk(dir, '');
  return assets;
}

function fileAsset(path: string): Asset {
  const body = readFileSync(path);
  return { body, type: TYPES[extname(path)]!, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/**
 * Headers on every dashboard response. The CSP allows only this origin's own scripts and
 * styles (no inline script or style, no eval), fetches and sockets to this origin, no framing.
 */
export function dashboardHeaders(req: Request, options: { twilioVoiceSdk?: boolean } = {}): Record<string, string> {
  // 'self' covers ws:/wss: of this host in CSP 3; the explicit socket origin is for older engines.
  const host = req.get('host');
  const sockets = host && /^[\w.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host) ? ` ws://${host} wss://${host}` : '';
  // "Call through Twilio" (only when configured): the Voice SDK signals over wss://voice-js.<edge>.twilio.com,
  // reports call quality to eventgw.twilio.com and loads its ringing sounds from sdk.twilio.com. The
  // audio itself is WebRTC (SRTP to Twilio's media servers), which connect-src does not govern.
  const twilio = options.twilioVoiceSdk ? ' wss://*.twilio.com https://eventgw.twilio.com https://sdk.twilio.com' : '';
  const twilioMedia = options.twilioVoiceSdk ? ' https://sdk.twilio.com' : '';
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self'${sockets}${twilio}`,
      `media-src 'self'${twilioMedia}`,
      "manifest-src 'self'",
      "worker-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'microphone=(self), camera=(), geolocation=(), payment=(), usb=()',
  };
}

/** The asset a request path names: `/` is index.html; anything odd (.., dotfiles, backslashes, NUL) names nothing. */
export function assetName(path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded === '/' || decoded === '') return 'index.html';
  if (!decoded.startsWith('/') || /[\\\0]/.test(decoded)) return undefined;
  const parts = decoded.slice(1).split('/');
  if (parts.some((p) => p === '' || p.startsWith('.'))) return undefined;
  return parts.join('/');
}

export function dashboardRoutes(options: { dir?: string; twilioVoiceSdk?: boolean } = {}): Router {
  const assets = loadAssets(options.dir ?? dashboardDir);
  const sdk = twilioSdkBundle();
  if (sdk) assets.set(TWILIO_SDK_ASSET, fileAsset(sdk));
  const router = Router();

  const secure = (req: Request, res: Response) => res.set(dashboardHeaders(req, { twilioVoiceSdk: options.twilioVoiceSdk }));

  router.get('/', (req, res) => {
    secure(req, res);
    res.redirect(302, `${DASHBOARD_PATH}/`);
  });

  router.use(DASHBOARD_PATH, (req, res) => {
    secure(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).set('allow', 'GET, HEAD').type('text/plain').send('Method not allowed');
      return;
    }
    // Relative asset URLs in index.html need the trailing slash.
    const pathname = req.originalUrl.split('?')[0];
    if (pathname === DASHBOARD_PATH) {
      res.redirect(301, `${DASHBOARD_PATH}/`);
      return;
    }
    const name = assetName(req.path);
    const asset = name === undefined ? undefined : assets.get(name);
    if (!asset) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    // Revalidated on every load (a 304 costs one small round trip); a deploy is seen at once.
    res.set({ 'content-type': asset.type, etag: asset.etag, 'cache-control': 'no-cache' });
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    res.status(200).send(asset.body);
  });

  return router;
}
