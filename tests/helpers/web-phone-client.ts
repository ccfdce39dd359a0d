import WebSocket from 'ws';
import { waitTimeoutScale } from '../../scripts/lib/simulated-call.js';

/**
 * A scripted web-phone caller in Node: opens `WS /web/media` and speaks the Media Streams
 * protocol the dashboard's browser phone speaks (connected, start with the web-call token,
 * 20 ms media frames, marks echoed on arrival), recording what the server sends.
 */
export class WebPhoneClient {
  readonly received: { event: string; [key: string]: unknown }[] = [];
  closeCode?: number;
  closeReason?: string;
  readonly closed: Promise<void>;
  private ticker?: NodeJS.Timeout;
  private chunk = 0;
  private outgoing: Buffer[] = [];
  readonly streamSid = 'MZ' + 'web'.padEnd(32, '0');

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        clearInterval(this.ticker);
        resolve();
      }),
    );
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      this.received.push(message);
      // Played at once: the mark comes back straight away.
      if (message.event === 'mark') this.send({ event: 'mark', streamSid: this.streamSid, mark: { name: message.mark.name } });
    });
  }

  /** Opens the socket (refused upgrades reject with their status). */
  static async open(url: string, headers: Record<string, string> = {}): Promise<WebPhoneClient> {
    const ws = new WebSocket(url, { headers });
    const client = new WebPhoneClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return client;
  }

  start(callId: string, token: string): void {
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.send({
      event: 'start',
      sequenceNumber: '1',
      streamSid: this.streamSid,
      start: { streamSid: this.streamSid, callSid: callId, tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: { callToken: token } },
    });
    this.ticker = setInterval(() => {
      const tick = this.chunk++;
      const payload = this.outgoing.shift() ?? Buffer.alloc(160, 0xff);
      this.send({ event: 'media', streamSid: this.streamSid, media: { track: 'inbound', chunk: String(tick + 1), timestamp: String(tick * 20), payload: payload.toString('base64') } });
    }, 20);
  }

  /** Queues caller audio (8 kHz mu-law); it goes out in 20 ms frames in place of silence. */
  say(mulaw: Uint8Array): Promise<void> {
    for (let i = 0; i < mulaw.length; i += 160) {
      const frame = Buffer.alloc(160, 0xff);
      Buffer.from(mulaw.subarray(i, i + 160)).copy(frame);
      this.outgoing.push(frame);
    }
    return this.waitFor(() => this.outgoing.length === 0 || this.closeCode !== undefined, mulaw.length / 8 + 5000);
  }

  count(event: string): number {
    return this.received.filter((m) => m.event === event).length;
  }

  send(message: object | string | Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  hangUp(): void {
    this.send({ event: 'stop', streamSid: this.streamSid });
    this.ws.close();
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs * waitTimeoutScale();
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the web phone');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
