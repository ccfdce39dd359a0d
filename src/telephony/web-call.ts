import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Logger } from '../observability/logger.js';
import type { CallControls } from '../voice/session/call-session.js';

/**
 * "Talk to your agent" from the dashboard: a browser call that speaks the Twilio Media Streams
 * protocol (connected/start/media/mark/stop in, media/mark/clear out, base64 8 kHz mu-law in
 * 20 ms frames) on its own socket path, and runs through the same media socket and call session
 * as a phone call. What replaces Twilio's signature is a token:
 *
 * 1. `POST /api/agents/:id/web-call` (tenant key) creates a call row with channel `web` and
 *    answers `{callId, token, url, expiresInMs}`; the token is signed, single-use and expires in
 *    WEB_CALL_TOKEN_TTL_MS (the same CallTokens scheme as Twilio's callToken, with its own key, so
 *    neither kind of token opens the other socket).
 * 2. The browser opens `url` (`ws(s)://<host>/web/media`, no query string: the token stays out of
 *    access logs) and sends `start` with `start.callSid = callId` and
 *    `start.customParameters.callToken = token`, exactly where Twilio puts its own.
 */
export const WEB_MEDIA_PATH = '/web/media';
export const WEB_CALL_TOKEN_TTL_MS = 30_000;
/** Close code for "the agent wanted to transfer you": a web call has no phone line to transfer. */
export const WEB_CLOSE_TRANSFER = 4001;

/**
 * A browser's upgrade must come from a page of this server: its Origin is this host (or the
 * PUBLIC_URL's host behind a proxy). A client that sends no Origin is not a browser and cannot be
 * a cross-site page; it still needs a token.
 */
export function isSameOriginUpgrade(req: IncomingMessage, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return host === req.headers.host || host === new URL(publicUrl).host;
}

/** The socket URL for a browser that reached us at `host` over `protocol` (http or https). */
export function webMediaUrl(protocol: string, host: string | undefined, publicUrl: string): string {
  const base = host ? `${protocol}://${host}` : publicUrl;
  return base.replace(/^http/, 'ws') + WEB_MEDIA_PATH;
}

/**
 * A web call has no Twilio call behind it: hanging up closes the socket; a transfer cannot ring
 * a phone from a browser, so the call ends with WEB_CLOSE_TRANSFER and the page says where the
 * caller would have been put through.
 */
export class WebCallControls implements CallControls {
  constructor(
    private readonly ws: WebSocket,
    private readonly log: Logger,
  ) {}

  async transfer(): Promise<void> {
    this.log.info({ event: 'call.transfer_unavailable', channel: 'web' }, 'web call: a transfer needs a phone line; ending the web call');
    this.ws.close(WEB_CLOSE_TRANSFER, 'transfer unavailable on web calls');
  }

  async hangUp(): Promise<void> {
    this.ws.close(1000, 'hang-up');
  }
}
